"""Chroma adapter: embedded PersistentClient by default, a `chroma run` server via HttpClient.

chromadb types stay in this module. All collections of the product share one Chroma collection;
the product's collection name is a metadata field, so one query can span several collections and
access filters run inside the store.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from core import offline  # noqa: F401
from core.errors import StoreError
from vectorstore.protocols import StoredHit

log = logging.getLogger(__name__)

Metadata = dict[str, str | int | float | bool]



def _translated(action_de: str):
    """Chroma's own errors (a server gone, a full disk, a failed compaction) become a
    StoreError with a German message, so the CLI and the web app say what happened instead of
    showing a traceback."""

    def wrap(method):
        @functools.wraps(method)
        def translated(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except StoreError:
                raise
            except Exception as exc:
                raise StoreError(
                    f"Der Vektorspeicher {action_de} – Chroma-Server nicht erreichbar oder "
                    "Speicherplatz voll? Bitte die IT verständigen.",
                    f"chroma at {self.location}: {type(exc).__name__}: {exc}") from exc
        return translated

    return wrap


class ChromaStore:
    """Write, delete and query chunks in one Chroma collection (a `VectorStore`)."""

    def __init__(
        self,
        *,
        collection_name: str,
        embedding_model: str,
        persist_dir: Path | None = None,
        host: str | None = None,
        port: int = 8000,
        ssl: bool = False,
    ) -> None:
        """Nothing is opened here: the client connects on first use, so commands that never
        touch vectors (`rathaus status`) work while the Chroma server is down.

        An index built with another embedding model opens, but only `reset` may touch it
        (`rathaus reindex`): every other use raises, so vectors of two models never mix."""
        if not host and persist_dir is None:
            raise ValueError("persist_dir is required for the embedded store")
        self.collection_name = collection_name
        self.embedding_model = embedding_model
        self.persist_dir, self.host, self.port, self.ssl = persist_dir, host, port, ssl
        self.location = (f"{'https' if ssl else 'http'}://{host}:{port}" if host
                         else str(persist_dir))
        self._lock = threading.Lock()
        self._client: Any = None
        self._collection: Any = None
        self._foreign_model: str | None = None

    def _connect(self) -> Any:
        """Open the client and the collection once (thread-safe); returns the collection."""
        with self._lock:
            if self._collection is not None:
                return self._collection
            import chromadb
            from chromadb.config import Settings as ChromaClientSettings

            client_settings = ChromaClientSettings(anonymized_telemetry=False, allow_reset=False)
            try:
                if self.host:
                    client = chromadb.HttpClient(host=self.host, port=self.port, ssl=self.ssl,
                                                 settings=client_settings)
                    client.heartbeat()
                else:
                    assert self.persist_dir is not None
                    self.persist_dir.mkdir(parents=True, exist_ok=True)
                    client = chromadb.PersistentClient(path=str(self.persist_dir),
                                                       settings=client_settings)
                self._client = client
                collection = self._open()
            except Exception as exc:
                raise StoreError(
                    "Die Vektordatenbank (Chroma) ist nicht erreichbar",
                    f"cannot open Chroma at {self.location}: {exc}",
                ) from exc
            stored = (collection.metadata or {}).get("embedding_model")
            self._foreign_model = stored if stored not in (None, self.embedding_model) else None
            self._collection = collection
            return collection

    @property
    def collection(self):
        """The Chroma collection, refused while it holds another model's vectors."""
        collection = self._connect()
        if self._foreign_model:
            raise StoreError(
                f"Der Index wurde mit einem anderen Embedding-Modell erstellt "
                f"({self._foreign_model}) als konfiguriert ({self.embedding_model}). "
                "Neu indexieren mit: rathaus reindex",
                f"index built with embedding model {self._foreign_model!r}, configured "
                f"{self.embedding_model!r}; run `rathaus reindex`",
            )
        return collection

    def _open(self) -> Any:
        return self._client.get_or_create_collection(
            name=self.collection_name,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"embedding_model": self.embedding_model},
            embedding_function=None,
        )

    def reset(self) -> None:
        """Drop every vector and start an empty collection for the configured model."""
        self._connect()
        with self._lock:
            self._client.delete_collection(self.collection_name)
            self._collection = self._open()
            self._foreign_model = None

    @_translated("ist nicht erreichbar")
    def count(self) -> int:
        return self.collection.count()

    def _batches(self, size: int) -> int:
        self._connect()
        try:
            return min(size, self._client.get_max_batch_size())
        except Exception:
            return size

    @_translated("konnte nicht schreiben")
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

    @_translated("konnte nicht schreiben")
    def delete(self, ids: Sequence[str]) -> None:
        step = self._batches(5000)
        for start in range(0, len(ids), step):
            self.collection.delete(ids=list(ids[start:start + step]))

    @_translated("konnte nicht schreiben")
    def update_metadata(self, ids: Sequence[str], metadatas: Sequence[Metadata]) -> None:
        """Change citations (e.g. promote a duplicate path) without re-embedding."""
        self.collection.update(ids=list(ids), metadatas=[dict(m) for m in metadatas])

    @_translated("ist nicht erreichbar")
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

    def iter_all(self, page_size: int = 2000, *, with_embeddings: bool = False
                 ) -> Iterator[dict[str, Any]]:
        """Every chunk (id, text, metadata[, embedding]), page by page: used to rebuild derived
        indexes and to back up the vectors."""
        include = ["documents", "metadatas"] + (["embeddings"] if with_embeddings else [])
        offset = 0
        while True:
            got = self.collection.get(include=include, limit=page_size, offset=offset)
            if not got["ids"]:
                return
            for i, chunk_id in enumerate(got["ids"]):
                row = {"id": chunk_id, "text": got["documents"][i],
                       "metadata": got["metadatas"][i]}
                if with_embeddings:
                    row["embedding"] = [float(x) for x in got["embeddings"][i]]
                yield row
            offset += len(got["ids"])

    def query(
        self, embedding: Sequence[float], k: int, where: dict[str, Any] | None = None
    ) -> list[StoredHit]:
        return self.query_many([embedding], k, where)[0]

    @_translated("ist nicht erreichbar")
    def query_many(
        self, embeddings: Sequence[Sequence[float]], k: int, where: dict[str, Any] | None = None
    ) -> list[list[StoredHit]]:
        """Nearest chunks for several vectors in one request (the filter is applied once)."""
        if k <= 0 or not embeddings:
            return [[] for _ in embeddings]
        result = self.collection.query(
            query_embeddings=[list(e) for e in embeddings],
            n_results=k,
            where=where or None,
            include=["documents", "metadatas", "distances"],
        )
        return [
            [StoredHit(chunk_id, text or "", dict(meta or {}), 1.0 - float(dist))
             for chunk_id, text, meta, dist in zip(ids, texts, metas, dists, strict=True)]
            for ids, texts, metas, dists in zip(result["ids"], result["documents"],
                                                result["metadatas"], result["distances"],
                                                strict=True)
        ]
