"""The chunks as SQLite rows beside the vector store: text, citation metadata, the analysed
words of each field, and the generation of the keyword index built from them.

Everything that needs a chunk's text or metadata without a vector query reads it here: the
keyword index when it rebuilds, retrieval when it materialises a BM25 hit, the § look-up (the
catalogue of laws and their sections), example questions (section headings), re-indexing.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from legal.dates import OPEN_END, OPEN_START
from vectorstore.filters import RetrievalFilter

_SCHEMA = """
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, collection TEXT, doc TEXT, doc_type TEXT, path TEXT,
    valid_from INTEGER, valid_to INTEGER, text TEXT NOT NULL, meta TEXT NOT NULL,
    body_words TEXT NOT NULL, head_words TEXT NOT NULL, doc_words TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT);
"""
FILTER_COLUMNS = ("collection", "doc", "doc_type", "path", "valid_from", "valid_to")
"""The columns a retrieval filter reads, in the order `filter_columns` returns them."""
_UNKNOWN = ("", "", "", "", OPEN_START, OPEN_END)


@dataclass(frozen=True)
class StoredChunk:
    id: str
    text: str
    metadata: dict[str, Any]


@dataclass(frozen=True)
class FieldWords:
    """A chunk's analysed words per BM25 field (space separated)."""

    id: str
    body: str
    heading: str
    document: str


@dataclass(frozen=True)
class CatalogEntry:
    """One indexed document, as a § look-up needs it to resolve a law's name."""

    doc: str
    title: str
    abbreviation: str  # official abbreviation (`jurabk` of federal law), "" when unknown
    collection: str
    doc_type: str


@dataclass(frozen=True)
class SectionChunk:
    id: str
    doc: str
    section: str | None
    position: int
    text: str


class ChunkMirror:
    """SQLite rows of every indexed chunk; safe for concurrent readers and one writer."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(path, timeout=30, isolation_level=None,
                                     check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(_SCHEMA)
        self._lock = threading.Lock()
        self._sections: dict[tuple, list[tuple[str, str, str]]] = {}

    # ---------------------------------------------------------------- writes
    def put(self, ids: Sequence[str], texts: Sequence[str],
            metadatas: Sequence[Mapping[str, Any]], words: Sequence[tuple[str, str, str]]
            ) -> None:
        """Insert or replace chunks with their (body, heading, document) analysed words."""
        rows = [(chunk_id, meta.get("collection"), meta.get("doc"), meta.get("doc_type"),
                 meta.get("path"), int(meta.get("valid_from_num", OPEN_START)),
                 int(meta.get("valid_to_num", OPEN_END)), text,
                 json.dumps(dict(meta), ensure_ascii=False), *field_words)
                for chunk_id, text, meta, field_words
                in zip(ids, texts, metadatas, words, strict=True)]
        with self._lock:
            self._conn.executemany(
                "INSERT OR REPLACE INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)

    def delete(self, ids: Sequence[str]) -> None:
        with self._lock:
            self._conn.executemany("DELETE FROM chunks WHERE id=?", [(i,) for i in ids])

    def clear(self) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM chunks")

    def next_generation(self) -> int:
        """Count one rebuild of the index built from these rows."""
        with self._lock:
            generation = self._generation() + 1
            self._conn.execute("INSERT OR REPLACE INTO state VALUES ('generation', ?)",
                               (str(generation),))
        return generation

    # ---------------------------------------------------------------- reads
    def _generation(self) -> int:
        row = self._conn.execute("SELECT value FROM state WHERE key='generation'").fetchone()
        return int(row[0]) if row else 0

    def generation(self) -> int:
        """Changes whenever the keyword index is rebuilt (caches derived from it compare it)."""
        with self._lock:
            return self._generation()

    def field_words(self) -> list[FieldWords]:
        """Every chunk's analysed words, in index order."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, body_words, head_words, doc_words FROM chunks ORDER BY rowid"
            ).fetchall()
        return [FieldWords(*row) for row in rows]

    def filter_columns(self, ids: Sequence[str]) -> list[tuple]:
        """(collection, doc, doc_type, path, valid_from, valid_to) per id, in the order given;
        unknown ids get values no filter excludes by date."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, collection, doc, doc_type, path, valid_from, valid_to FROM chunks"
            ).fetchall()
        by_id = {r[0]: r[1:] for r in rows}
        return [by_id.get(i, _UNKNOWN) for i in ids]

    def chunks(self, ids: Sequence[str]) -> dict[str, StoredChunk]:
        """Text and metadata of chunks, for building results without asking the vector store."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        with self._lock:
            rows = self._conn.execute(
                f"SELECT id, text, meta FROM chunks WHERE id IN ({marks})", list(ids)).fetchall()
        return {r[0]: StoredChunk(r[0], r[1], json.loads(r[2])) for r in rows}

    def rows(self, limit: int | None = None) -> list[StoredChunk]:
        """Every chunk in index order (re-indexing, benchmarks that re-embed them)."""
        with self._lock:
            rows = self._conn.execute("SELECT id, text, meta FROM chunks ORDER BY rowid LIMIT ?",
                                      (-1 if limit is None else limit,)).fetchall()
        return [StoredChunk(chunk_id, text, json.loads(meta)) for chunk_id, text, meta in rows]

    def ids(self) -> set[str]:
        with self._lock:
            return {r[0] for r in self._conn.execute("SELECT id FROM chunks")}

    def document_words(self) -> list[tuple[str, str, str]]:
        """(doc, doc_type, analysed words of its name) per document."""
        with self._lock:
            return self._conn.execute(
                "SELECT doc, doc_type, doc_words FROM chunks GROUP BY doc").fetchall()

    def catalog(self, flt: RetrievalFilter = RetrievalFilter()) -> list[CatalogEntry]:
        """Every indexed document the filter's collections, documents and types allow."""
        where, params = _document_clause(flt)
        with self._lock:
            rows = self._conn.execute(
                "SELECT DISTINCT doc, json_extract(meta,'$.title'), json_extract(meta,'$.jurabk'),"
                f" collection, doc_type FROM chunks{where}", params).fetchall()
        return [CatalogEntry(doc, title or "", abbr or "", collection or "", doc_type or "")
                for doc, title, abbr, collection, doc_type in rows]

    def section_chunks(self, docs: Sequence[str]) -> list[SectionChunk]:
        """Every chunk of these documents with its section heading and position."""
        if not docs:
            return []
        marks = ",".join("?" * len(docs))
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, doc, json_extract(meta,'$.section'), json_extract(meta,'$.position'),"
                f" text FROM chunks WHERE doc IN ({marks})", list(docs)).fetchall()
        return [SectionChunk(chunk_id, doc, section, position or 0, text)
                for chunk_id, doc, section, position, text in rows]

    def sections(self, collections: Sequence[str]) -> list[tuple[str, str, str]]:
        """Distinct (doc, title, section heading) in these collections, in document order."""
        if not collections:
            return []
        generation = self.generation()
        key = (generation, tuple(sorted(collections)))
        if key in self._sections:  # the chat page asks on every load; the index rarely changes
            return self._sections[key]
        marks = ",".join("?" * len(collections))
        with self._lock:
            rows = self._conn.execute(
                "SELECT doc, json_extract(meta, '$.title'), json_extract(meta, '$.section') "
                f"FROM chunks WHERE collection IN ({marks}) "
                "AND json_extract(meta, '$.section') IS NOT NULL "
                "ORDER BY doc, json_extract(meta, '$.position')", list(collections)).fetchall()
        found = list(dict.fromkeys((r[0], r[1] or r[0], r[2]) for r in rows))
        if any(k[0] != generation for k in self._sections):
            self._sections.clear()
        self._sections[key] = found
        return found

    def count(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT count(*) FROM chunks").fetchone()[0]

    def close(self) -> None:
        self._conn.close()


def _document_clause(flt: RetrievalFilter) -> tuple[str, list[str]]:
    """The filter's document-level conditions as SQL (what a catalogue row can be judged by)."""
    clauses: list[str] = []
    params: list[str] = []
    for column, values, negate in (("collection", flt.collections, False),
                                   ("doc", flt.docs, False), ("doc_type", flt.doc_types, False),
                                   ("doc", flt.exclude_docs or None, True)):
        if values is None:
            continue
        if not values:
            clauses.append("0" if not negate else "1")
            continue
        clauses.append(f"{column} {'NOT IN' if negate else 'IN'} ({','.join('?' * len(values))})")
        params.extend(values)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params
