"""Calibrate refusals: the model's verdict together with the evidence score.

    python bench/calibrate_refusal.py --data-dir DIR [--questions ../shared/qa/dev.jsonl]
                                      [--backend llamacpp] [--json]

Every question is answered once with no evidence threshold and no quote fallback, which gives
per question: the evidence score (idf-weighted coverage of its terms in the best of the top
three passages), whether the model refused (KEINE_ANGABE), and whether a checked answer came
out. The product's rule is then replayed for every pair of thresholds:

- evidence score < `answer.min_support`: refused before the model is asked;
- the model refuses: refused;
- a checked answer: answered;
- no checked answer: the best passage is quoted if the score reaches `answer.quote_min_support`,
  else refused.

The table shows both error rates per pair: unanswerable questions not refused, and answerable
ones refused. The suggestion refuses the most unanswerable questions while refusing at most
10 % of the answerable ones (ties: the lower false refusal rate, then lower thresholds).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from common import ROOT, SHARED, emit

from assistant.config import Settings
from assistant.evaluation import load_questions
from assistant.services import build_services

MAX_FALSE_REFUSALS = 0.10
STEPS = [round(x * 0.05, 2) for x in range(17)]


@dataclass
class Outcome:
    answerable: bool
    support: float
    model_refused: bool
    checked: bool


def refused(o: Outcome, min_support: float, quote_min_support: float) -> bool:
    if o.support < min_support or o.model_refused:
        return True
    return not o.checked and o.support < quote_min_support


def collect(data_dir: Path, questions_file: Path, backend: str) -> list[Outcome]:
    settings = Settings(data_dir=data_dir)
    settings.llm.backend = backend
    settings.answer.min_support = 0.0
    settings.answer.quote_min_support = 1.01  # never quote: the raw verdicts
    svc = build_services(settings)
    outcomes = []
    for q in load_questions(questions_file):
        answer = svc.ask(q.question)
        outcomes.append(Outcome(q.answerable, answer.support, answer.refusal_reason == "model",
                                answer.kind == "checked"))
    return outcomes


def table(outcomes: list[Outcome]) -> list[dict]:
    answerable = [o for o in outcomes if o.answerable] or [None]
    unanswerable = [o for o in outcomes if not o.answerable] or [None]
    rows = []
    for low in STEPS:
        for high in STEPS:
            if high < low:
                continue
            rows.append({
                "min_support": low, "quote_min_support": high,
                "unanswerable_refused": round(sum(refused(o, low, high) for o in unanswerable
                                                  if o) / len(unanswerable), 3),
                "answerable_refused": round(sum(refused(o, low, high) for o in answerable
                                                if o) / len(answerable), 3)})
    return rows


def suggest(rows: list[dict]) -> tuple[dict, bool]:
    """The most unanswerable refusals at ≤ 10 % false refusals; when no pair keeps that
    limit, the pair with the fewest false refusals (then the most right ones)."""
    allowed = [r for r in rows if r["answerable_refused"] <= MAX_FALSE_REFUSALS]
    if allowed:
        return max(allowed, key=lambda r: (r["unanswerable_refused"], -r["answerable_refused"],
                                           -r["min_support"], -r["quote_min_support"])), True
    return min(rows, key=lambda r: (r["answerable_refused"], -r["unanswerable_refused"],
                                    r["min_support"], r["quote_min_support"])), False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--questions", type=Path, default=SHARED / "qa" / "dev.jsonl")
    parser.add_argument("--backend", default="llamacpp")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    outcomes = collect(args.data_dir, args.questions, args.backend)
    rows = table(outcomes)
    best, feasible = suggest(rows)
    model_only = rows[0]  # both thresholds 0: the model's verdict and check alone
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
    print(f"{'min_support':>12}{'quote_min_support':>19}{'unanswerable refused':>22}"
          f"{'answerable refused':>20}")
    for r in rows:
        if r["quote_min_support"] in (r["min_support"], 0.5, 0.8):
            print(f"{r['min_support']:>12.2f}{r['quote_min_support']:>19.2f}"
                  f"{r['unanswerable_refused']:>22.3f}{r['answerable_refused']:>20.3f}")
    print(f"model verdict and check alone: refuses {model_only['unanswerable_refused']:.0%} of "
          f"unanswerable, {model_only['answerable_refused']:.0%} of answerable")
    if not feasible:
        print(f"no pair refuses at most {MAX_FALSE_REFUSALS:.0%} of the answerable questions")
    print(f"suggested answer.min_support = {best['min_support']:.2f}, answer.quote_min_support "
          f"= {best['quote_min_support']:.2f} (refuses {best['unanswerable_refused']:.0%} of "
          f"unanswerable, {best['answerable_refused']:.0%} of answerable)")


if __name__ == "__main__":
    main()
