"""Chroma adapter: embedded PersistentClient by default, a `chroma run` server via HttpClient.

chromadb types stay in this module. All collections of the product share one Chroma collection;
the product's collection name is a metadata field, so one query can span several collections and
access filters run inside the store.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vectorstore import offline  # noqa: F401

log = logging.getLogger(__name__)

Metadata = dict[str, str | int | float | bool]


@dataclass(frozen=True)
class StoredHit:
    """One chunk returned by a vector query."""

    id: str
    text: str
    metadata: dict[str, Any]
    score: float  # cosine similarity, higher is better


class ChromaStore:
    """Write, delete and query chunks in one Chroma collection."""

    def __init__(
        self,
        *,
        collection_name: str,
        embedding_model: str,
        persist_dir: Path | None = None,
        host: str | None = None,
        port: int = 8000,
        ssl: bool = False,
        check_model: bool = True,
    ) -> None:
        """`check_model=False` opens an index of another model only so that `reset` can
        replace it (`rathaus reindex`); every other caller must refuse to mix vectors."""
        import chromadb
        from chromadb.config import Settings as ChromaClientSettings

        from assistant.errors import StoreError

        client_settings = ChromaClientSettings(anonymized_telemetry=False, allow_reset=False)
        try:
            if host:
                self.client = chromadb.HttpClient(
                    host=host, port=port, ssl=ssl, settings=client_settings
                )
                self.client.heartbeat()
                self.location = f"{'https' if ssl else 'http'}://{host}:{port}"
            else:
                if persist_dir is None:
                    raise ValueError("persist_dir is required for the embedded store")
                persist_dir.mkdir(parents=True, exist_ok=True)
                self.client = chromadb.PersistentClient(
                    path=str(persist_dir), settings=client_settings
                )
                self.location = str(persist_dir)
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(
                "Die Vektordatenbank (Chroma) ist nicht erreichbar",
                f"cannot open Chroma at {host or persist_dir}:{port if host else ''}: {exc}",
            ) from exc
        self.collection_name = collection_name
        self.embedding_model = embedding_model
        self.collection = self._open()
        stored_model = (self.collection.metadata or {}).get("embedding_model")
        if check_model and stored_model and stored_model != embedding_model:
            raise StoreError(
                f"Der Index wurde mit einem anderen Embedding-Modell erstellt ({stored_model}) "
                f"als konfiguriert ({embedding_model}). Neu indexieren mit: rathaus reindex",
                f"index built with embedding model {stored_model!r}, configured "
                f"{embedding_model!r}; run `rathaus reindex`",
            )

    def _open(self):
        return self.client.get_or_create_collection(
            name=self.collection_name,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"embedding_model": self.embedding_model},
            embedding_function=None,
        )

    def reset(self) -> None:
        """Drop every vector and start an empty collection for the configured model."""
        self.client.delete_collection(self.collection_name)
        self.collection = self._open()

    def count(self) -> int:
        return self.collection.count()

    def _batches(self, size: int) -> int:
        try:
            return min(size, self.client.get_max_batch_size())
        except Exception:
            return size

    def upsert(
        self,
        ids: Sequence[str],
        embeddings: Sequence[Sequence[float]],
        texts: Sequence[str],
        metadatas: Sequence[Metadata],
    ) -> None:
        step = self._batches(5000)
        for start in range(0, len(ids), step):
            end = start + step
            self.collection.upsert(
                ids=list(ids[start:end]),
                embeddings=[list(map(float, e)) for e in embeddings[start:end]],
                documents=list(texts[start:end]),
                metadatas=[dict(m) for m in metadatas[start:end]],
            )

    def delete(self, ids: Sequence[str]) -> None:
        step = self._batches(5000)
        for start in range(0, len(ids), step):
            self.collection.delete(ids=list(ids[start:start + step]))

    def update_metadata(self, ids: Sequence[str], metadatas: Sequence[Metadata]) -> None:
        """Change citations (e.g. promote a duplicate path) without re-embedding."""
        self.collection.update(ids=list(ids), metadatas=[dict(m) for m in metadatas])

    def get(self, ids: Sequence[str], *, with_embeddings: bool = False) -> list[dict[str, Any]]:
        include = ["documents", "metadatas"] + (["embeddings"] if with_embeddings else [])
        got = self.collection.get(ids=list(ids), include=include)
        rows = []
        for i, chunk_id in enumerate(got["ids"]):
            row = {"id": chunk_id, "text": got["documents"][i], "metadata": got["metadatas"][i]}
            if with_embeddings:
                row["embedding"] = list(got["embeddings"][i])
            rows.append(row)
        order = {chunk_id: i for i, chunk_id in enumerate(ids)}
        return sorted(rows, key=lambda r: order.get(r["id"], 0))

    def iter_all(self, page_size: int = 2000) -> Iterator[dict[str, Any]]:
        """Every chunk (id, text, metadata), page by page: used to rebuild derived indexes."""
        offset = 0
        while True:
            got = self.collection.get(
                include=["documents", "metadatas"], limit=page_size, offset=offset
            )
            if not got["ids"]:
                return
            for i, chunk_id in enumerate(got["ids"]):
                yield {"id": chunk_id, "text": got["documents"][i], "metadata": got["metadatas"][i]}
            offset += len(got["ids"])

    def query(
        self, embedding: Sequence[float], k: int, where: dict[str, Any] | None = None
    ) -> list[StoredHit]:
        if k <= 0:
            return []
        result = self.collection.query(
            query_embeddings=[list(embedding)],
            n_results=k,
            where=where or None,
            include=["documents", "metadatas", "distances"],
        )
        hits = []
        for chunk_id, text, meta, dist in zip(
            result["ids"][0], result["documents"][0], result["metadatas"][0],
            result["distances"][0], strict=True,
        ):
            hits.append(StoredHit(chunk_id, text or "", dict(meta or {}), 1.0 - float(dist)))
        return hits
