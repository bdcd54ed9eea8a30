"""Calibrate refusals: the model's verdict together with the evidence score.

    python bench/calibrate_refusal.py --data-dir DIR [--questions ../shared/qa/dev.jsonl]
                                      [--backend llamacpp] [--json]

Every question is answered once with no evidence threshold, no quote fallback and a second
look after every refusal (when the backend can keep the refusal token out), which gives per
question: the evidence score (idf-weighted coverage of its terms in the best of the top three
passages), whether the model refused (KEINE_ANGABE) in its first draft, and whether a checked
answer came out of the first or the second draft. The product's rule is then replayed for every
triple of thresholds:

- evidence score < `answer.min_support`: refused before the model is asked;
- the model refuses: refused, unless the score reaches `answer.second_look_min_support` and the
  second draft is a checked answer;
- a checked answer: answered;
- no checked answer: the best passage is quoted if the score reaches `answer.quote_min_support`,
  else refused.

The table shows both error rates per triple: unanswerable questions not refused, and answerable
ones refused; and how many unanswerable questions got a checked answer. The suggestion refuses
the most unanswerable questions while refusing at most 10 % of the answerable ones (ties: the
lower false refusal rate, then lower thresholds).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from common import ROOT, SHARED, emit

from assistant.answer_metrics import has_key_facts
from assistant.answering import Redraft
from assistant.evaluation import load_questions
from assistant.wiring import build_services
from core.config import Settings

MAX_FALSE_REFUSALS = 0.10
MIN_UNANSWERABLE_REFUSED = 0.90
STEPS = [round(x * 0.05, 2) for x in range(17)]


@dataclass
class Outcome:
    answerable: bool
    support: float
    model_refused: bool  # in the first draft
    checked: bool  # the first draft (or, after a refusal, the second) passed the check
    key_facts: bool | None = None  # a checked answer states the gold figures (answerable only)


@dataclass(frozen=True)
class Rule:
    min_support: float
    quote_min_support: float
    second_look_min_support: float = 1.01


def answered_checked(o: Outcome, rule: Rule) -> bool:
    if o.support < rule.min_support:
        return False
    if o.model_refused:
        return o.checked and o.support >= rule.second_look_min_support
    return o.checked


def refused(o: Outcome, rule: Rule) -> bool:
    if o.support < rule.min_support or answered_checked(o, rule):
        return o.support < rule.min_support
    return o.model_refused or o.support < rule.quote_min_support


def collect(data_dir: Path, questions_file: Path, backend: str) -> list[Outcome]:
    settings = Settings(data_dir=data_dir)
    settings.llm.backend = backend
    settings.answer.min_support = 0.0
    settings.answer.quote_min_support = 1.01  # never quote: the raw verdicts
    settings.answer.second_look_min_support = 0.0  # always a second look after a refusal
    svc = build_services(settings)
    outcomes = []
    for q in load_questions(questions_file):
        events: list[object] = []
        answer = svc.asking.ask(q.question, on_token=events.append)
        first_refused = (any(isinstance(e, Redraft) for e in events)
                         or answer.refusal_reason == "model")
        facts = (has_key_facts(answer.answer, q.answer)
                 if q.answerable and q.answer and answer.kind == "checked" else None)
        outcomes.append(Outcome(q.answerable, answer.support, first_refused,
                                answer.kind == "checked", facts))
    return outcomes


def table(outcomes: list[Outcome]) -> list[dict]:
    answerable = [o for o in outcomes if o.answerable] or [None]
    unanswerable = [o for o in outcomes if not o.answerable] or [None]
    rows = []
    for low in STEPS:
        for high in STEPS:
            for look in [*STEPS, 1.01]:
                if high < low or look < low:
                    continue
                rule = Rule(low, high, look)
                rows.append({
                    "min_support": low, "quote_min_support": high,
                    "second_look_min_support": look,
                    "unanswerable_refused": round(sum(
                        refused(o, rule) for o in unanswerable if o) / len(unanswerable), 3),
                    "answerable_refused": round(sum(
                        refused(o, rule) for o in answerable if o) / len(answerable), 3),
                    "unanswerable_checked": sum(
                        answered_checked(o, rule) for o in unanswerable if o),
                    "checked_without_key_facts": sum(
                        answered_checked(o, rule) and o.key_facts is False
                        for o in answerable if o)})
    return rows


def _errors(r: dict, answerable: int) -> float:
    """False refusals plus checked answers without the gold figures (ties are decided for
    fewer of the latter: a wrong answer labelled as checked is worse than "keine Angabe")."""
    return round(r["answerable_refused"] * answerable) + r["checked_without_key_facts"]


def suggest(rows: list[dict], answerable: int) -> tuple[dict, bool]:
    """Never a checked answer to an unanswerable question (the worst outcome for a
    Verwaltung); then the most unanswerable refusals at ≤ 10 % false refusals. When no triple
    keeps that limit: among those refusing ≥ 90 % of the unanswerable questions (the issue's
    target) the fewest errors (`_errors`), else the best balance of both error rates."""
    trusted = [r for r in rows if r["unanswerable_checked"] == 0] or rows
    allowed = [r for r in trusted if r["answerable_refused"] <= MAX_FALSE_REFUSALS]
    if allowed:
        return max(allowed, key=lambda r: (r["unanswerable_refused"], -_errors(r, answerable),
                                           -r["checked_without_key_facts"],
                                           -r["min_support"], -r["quote_min_support"],
                                           r["second_look_min_support"])), True
    safe = [r for r in trusted if r["unanswerable_refused"] >= MIN_UNANSWERABLE_REFUSED]
    return min(safe or trusted, key=lambda r: (
        _errors(r, answerable) - (0 if safe else r["unanswerable_refused"] * answerable),
        r["checked_without_key_facts"], r["min_support"], r["quote_min_support"], -r["second_look_min_support"])), False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--questions", type=Path, default=SHARED / "qa" / "dev.jsonl")
    parser.add_argument("--backend", default="llamacpp")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    outcomes = collect(args.data_dir, args.questions, args.backend)
    rows = table(outcomes)
    best, feasible = suggest(rows, sum(o.answerable for o in outcomes))
    model_only = next(r for r in rows if (r["min_support"], r["quote_min_support"],
                                          r["second_look_min_support"]) == (0, 0, 1.01))
    result = {"questions": len(outcomes), "backend": args.backend,
              "model_verdict_only": model_only, "suggested": best,
              "meets_false_refusal_limit": feasible,
              "outcomes": [o.__dict__ for o in outcomes]}
    out = ROOT / "bench" / "results" / "calibrate-refusal.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({**result, "table": rows}, indent=2))
    if args.json:
        emit(result, True)
        return
    print(f"{'min_support':>12}{'quote_min':>10}{'second_look':>12}{'unanswerable refused':>22}"
          f"{'answerable refused':>20}{'unanswerable checked':>22}{'checked w/o facts':>19}")
    for r in rows:
        if r["quote_min_support"] == max(r["min_support"], 0.2) and r["min_support"] <= 0.3:
            print(f"{r['min_support']:>12.2f}{r['quote_min_support']:>10.2f}"
                  f"{r['second_look_min_support']:>12.2f}{r['unanswerable_refused']:>22.3f}"
                  f"{r['answerable_refused']:>20.3f}{r['unanswerable_checked']:>22}"
                  f"{r['checked_without_key_facts']:>19}")
    print(f"model verdict and check alone: refuses {model_only['unanswerable_refused']:.0%} of "
          f"unanswerable, {model_only['answerable_refused']:.0%} of answerable")
    if not feasible:
        print(f"no triple refuses at most {MAX_FALSE_REFUSALS:.0%} of the answerable questions")
    print(f"suggested answer.min_support = {best['min_support']:.2f}, answer.quote_min_support "
          f"= {best['quote_min_support']:.2f}, answer.second_look_min_support = "
          f"{best['second_look_min_support']:.2f} (refuses {best['unanswerable_refused']:.0%} of "
          f"unanswerable, {best['answerable_refused']:.0%} of answerable)")


if __name__ == "__main__":
    main()
