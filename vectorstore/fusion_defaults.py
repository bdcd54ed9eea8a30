"""Fusion weights fitted per embedder: each embedder's cosines rank differently, so the weight
of its list against BM25 (and of a case's interrogative clause) is fitted for it by 5-fold
cross-validation on the dev set (bench/retrieval_fit.py; figures in docs/benchmarks.md)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FittedFusion:
    dense_weight: float
    question_weight: float


# multilingual-e5-small (and any embedder not fitted): dense 2, no clause lists — the clause
# lists gained nothing held out with e5 (docs/benchmarks.md, session 11).
UNFITTED = FittedFusion(dense_weight=2.0, question_weight=0.0)
FITTED = {
    # EmbeddingGemma-300m at 768 dimensions: all five folds chose dense 3, clause 0.25.
    "embeddinggemma-300m": FittedFusion(dense_weight=3.0, question_weight=0.25),
}


def fusion_for(embedder_name: str, dense_weight: float | None = None,
               question_weight: float | None = None) -> FittedFusion:
    """The weights fitted for the embedder called `embedder_name`, where the settings leave
    them unset (an explicit setting always wins)."""
    fitted = FITTED.get(embedder_name, UNFITTED)
    return FittedFusion(
        fitted.dense_weight if dense_weight is None else dense_weight,
        fitted.question_weight if question_weight is None else question_weight)
