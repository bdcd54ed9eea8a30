"""Persistent German keyword index (BM25), kept in step with the vector store.

Chunks (text, citation metadata, folded words) live in SQLite in the data directory; the BM25
matrix is rebuilt once at the end of every ingest or deletion that changed something and saved
next to it. Queries load the saved matrix once and reload only when its generation changes —
never a rebuild per query.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from legal.dates import OPEN_END, OPEN_START
from vectorstore.bm25 import BM25Matrix
from vectorstore.filters import RetrievalFilter
from vectorstore.german import GermanAnalyzer

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, collection TEXT, doc TEXT, doc_type TEXT, path TEXT,
    valid_from INTEGER, valid_to INTEGER, text TEXT NOT NULL, meta TEXT NOT NULL,
    body_words TEXT NOT NULL, head_words TEXT NOT NULL, doc_words TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT);
"""
_CAMEL = re.compile(r"(?<=[a-zäöü])(?=[A-ZÄÖÜ])")


@dataclass(frozen=True)
class FieldWeights:
    """How often each field's terms are counted (simple BM25F by repetition)."""

    body: int = 1
    section: int = 2
    document: int = 1


def _doc_name_words(meta: Mapping[str, Any]) -> str:
    """File name and title words: "gemeinde_BadBoll_Satzung" -> "gemeinde Bad Boll Satzung"."""
    stem = Path(str(meta.get("doc", ""))).stem.replace("_", " ").replace("-", " ")
    parts = [_CAMEL.sub(" ", stem), str(meta.get("title", ""))]
    for key in ("kommune", "fm_kommune"):
        if meta.get(key):
            parts.append(str(meta[key]))
    return " ".join(parts)


class KeywordIndex:
    """Implements the pipeline's IndexListener protocol and answers BM25 queries."""

    def __init__(self, directory: Path, analyzer: GermanAnalyzer | None = None,
                 weights: FieldWeights = FieldWeights()) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.analyzer = analyzer or GermanAnalyzer()
        self.weights = weights
        self._conn = sqlite3.connect(directory / "chunks.sqlite3", timeout=30,
                                     isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(_SCHEMA)
        self._db_lock = threading.Lock()
        self._dirty = False
        self._loaded_generation = -1
        self._matrix: BM25Matrix | None = None
        self._ids: list[str] = []
        self._columns: dict[str, np.ndarray] = {}
        self._sections: dict[tuple, list[tuple[str, str, str]]] = {}

    # ---------------------------------------------------------------- writes (IndexListener)
    def on_upsert(self, ids: Sequence[str], texts: Sequence[str],
                  metadatas: Sequence[Mapping[str, Any]]) -> None:
        rows = []
        for chunk_id, text, meta in zip(ids, texts, metadatas, strict=True):
            rows.append((
                chunk_id, meta.get("collection"), meta.get("doc"), meta.get("doc_type"),
                meta.get("path"), int(meta.get("valid_from_num", OPEN_START)),
                int(meta.get("valid_to_num", OPEN_END)), text,
                json.dumps(dict(meta), ensure_ascii=False),
                " ".join(self.analyzer.words(text)),
                " ".join(self.analyzer.words(str(meta.get("section") or ""))),
                " ".join(self.analyzer.words(_doc_name_words(meta))),
            ))
        with self._db_lock:
            self._conn.executemany(
                "INSERT OR REPLACE INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        self._dirty = True

    def on_delete(self, ids: Sequence[str]) -> None:
        with self._db_lock:
            self._conn.executemany("DELETE FROM chunks WHERE id=?", [(i,) for i in ids])
        self._dirty = True

    def flush(self) -> None:
        """Rebuild and save the BM25 matrix if anything changed since the last flush."""
        if self._dirty or not (self.directory / "bm25.npz").exists():
            self.rebuild()
            self._dirty = False

    def rebuild(self) -> None:
        with self._db_lock:
            rows = self._conn.execute(
                "SELECT id, body_words, head_words, doc_words FROM chunks ORDER BY rowid"
            ).fetchall()
        counts: Counter[str] = Counter()
        for _, body, head, docw in rows:
            counts.update(body.split())
            counts.update(head.split())
            counts.update(docw.split())
        self.analyzer.set_vocabulary({self.analyzer.stem(w) for w in counts})
        term_cache: dict[str, list[str]] = {}

        def terms(words: str, times: int) -> list[str]:
            out: list[str] = []
            for word in words.split():
                cached = term_cache.get(word)
                if cached is None:
                    cached = term_cache[word] = self.analyzer.terms(word)
                out.extend(cached)
            return out * times

        docs = [terms(body, self.weights.body) + terms(head, self.weights.section)
                + terms(docw, self.weights.document) for _, body, head, docw in rows]
        matrix = BM25Matrix.build(docs)
        matrix.save(self.directory / "bm25.npz")
        ids_tmp = self.directory / "ids.json.tmp"
        ids_tmp.write_text(json.dumps([r[0] for r in rows]), encoding="utf-8")
        ids_tmp.replace(self.directory / "ids.json")
        with self._db_lock:
            generation = self._generation() + 1
            self._conn.execute("INSERT OR REPLACE INTO state VALUES ('generation', ?)",
                               (str(generation),))
        log.info("keyword index rebuilt: %d chunks, %d terms", len(rows), len(matrix.vocabulary))

    # ---------------------------------------------------------------- reads
    def _generation(self) -> int:
        row = self._conn.execute("SELECT value FROM state WHERE key='generation'").fetchone()
        return int(row[0]) if row else 0

    def _ensure_loaded(self) -> bool:
        with self._db_lock:
            generation = self._generation()
            if generation == self._loaded_generation:
                return self._matrix is not None
            if not (self.directory / "bm25.npz").exists():
                return False
            self._matrix = BM25Matrix.load(self.directory / "bm25.npz")
            self._ids = json.loads((self.directory / "ids.json").read_text(encoding="utf-8"))
            rows = self._conn.execute(
                "SELECT id, collection, doc, doc_type, path, valid_from, valid_to FROM chunks"
            ).fetchall()
            by_id = {r[0]: r[1:] for r in rows}
            unknown = ("", "", "", "", OPEN_START, OPEN_END)
            cols = list(zip(*(by_id.get(i, unknown) for i in self._ids)))
            names = ["collection", "doc", "doc_type", "path", "valid_from", "valid_to"]
            self._columns = {n: np.asarray(c if c else [], dtype=object if n not in
                             ("valid_from", "valid_to") else np.int64) for n, c in zip(names, cols)}
            # vocabulary of the index guards query-side compound splitting
            self.analyzer.set_vocabulary(self._matrix.vocabulary)
            self._loaded_generation = generation
        return True

    def _mask(self, flt: RetrievalFilter) -> np.ndarray | None:
        mask = None

        def combine(part: np.ndarray) -> None:
            nonlocal mask
            mask = part if mask is None else mask & part

        for name, values in (("collection", flt.collections), ("doc", flt.docs),
                             ("doc_type", flt.doc_types)):
            if values is not None:
                combine(np.isin(self._columns[name], list(values)))
        if flt.exclude_paths:
            combine(~np.isin(self._columns["path"], list(flt.exclude_paths)))
        if flt.exclude_docs:
            combine(~np.isin(self._columns["doc"], list(flt.exclude_docs)))
        if flt.validity_window:
            first, last = flt.validity_window
            combine((self._columns["valid_from"] <= last) & (self._columns["valid_to"] >= first))
        return mask

    def query_terms(self, query: str) -> list[str]:
        self._ensure_loaded()
        return self.analyzer.query_terms(query)

    def search(self, query: str, k: int, flt: RetrievalFilter = RetrievalFilter()
               ) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) best first; only chunks the filter allows."""
        if not self._ensure_loaded() or self._matrix is None or self._matrix.n_docs == 0:
            return []
        scores = self._matrix.scores(self.analyzer.query_terms(query))
        mask = self._mask(flt)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        top = top[np.argsort(-scores[top])]
        return [(self._ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def allowed_ids(self, flt: RetrievalFilter) -> set[str] | None:
        """The chunks the filter allows (None: every chunk), for retrievers that keep their
        own vectors beside this index."""
        if not self._ensure_loaded():
            return set()
        mask = self._mask(flt)
        if mask is None:
            return None
        return {chunk_id for chunk_id, ok in zip(self._ids, mask.tolist(), strict=True) if ok}

    def idf(self, term: str) -> float:
        """How rare an analysed term is in the index (log(1 + N / (1 + df))); 1.0 when empty."""
        if not self._ensure_loaded() or self._matrix is None:
            return 1.0
        col = self._matrix.vocabulary.get(term)
        df = (self._matrix.weights.indptr[col + 1] - self._matrix.weights.indptr[col]
              if col is not None else 0)
        return float(np.log1p(max(1, self._matrix.n_docs) / (1 + df)))

    def generation(self) -> int:
        """Changes whenever the index is rebuilt (caches derived from it compare it)."""
        with self._db_lock:
            return self._generation()

    def document_names(self) -> dict[str, tuple[str, frozenset[str]]]:
        """Per document: its type and the analysed terms of its name (file name, title,
        Kommune from front matter)."""
        if not self._ensure_loaded():
            return {}
        with self._db_lock:
            rows = self._conn.execute(
                "SELECT doc, doc_type, doc_words FROM chunks GROUP BY doc").fetchall()
        return {doc: (doc_type or "", frozenset(self.analyzer.terms(words)))
                for doc, doc_type, words in rows}

    def term_documents(self, term: str) -> Counter[str]:
        """Chunks holding `term` (in text, heading or document name), counted per document."""
        if not self._ensure_loaded() or self._matrix is None:
            return Counter()
        col = self._matrix.vocabulary.get(term)
        if col is None:
            return Counter()
        weights = self._matrix.weights
        rows = weights.indices[weights.indptr[col]:weights.indptr[col + 1]]
        return Counter(self._columns["doc"][rows].tolist())

    def chunks(self, ids: Sequence[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        """Text and metadata of chunks, for building results without asking the vector store."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        with self._db_lock:
            rows = self._conn.execute(
                f"SELECT id, text, meta FROM chunks WHERE id IN ({marks})", list(ids)).fetchall()
        return {r[0]: (r[1], json.loads(r[2])) for r in rows}

    def stored_chunks(self, limit: int | None = None) -> list[tuple[str, dict[str, Any]]]:
        """Text and metadata of every chunk in index order (benchmarks re-embed them)."""
        return [(text, meta) for _, text, meta in self.stored_rows(limit)]

    def stored_rows(self, limit: int | None = None) -> list[tuple[str, str, dict[str, Any]]]:
        """Id, text and metadata of every chunk in index order (to rebuild variant indexes)."""
        with self._db_lock:
            rows = self._conn.execute("SELECT id, text, meta FROM chunks ORDER BY rowid LIMIT ?",
                                      (-1 if limit is None else limit,)).fetchall()
        return [(chunk_id, text, json.loads(meta)) for chunk_id, text, meta in rows]

    def clear(self) -> None:
        """Drop every chunk (before a full re-index); the next `flush` saves an empty index."""
        with self._db_lock:
            self._conn.execute("DELETE FROM chunks")
        self._dirty = True

    def catalog(self) -> list[tuple[str, str, str, str, str]]:
        """(doc, title, official abbreviation, collection, type) of every indexed document:
        what a § look-up needs to resolve a law's name."""
        with self._db_lock:
            rows = self._conn.execute(
                "SELECT DISTINCT doc, json_extract(meta,'$.title'), json_extract(meta,'$.jurabk'),"
                " collection, doc_type FROM chunks").fetchall()
        return [(doc, title or "", abbr or "", collection or "", doc_type or "")
                for doc, title, abbr, collection, doc_type in rows]

    def section_chunks(self, docs: Sequence[str]) -> list[tuple[str, str, str | None, int, str]]:
        """(id, doc, section heading, position, text) of every chunk of these documents."""
        if not docs:
            return []
        marks = ",".join("?" * len(docs))
        with self._db_lock:
            rows = self._conn.execute(
                "SELECT id, doc, json_extract(meta,'$.section'), json_extract(meta,'$.position'),"
                f" text FROM chunks WHERE doc IN ({marks})", list(docs)).fetchall()
        return [(chunk_id, doc, section, position or 0, text)
                for chunk_id, doc, section, position, text in rows]

    def sections(self, collections: Sequence[str]) -> list[tuple[str, str, str]]:
        """Distinct (doc, title, section heading) in these collections, in document order."""
        if not collections:
            return []
        with self._db_lock:
            generation = self._generation()
        key = (generation, tuple(sorted(collections)))
        if key in self._sections:  # the chat page asks on every load; the index rarely changes
            return self._sections[key]
        marks = ",".join("?" * len(collections))
        with self._db_lock:
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
        with self._db_lock:
            return self._conn.execute("SELECT count(*) FROM chunks").fetchone()[0]

    def close(self) -> None:
        self._conn.close()
