"""Persistent German keyword index (BM25), kept in step with the vector store.

Chunks (text, citation metadata, analysed words) live in the chunk mirror, SQLite in the data
directory; the BM25 matrix is rebuilt from it once at the end of every ingest or deletion that
changed something and saved next to it. Queries load the saved matrix once and reload only when
its generation changes — never a rebuild per query.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vectorstore.filters import RetrievalFilter
from vectorstore.lexical.bm25 import BM25Matrix
from vectorstore.lexical.chunk_mirror import FILTER_COLUMNS, ChunkMirror
from vectorstore.lexical.german import GermanAnalyzer

log = logging.getLogger(__name__)

_CAMEL = re.compile(r"(?<=[a-zäöü])(?=[A-ZÄÖÜ])")
_NUMBER_COLUMNS = ("valid_from", "valid_to")


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
    """Implements the pipeline's IndexListener protocol and answers BM25 queries; the chunks
    themselves are in `mirror`."""

    def __init__(self, directory: Path, analyzer: GermanAnalyzer | None = None,
                 weights: FieldWeights = FieldWeights()) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.analyzer = analyzer or GermanAnalyzer()
        self.weights = weights
        self.mirror = ChunkMirror(directory / "chunks.sqlite3")
        self._load_lock = threading.Lock()
        self._dirty = False
        self._loaded_generation = -1
        self._matrix: BM25Matrix | None = None
        self._ids: list[str] = []
        self._columns: dict[str, np.ndarray] = {}

    # ---------------------------------------------------------------- writes (IndexListener)
    def on_upsert(self, ids: Sequence[str], texts: Sequence[str],
                  metadatas: Sequence[Mapping[str, Any]]) -> None:
        words = [(" ".join(self.analyzer.words(text)),
                  " ".join(self.analyzer.words(str(meta.get("section") or ""))),
                  " ".join(self.analyzer.words(_doc_name_words(meta))))
                 for text, meta in zip(texts, metadatas, strict=True)]
        self.mirror.put(ids, texts, metadatas, words)
        self._dirty = True

    def on_delete(self, ids: Sequence[str]) -> None:
        self.mirror.delete(ids)
        self._dirty = True

    def clear(self) -> None:
        """Drop every chunk (before a full re-index); the next `flush` saves an empty index."""
        self.mirror.clear()
        self._dirty = True

    def flush(self) -> None:
        """Rebuild and save the BM25 matrix if anything changed since the last flush."""
        if self._dirty or not (self.directory / "bm25.npz").exists():
            self.rebuild()
            self._dirty = False

    def rebuild(self) -> None:
        rows = self.mirror.field_words()
        counts: Counter[str] = Counter()
        for row in rows:
            counts.update(row.body.split())
            counts.update(row.heading.split())
            counts.update(row.document.split())
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

        docs = [terms(r.body, self.weights.body) + terms(r.heading, self.weights.section)
                + terms(r.document, self.weights.document) for r in rows]
        matrix = BM25Matrix.build(docs)
        matrix.save(self.directory / "bm25.npz")
        ids_tmp = self.directory / "ids.json.tmp"
        ids_tmp.write_text(json.dumps([r.id for r in rows]), encoding="utf-8")
        ids_tmp.replace(self.directory / "ids.json")
        self.mirror.next_generation()
        log.info("keyword index rebuilt: %d chunks, %d terms", len(rows), len(matrix.vocabulary))

    # ---------------------------------------------------------------- reads
    def _ensure_loaded(self) -> bool:
        with self._load_lock:
            generation = self.mirror.generation()
            if generation == self._loaded_generation:
                return self._matrix is not None
            if not (self.directory / "bm25.npz").exists():
                return False
            self._matrix = BM25Matrix.load(self.directory / "bm25.npz")
            self._ids = json.loads((self.directory / "ids.json").read_text(encoding="utf-8"))
            cols = list(zip(*self.mirror.filter_columns(self._ids)))
            self._columns = {n: np.asarray(c if c else [], dtype=np.int64 if n in _NUMBER_COLUMNS
                                           else object) for n, c in zip(FILTER_COLUMNS, cols)}
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
        return self.mirror.generation()

    def document_names(self) -> dict[str, tuple[str, frozenset[str]]]:
        """Per document: its type and the analysed terms of its name (file name, title,
        Kommune from front matter)."""
        if not self._ensure_loaded():
            return {}
        return {doc: (doc_type or "", frozenset(self.analyzer.terms(words)))
                for doc, doc_type, words in self.mirror.document_words()}

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

    def close(self) -> None:
        self.mirror.close()
