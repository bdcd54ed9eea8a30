"""Dense retrieval: embed the query, ask Chroma with the filters applied inside the store."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from vectorstore.embedders.base import Embedder
from vectorstore.protocols import VectorStore
from vectorstore.results import SearchResult


class DenseRetriever:
    """Nearest neighbours of the query embedding."""

    def __init__(self, store: VectorStore, embedder: Embedder) -> None:
        self.store = store
        self.embedder = embedder

    def retrieve(self, query: str, k: int, where: dict[str, Any] | None = None
                 ) -> list[SearchResult]:
        return self.retrieve_many([query], k, where)[0]

    def retrieve_many(self, queries: Sequence[str], k: int, where: dict[str, Any] | None = None
                      ) -> list[list[SearchResult]]:
        """`retrieve` for several texts, embedded together (one forward pass on CPU)."""
        vectors = self.embedder.embed_queries(list(queries))
        return [[SearchResult.from_store(h.id, h.text, h.metadata, h.score) for h in hits]
                for hits in self.store.query_many(vectors, k, where)]

    def similarities(self, query: str, chunk_ids: list[str]) -> dict[str, float]:
        """Cosine of the query to chunks found by other retrievers (stored vectors, no re-embed)."""
        if not chunk_ids:
            return {}
        vector = np.asarray(self.embedder.embed_query(query))
        rows = self.store.get(chunk_ids, with_embeddings=True)
        return {row["id"]: float(vector @ np.asarray(row["embedding"])) for row in rows}
