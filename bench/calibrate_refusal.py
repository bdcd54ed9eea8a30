"""Calibrate refusals on the evidence: the best-matching sentence, with the model as one signal.

    python bench/calibrate_refusal.py --data-dir DIR [--questions ../shared/qa/dev.jsonl]
                                      [--llm] [--folds 5] [--seed 7] [--json]

Every question is read once (retrieval and the sentence reader), which gives the five signals
of every candidate sentence. The evidence is the best candidate's evidence score, a weighted sum
of the same signals (`reader.evidence_weights`; the weights are chosen from a small grid
together with the threshold). With `--llm` each question is also answered by the configured
model with every threshold off, which adds whether the model refused (KEINE_ANGABE) and
whether a checked answer came out. The product's rule is then replayed:

- evidence < `reader.min_evidence`: refused before any model is asked;
- the model refuses and evidence < `reader.model_refusal_min_evidence`: refused;
- otherwise: answered (a checked answer, or the Fundstelle).

Printed: the curve for the chosen weights (share of unanswerable questions refused against
share of answerable ones refused, for each threshold between the observed evidence values), and
the chosen point. The choice: among weights and thresholds with answerable refused ≤ 0.15 and
unanswerable refused ≥ 0.85, the one with the largest gap between the two shares (for the
threshold, the middle of the widest such interval); when none meets both, the false refusals
stay capped at 0.15 and the most unanswerable questions are refused within that cap (a refusal
must never take a good Fundstelle from staff more often than that). The same choice is
cross-validated: per fold it is made on the other folds and applied to the held-out one
(stratified: unanswerable questions spread over the folds), and the held-out shares are printed
— the figures to expect on questions never seen.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from common import ROOT, SHARED, emit

from assistant.evaluation.harness import load_questions
from assistant.wiring import build_services
from core.config import Settings

MAX_FALSE_REFUSALS = 0.15
MIN_UNANSWERABLE_REFUSED = 0.85
OFF = -1e9
SIGNALS = ("similarity", "coverage", "context", "answer_type", "rank")
# evidence weights tried: the cosine, plus a little of the lexical and rank signals
WEIGHT_GRID = [(1.0, cov, ctx, typ, rank) for cov, ctx, typ, rank in itertools.product(
    (0.0, 0.05, 0.1), (0.0, 0.05, 0.1), (0.0, 0.02), (0.0, 0.02, 0.05))]


@dataclass
class Outcome:
    id: str
    answerable: bool
    features: np.ndarray  # (candidates, 5), the signals of every candidate sentence
    model_refused: bool = False
    checked: bool = False

    def evidence(self, weights: tuple[float, ...]) -> float:
        return float((self.features @ np.asarray(weights)).max()) if len(self.features) else OFF


def collect(data_dir: Path, questions: Path, with_llm: bool) -> list[Outcome]:
    settings = Settings(data_dir=data_dir)
    settings.reader.min_evidence = OFF
    settings.reader.model_refusal_min_evidence = OFF
    if not with_llm:
        settings.llm.backend = "extractive"
    svc = build_services(settings)
    outcomes = []
    for question in load_questions(questions):
        when = svc.asking.as_of(question.question)
        if with_llm:
            answer = svc.asking.ask(question.question)
            reading, refused, checked = (answer.reading, "KEINE_ANGABE" in answer.draft,
                                         answer.kind == "checked")
        else:
            _, reading = svc.asking.read(when.question or question.question, when=when)
            refused = checked = False
        ranked = reading.ranked if reading else ()
        features = np.array([[getattr(s.features, n) for n in SIGNALS] for s in ranked])
        outcomes.append(Outcome(question.id, question.answerable, features.reshape(-1, 5),
                                refused, checked))
    svc.close()
    return outcomes


def refused(o: Outcome, weights: tuple[float, ...], low: float, model_low: float) -> bool:
    evidence = o.evidence(weights)
    return evidence < low or (o.model_refused and evidence < model_low)


def shares(outcomes: list[Outcome], weights: tuple[float, ...], low: float,
           model_low: float = OFF) -> tuple[float, float]:
    """(unanswerable refused, answerable refused)."""
    una = [o for o in outcomes if not o.answerable]
    ans = [o for o in outcomes if o.answerable]
    u = sum(refused(o, weights, low, model_low) for o in una) / len(una) if una else 0.0
    a = sum(refused(o, weights, low, model_low) for o in ans) / len(ans) if ans else 0.0
    return u, a


def thresholds(outcomes: list[Outcome], weights: tuple[float, ...]) -> list[float]:
    """Thresholds between neighbouring evidence values (and below / above all)."""
    values = sorted({round(o.evidence(weights), 6) for o in outcomes})
    mids = [(a + b) / 2 for a, b in zip(values, values[1:], strict=False)]
    return [values[0] - 1e-3, *mids, values[-1] + 1e-3]


@dataclass(frozen=True)
class Rule:
    weights: tuple[float, ...]
    low: float
    model_low: float = OFF


def choose(outcomes: list[Outcome], with_llm: bool) -> Rule:
    """The weights and thresholds by the rule in the module docstring."""
    rows = []
    for weights in WEIGHT_GRID:
        lows = thresholds(outcomes, weights)
        for low in lows:
            for model_low in [OFF] + ([t for t in lows if t > low] if with_llm else []):
                u, a = shares(outcomes, weights, low, model_low)
                if a > MAX_FALSE_REFUSALS:
                    continue
                ok = u >= MIN_UNANSWERABLE_REFUSED
                rows.append((ok, round(u - a, 9) if ok else round(u, 9) - a / 100,
                             Rule(weights, low, model_low)))
    feasible = [r for r in rows if r[0]] or rows
    top = max(r[1] for r in feasible)
    best = [r[2] for r in feasible if r[1] == top]
    first = best[0].weights  # the simplest weights (the grid starts with the plain cosine)
    same = sorted((r for r in best if r.weights == first), key=lambda r: (r.low, r.model_low))
    return same[len(same) // 2]  # the middle of the widest interval


def cross_validate(outcomes: list[Outcome], folds: int, seed: int, with_llm: bool) -> dict:
    rng = random.Random(seed)
    una = [o for o in outcomes if not o.answerable]
    ans = [o for o in outcomes if o.answerable]
    rng.shuffle(una)
    rng.shuffle(ans)
    parts = [una[i::folds] + ans[i::folds] for i in range(folds)]
    held: list[tuple[Outcome, bool]] = []
    for i, part in enumerate(parts):
        train = [o for p in parts[:i] + parts[i + 1:] for o in p]
        rule = choose(train, with_llm)
        held.extend((o, refused(o, rule.weights, rule.low, rule.model_low)) for o in part)
    u = [r for o, r in held if not o.answerable]
    a = [r for o, r in held if o.answerable]
    return {"unanswerable_refused": round(sum(u) / len(u), 3) if u else None,
            "answerable_refused": round(sum(a) / len(a), 3) if a else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--questions", type=Path, default=SHARED / "qa" / "dev.jsonl")
    parser.add_argument("--llm", action="store_true",
                        help="also record the configured model's verdict (slow)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    outcomes = collect(args.data_dir, args.questions, args.llm)
    rule = choose(outcomes, args.llm)
    curve = []
    for low in thresholds(outcomes, rule.weights):
        u, a = shares(outcomes, rule.weights, low)
        curve.append({"min_evidence": round(low, 4), "unanswerable_refused": round(u, 3),
                      "answerable_refused": round(a, 3)})
    u, a = shares(outcomes, rule.weights, rule.low, rule.model_low)
    result = {
        "questions": len(outcomes),
        "chosen_evidence_weights": dict(zip(SIGNALS, rule.weights, strict=True)),
        "chosen_min_evidence": round(rule.low, 4),
        "chosen_model_refusal_min_evidence": (None if rule.model_low == OFF
                                              else round(rule.model_low, 4)),
        "unanswerable_refused": round(u, 3), "answerable_refused": round(a, 3),
        "held_out": cross_validate(outcomes, args.folds, args.seed, args.llm),
    }
    out = ROOT / "bench" / "results" / "calibrate-refusal.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({**result, "curve": curve, "evidence": [
        {"id": o.id, "answerable": o.answerable, "evidence": round(o.evidence(rule.weights), 4),
         "model_refused": o.model_refused, "checked": o.checked} for o in outcomes]}, indent=1))
    if not args.json:
        print(f"{'min_evidence':>14}{'unanswerable refused':>22}{'answerable refused':>20}")
        for row in curve:
            print(f"{row['min_evidence']:>14.4f}{row['unanswerable_refused']:>22.3f}"
                  f"{row['answerable_refused']:>20.3f}")
    emit(result, args.json)


if __name__ == "__main__":
    main()
