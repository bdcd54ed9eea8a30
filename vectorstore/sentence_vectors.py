"""Vectors of single sentences, kept beside the index, so the reader never waits for them.

The sentence reader compares the question with every sentence of the passages retrieval found:
about 80 sentences for ten passages. Embedding them at question time costs seconds on two CPU
cores; read from here it costs a few milliseconds. Ingest fills the store for every chunk it
indexes (`SentenceIndexer`, an IndexListener like the keyword index); a sentence the store does
not hold yet (an index built before this store existed) is embedded when first read and kept.

Rows are keyed by a hash of the embedding model's identity and the exact text embedded, and
remember the chunk they came from, so deleting a document deletes its sentences. The store is
derived data (like the OCR cache): a backup leaves it out and it is rebuilt on demand.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from legal.text import readable_units
from vectorstore.lexical.chunk_mirror import StoredChunk

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sentence_vectors (
    key TEXT NOT NULL, chunk_id TEXT NOT NULL, vector BLOB NOT NULL,
    PRIMARY KEY (key, chunk_id)
);
CREATE INDEX IF NOT EXISTS sentence_vectors_chunk ON sentence_vectors (chunk_id);
"""


class PassageEmbedder(Protocol):
    identity: str

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...


def embedded_text(heading: str | None, sentence: str) -> str:
    """What is embedded for a sentence: its § heading (or title) and the sentence. A sentence
    such as "Die Steuer beträgt … 165,00 €" says what it is about only through its heading."""
    return f"{heading}: {sentence}" if heading else sentence


def chunk_sentence_texts(text: str, meta: Mapping[str, Any]) -> list[str]:
    """What is embedded for each readable unit of a chunk, in order (ingest, back-fill and the
    small-unit ranker must agree on it, or the stored vectors would not be found)."""
    heading = str(meta.get("section") or meta.get("title") or "") or None
    return [embedded_text(heading, unit.sentence) for unit in readable_units(text)]


class SentenceVectorStore:
    """Sentence vectors by (model, text) hash, per chunk, in SQLite under the data directory."""

    def __init__(self, path: Path, embedder: PassageEmbedder) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.embedder = embedder
        self._conn = sqlite3.connect(path, timeout=30, isolation_level=None,
                                     check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(_SCHEMA)
        self._lock = threading.Lock()
        self.embedded = 0  # sentences this process had to embed (none were stored)

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.embedder.identity}\n{text}".encode()).hexdigest()[:32]

    def vectors(self, chunk_ids: Sequence[str], texts: Sequence[str]) -> np.ndarray:
        """One vector per text (row i belongs to chunk_ids[i]); the missing ones are embedded
        in one batch and kept."""
        keys = [self._key(t) for t in texts]
        found, fresh = self._complete(keys, texts)
        owners = {k: c for k, c in zip(keys, chunk_ids, strict=True) if k in fresh}
        self._store([(k, owners[k], found[k]) for k in fresh])
        return np.vstack([found[k] for k in keys])

    def index(self, chunk_ids: Sequence[str], texts: Sequence[str]) -> None:
        """`vectors` at ingest: every (sentence, chunk) pair is recorded once, so a vector
        stored for another chunk (a re-index that cut the text differently) is kept for this
        one."""
        keys = [self._key(t) for t in texts]
        found, _ = self._complete(keys, texts)
        self._store(list(zip(keys, chunk_ids, (found[k] for k in keys), strict=True)),
                    replace=False)

    def _complete(self, keys: Sequence[str], texts: Sequence[str]
                  ) -> tuple[dict[str, np.ndarray], list[str]]:
        """The stored vector of every key, the missing ones embedded in one batch; and the
        keys embedded now (not yet stored)."""
        found = self._lookup(sorted(set(keys)))
        missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in found}
        if missing:
            embedded = self.embedder.embed_documents(list(missing.values()))
            self.embedded += len(missing)
            found.update(zip(missing, (np.asarray(v, dtype=np.float32) for v in embedded),
                             strict=True))
        return found, list(missing)

    def retain(self, chunk_ids: set[str]) -> int:
        """Forget the vectors of chunks that are no longer indexed; returns how many chunks."""
        stale = sorted(self.chunk_ids() - chunk_ids)
        self.delete_chunks(stale)
        return len(stale)

    def _lookup(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                part = keys[start:start + 500]
                marks = ",".join("?" * len(part))
                for key, blob in self._conn.execute(
                        f"SELECT key, vector FROM sentence_vectors WHERE key IN ({marks})", part):
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def _store(self, rows: Sequence[tuple[str, str, np.ndarray]], *, replace: bool = True
               ) -> None:
        verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
        with self._lock:
            self._conn.executemany(
                f"{verb} INTO sentence_vectors VALUES (?,?,?)",
                [(k, c, np.asarray(v, dtype=np.float32).tobytes()) for k, c, v in rows])

    def delete_chunks(self, chunk_ids: Sequence[str]) -> None:
        with self._lock:
            self._conn.executemany("DELETE FROM sentence_vectors WHERE chunk_id=?",
                                   [(i,) for i in chunk_ids])

    def chunk_ids(self) -> set[str]:
        """The chunks whose sentences are stored (under their own id)."""
        with self._lock:
            return {r[0] for r in self._conn.execute(
                "SELECT DISTINCT chunk_id FROM sentence_vectors")}

    def count(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM sentence_vectors").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class SentenceIndexer:
    """IndexListener: embeds the sentences of every chunk as it is indexed (unless `embed` is
    off: then they are embedded when first read), and forgets them with the chunk."""

    def __init__(self, store: SentenceVectorStore, *, embed: bool = True) -> None:
        self.store = store
        self.embed = embed

    def on_upsert(self, ids: Sequence[str], texts: Sequence[str],
                  metadatas: Sequence[Mapping[str, Any]]) -> None:
        if not self.embed:
            return
        owners: list[str] = []
        embedded: list[str] = []
        for chunk_id, text, meta in zip(ids, texts, metadatas, strict=True):
            units = chunk_sentence_texts(text, meta)
            owners.extend([chunk_id] * len(units))
            embedded.extend(units)
        if embedded:
            self.store.index(owners, embedded)

    def on_delete(self, ids: Sequence[str]) -> None:
        self.store.delete_chunks(ids)

    def retain(self, chunk_ids: set[str]) -> int:
        """After a full re-index: the reader's vectors do not depend on the retrieval
        embedder, so they were kept through it (and taken over by the new chunks); those of
        sentences no chunk holds any more are dropped."""
        return self.store.retain(chunk_ids)

    def flush(self) -> None:
        """Every write is committed as it happens; nothing to persist."""

    def _upsert_rows(self, rows: Sequence[StoredChunk]) -> None:
        self.on_upsert([r.id for r in rows], [r.text for r in rows], [r.metadata for r in rows])

    def backfill(self, rows: Iterable[StoredChunk], batch: int = 64) -> int:
        """Embed the sentences of chunks indexed before this store existed (an upgraded
        installation, a restored backup); what is stored already is skipped. Returns the
        number of sentences embedded (none when sentences are embedded at first reading)."""
        if not self.embed:
            return 0
        before = self.store.embedded
        known = self.store.chunk_ids()  # a restart over a filled store reads nothing again
        chunk: list[StoredChunk] = []
        for row in rows:
            if row.id in known:
                continue
            chunk.append(row)
            if len(chunk) == batch:
                self._upsert_rows(chunk)
                chunk = []
        if chunk:
            self._upsert_rows(chunk)
        return self.store.embedded - before
