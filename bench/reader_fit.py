"""Fit the sentence reader's weights by k-fold cross-validation and print the held-out figures.

    python bench/reader_fit.py --data-dir DIR [--questions ../shared/qa/dev.jsonl]
                               [--sources 20] [--folds 5] [--seed 7] [--json]

For every answerable question the product retrieves `--sources` passages (as `rathaus ask`
does: the date phrase out, the rights of the operator) and the reader ranks their sentences;
each sentence keeps its five signals (assistant/answer/reading/scorer.py). Then, per fold, the
weights are chosen on the other folds from a grid and scored on the held-out fold:

- the first Fundstelle quotes the gold evidence (its quote holds 80 % of the evidence's words);
- the gold sentence ranks first / among the first three (a sentence of the gold document that
  holds the evidence or lies inside it);
- one of the Fundstellen shown quotes the gold (up to `reader.alternatives`, within
  `reader.alternative_margin`; the margin is fitted the same way, each further Fundstelle
  shown costing 0.1 of a question, so that it must help one question in ten to be worth it).

The objective on the training folds: first Fundstelle quotes the gold, plus gold sentence first,
plus half of gold sentence among the first three. Also printed: how many questions have their
gold among the first 5 / 10 / 15 / 20 passages and the held-out figures when the reader reads
only that many (the `answer.k` choice), and the weights fitted on all questions — the values to
put into settings (`reader.weights`, `reader.alternative_margin`).
"""

from __future__ import annotations

import argparse
import itertools
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from common import SHARED, emit

from assistant.evaluation.harness import is_gold_sentence, is_hit, load_questions
from assistant.wiring import build_services
from core.config import Settings

GRID = {  # the cosine's weight is 1: the others are relative to it
    "coverage": [0.0, 0.05, 0.1, 0.2],
    "context": [0.0, 0.1, 0.2, 0.3, 0.5, 0.8],
    "answer_type": [0.0, 0.02, 0.04, 0.08, 0.12, 0.16],
    "rank": [0.0, 0.02, 0.04, 0.08, 0.12, 0.2],
}
COMBOS = np.array([[1.0, *c] for c in itertools.product(*GRID.values())])
MARGINS = [0.0, 0.01, 0.02, 0.03, 0.05]
EXTRA_COST = 0.1


@dataclass
class Read:
    """One question's candidates: signals, passage number, gold flags."""

    id: str
    features: np.ndarray  # (candidates, 5): similarity, coverage, context, answer_type, rank
    passage: np.ndarray  # the passage number n of each candidate
    chunk: list[str]
    gold: np.ndarray  # the sentence is a gold sentence
    quote_hit: np.ndarray  # its Fundstelle quote holds the gold evidence
    passage_hit: list[int]  # passage numbers that hold the gold evidence


def read_all(data_dir: Path, questions_path: Path, sources: int) -> list[Read]:
    settings = Settings(data_dir=data_dir)
    settings.answer.k = sources
    svc = build_services(settings, llm_backend=None)
    asking = svc.asking
    quote_chars = settings.reader.quote_chars
    found = []
    for question in load_questions(questions_path):
        if not question.answerable:
            continue
        when = asking.as_of(question.question)
        asked = when.question or question.question
        passages, reading = asking.read(asked, when=when)
        ranked = reading.ranked
        f = np.array([[s.features.similarity, s.features.coverage, s.features.context,
                       s.features.answer_type, s.features.rank] for s in ranked]).reshape(-1, 5)
        found.append(Read(
            question.id, f, np.array([s.n for s in ranked]),
            [s.candidate.source.chunk_id for s in ranked],
            np.array([is_gold_sentence(s.candidate.source.doc, s.sentence, question.gold)
                      for s in ranked], dtype=bool),
            np.array([is_hit(s.candidate.source.doc, s.quote(quote_chars), question.gold)
                      for s in ranked], dtype=bool),
            [n for n, p in enumerate(passages, start=1) if is_hit(p.doc, p.text, question.gold)]))
    svc.close()
    return found


def outcome(read: Read, w: np.ndarray, margin: float, limit: int, k: int) -> tuple[int, ...]:
    """(gold first, gold in top 3, first quote hit, any shown hit, shown count) for one
    question when the reader reads the first `k` passages."""
    keep = read.passage <= k
    if not keep.any():
        return 0, 0, 0, 0, 0
    f, gold, hit = read.features[keep], read.gold[keep], read.quote_hit[keep]
    chunks = [c for c, kept in zip(read.chunk, keep, strict=True) if kept]
    scores = f @ w
    order = np.argsort(-scores, kind="stable")
    shown = [order[0]]
    for j in order[1:]:
        if len(shown) >= limit or scores[j] < scores[order[0]] - margin:
            break
        if all(chunks[j] != chunks[s] for s in shown):
            shown.append(j)
    return (int(gold[order[0]]), int(gold[order[:3]].any()), int(hit[order[0]]),
            int(hit[shown].any()), len(shown))


def totals(reads: list[Read], w: np.ndarray, margin: float, limit: int, k: int) -> np.ndarray:
    return np.sum([outcome(r, w, margin, limit, k) for r in reads], axis=0)


def first_choices(read: Read, k: int) -> np.ndarray:
    """(3, len(COMBOS)): gold sentence first, gold among the first three, first quote holds
    the gold — for every weight combination of the grid at once."""
    keep = read.passage <= k
    if not keep.any():
        return np.zeros((3, len(COMBOS)))
    order = np.argsort(-(read.features[keep] @ COMBOS.T), axis=0, kind="stable")
    gold, hit = read.gold[keep], read.quote_hit[keep]
    return np.vstack([gold[order[0]], gold[order[:3]].any(axis=0), hit[order[0]]]).astype(float)


def fit(reads: list[Read], limit: int, k: int) -> tuple[np.ndarray, float]:
    """The grid weights and then the margin that score best on `reads`."""
    top1, top3, first = sum(first_choices(r, k) for r in reads)
    best = COMBOS[int(np.argmax(first + top1 + 0.5 * top3))]

    def margin_value(m: float) -> float:
        _, _, _, any_hit, shown = totals(reads, best, m, limit, k)
        return any_hit - EXTRA_COST * (shown - len(reads))

    return best, max(MARGINS, key=margin_value)


def cross_validate(reads: list[Read], folds: int, seed: int, limit: int, k: int
                   ) -> tuple[np.ndarray, list[dict]]:
    order = list(range(len(reads)))
    random.Random(seed).shuffle(order)
    parts = [order[i::folds] for i in range(folds)]
    held = np.zeros(5)
    per_fold = []
    for i, part in enumerate(parts):
        train = [reads[j] for p in parts[:i] + parts[i + 1:] for j in p]
        w, margin = fit(train, limit, k)
        result = totals([reads[j] for j in part], w, margin, limit, k)
        held += result
        per_fold.append({"fold": i, "weights": w[1:].round(3).tolist(), "margin": margin,
                         "held_out": result.tolist(), "n": len(part)})
    return held, per_fold


def rates(counts: np.ndarray, n: int) -> dict[str, float]:
    top1, top3, first, any_hit, shown = counts
    return {"gold_sentence_first": round(top1 / n, 3), "gold_sentence_top3": round(top3 / n, 3),
            "first_fundstelle_quotes_gold": round(first / n, 3),
            "a_fundstelle_quotes_gold": round(any_hit / n, 3),
            "fundstellen_shown_mean": round(shown / n, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--questions", type=Path, default=SHARED / "qa" / "dev.jsonl")
    parser.add_argument("--sources", type=int, default=20)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    limit = Settings().reader.alternatives
    reads = read_all(args.data_dir, args.questions, args.sources)
    n = len(reads)
    result: dict = {"answerable": n}
    for k in (5, 10, 15, 20):
        if k > args.sources:
            break
        result[f"gold_in_first_{k}"] = sum(1 for r in reads if any(p <= k for p in r.passage_hit))
        held, per_fold = cross_validate(reads, args.folds, args.seed, limit, k)
        result[f"held_out_k{k}"] = rates(held, n)
        if k == 10:
            result["folds_k10"] = per_fold
    for name, w in (("cosine_only", np.array([1.0, 0, 0, 0, 0])),
                    ("probe_cosine_plus_0.1_coverage", np.array([1.0, 0.1, 0, 0, 0]))):
        result[f"{name}_k10_unfitted"] = rates(totals(reads, w, 0.0, 1, 10), n)
    w, margin = fit(reads, limit, 10)
    result["fitted_on_all_k10"] = {**dict(zip(GRID, w[1:].round(3).tolist(), strict=True)),
                                   "alternative_margin": margin}
    result["all_questions_with_those_k10"] = rates(totals(reads, w, margin, limit, 10), n)
    emit(result, args.json)


if __name__ == "__main__":
    main()
