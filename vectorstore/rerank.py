"""Optional reranking with a local sentence-transformers CrossEncoder (off by default: no
multilingual cross-encoder is bundled, and an English one does not help German questions)."""

from __future__ import annotations

from core import offline  # noqa: F401
from vectorstore.results import SearchResult


class CrossEncoderReranker:
    """Re-orders candidates by a cross-encoder's relevance score."""

    def __init__(self, model_path: str, device: str = "cpu") -> None:
        from sentence_transformers import CrossEncoder

        self.model = CrossEncoder(model_path, device=device)

    def rerank(self, query: str, results: list[SearchResult]) -> list[SearchResult]:
        if not results:
            return results
        scores = self.model.predict([(query, r.text) for r in results], show_progress_bar=False)
        order = sorted(range(len(results)), key=lambda i: float(scores[i]), reverse=True)
        reranked = [results[i] for i in order]
        for i, result in zip(order, reranked):
            result.metadata = {**result.metadata, "rerank_score": float(scores[i])}
        return reranked
