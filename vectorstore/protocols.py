"""What the rest of the product may rely on from a vector store and from a retriever.

`ChromaStore` (embedded or `chroma run`) implements `VectorStore`; `HybridRetriever` implements
`Retriever`. Another store (pgvector, Qdrant) would implement the same methods, and the shared
contract tests in `tests/integration/test_store_contract.py` say what "the same" means.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from vectorstore.filters import RetrievalFilter
from vectorstore.results import SearchResult


@dataclass(frozen=True)
class StoredHit:
    """One chunk returned by a vector query."""

    id: str
    text: str
    metadata: dict[str, Any]
    score: float  # cosine similarity, higher is better


@runtime_checkable
class VectorStore(Protocol):
    """Chunks with their vectors, text and citation metadata; filters run inside the store."""

    def count(self) -> int: ...

    def upsert(self, ids: Sequence[str], embeddings: Sequence[Sequence[float]],
               texts: Sequence[str], metadatas: Sequence[dict[str, Any]]) -> None: ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def update_metadata(self, ids: Sequence[str], metadatas: Sequence[dict[str, Any]]) -> None: ...

    def get(self, ids: Sequence[str], *, with_embeddings: bool = False
            ) -> list[dict[str, Any]]: ...

    def iter_all(self, page_size: int = 2000, *, with_embeddings: bool = False
                 ) -> Iterator[dict[str, Any]]: ...

    def query(self, embedding: Sequence[float], k: int, where: dict[str, Any] | None = None
              ) -> list[StoredHit]: ...

    def query_many(self, embeddings: Sequence[Sequence[float]], k: int,
                   where: dict[str, Any] | None = None) -> list[list[StoredHit]]:
        """`query` for each vector, in one request."""
        ...

    def reset(self) -> None: ...


@runtime_checkable
class Retriever(Protocol):
    """Passages for a query, best first, only those the filter allows."""

    def retrieve(self, query: str, k: int, flt: RetrievalFilter = RetrievalFilter(),
                 dense_query: str | None = None, focus_query: str | None = None
                 ) -> list[SearchResult]: ...
