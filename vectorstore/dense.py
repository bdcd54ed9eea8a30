"""Dense retrieval: embed the query, ask Chroma with the filters applied inside the store."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vectorstore.chroma_store import ChromaStore
from vectorstore.embedder import Embedder
from vectorstore.results import SearchResult


def build_where(
    collections: Sequence[str] | None = None, exclude_paths: Sequence[str] = ()
) -> dict[str, Any] | None:
    """Chroma `where` clause: collection filter plus documents hidden while half-written."""
    clauses: list[dict[str, Any]] = []
    if collections is not None:
        names = list(collections)
        clauses.append({"collection": names[0]} if len(names) == 1 else {"collection": {"$in": names}})
    if exclude_paths:
        clauses.append({"path": {"$nin": list(exclude_paths)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class DenseRetriever:
    """Nearest neighbours of the query embedding."""

    def __init__(self, store: ChromaStore, embedder: Embedder) -> None:
        self.store = store
        self.embedder = embedder

    def retrieve(self, query: str, k: int, where: dict[str, Any] | None = None) -> list[SearchResult]:
        vector = self.embedder.embed_query(query)
        hits = self.store.query(vector, k, where)
        return [SearchResult.from_store(h.id, h.text, h.metadata, h.score) for h in hits]
