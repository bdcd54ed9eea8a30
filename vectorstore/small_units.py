"""Small-to-big retrieval: sentences are matched, their passages are returned.

A § chunk of 256 tokens holds several rules; its one vector is an average of all of them, and
a question about one figure in it matches the average weakly. Each sentence (list item, table
row) of every chunk already has its own vector in the sentence store, embedded at ingest for
the reader. Ranking chunks by their best-matching sentence gives fusion a third list that
finds the passage through the one sentence that states the rule; the reader is then handed the
whole passage (the parent), in which it finds that sentence again.

The vectors are held in memory as one float32 matrix (384 dimensions: about 1.5 kB per
sentence) and refreshed when the keyword index changes generation (every ingest).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import numpy as np

from vectorstore.filters import RetrievalFilter
from vectorstore.lexical.keyword_index import KeywordIndex
from vectorstore.sentence_vectors import SentenceVectorStore, chunk_sentence_texts


class SmallUnitRanker:
    """`rank(query, k, flt)` -> (chunk id, best sentence cosine), best first."""

    def __init__(self, keyword: KeywordIndex, store: SentenceVectorStore,
                 embed_query: Callable[[str], Sequence[float]]) -> None:
        self.keyword = keyword
        self.store = store
        self.embed_query = embed_query
        self._lock = threading.Lock()
        self._generation: int | None = None
        self._chunk_ids: list[str] = []
        self._starts = np.zeros(0, dtype=np.int64)  # first row of each chunk in _matrix
        self._matrix = np.zeros((0, 0), dtype=np.float32)
        self._rows: dict[str, np.ndarray] = {}  # chunk id -> its sentence vectors

    def _refresh(self) -> None:
        """Load what changed since the last generation; unchanged chunks keep their rows."""
        generation = self.keyword.generation()
        if generation == self._generation:
            return
        rows = self.keyword.mirror.rows()
        owners: list[str] = []
        texts: list[str] = []
        for row in rows:
            if row.id not in self._rows:
                units = chunk_sentence_texts(row.text, row.metadata)
                owners.extend([row.id] * len(units))
                texts.extend(units)
        fresh: dict[str, list[np.ndarray]] = {}
        for start in range(0, len(texts), 2000):  # missing vectors are embedded and kept
            part = self.store.vectors(owners[start:start + 2000], texts[start:start + 2000])
            for chunk_id, vector in zip(owners[start:start + 2000], part, strict=True):
                fresh.setdefault(chunk_id, []).append(vector)
        self._rows = {row.id: self._rows[row.id] if row.id in self._rows
                      else np.vstack(fresh[row.id]).astype(np.float32)
                      for row in rows if row.id in self._rows or row.id in fresh}
        self._chunk_ids = list(self._rows)
        sizes = [len(self._rows[c]) for c in self._chunk_ids]
        self._starts = np.cumsum([0, *sizes[:-1]]).astype(np.int64)
        self._matrix = (np.vstack([self._rows[c] for c in self._chunk_ids]) if sizes
                        else np.zeros((0, 0), dtype=np.float32))
        self._generation = generation

    def rank(self, query: str, k: int, flt: RetrievalFilter = RetrievalFilter()
             ) -> list[tuple[str, float]]:
        with self._lock:
            self._refresh()
            if not self._chunk_ids:
                return []
            matrix, starts, chunk_ids = self._matrix, self._starts, self._chunk_ids
        vector = np.asarray(self.embed_query(query), dtype=np.float32)
        best = np.maximum.reduceat(matrix @ vector, starts)  # each chunk's best sentence
        allowed = self.keyword.allowed_ids(flt)
        if allowed is not None:
            best[[i for i, c in enumerate(chunk_ids) if c not in allowed]] = -np.inf
        k = min(k, len(best))
        top = np.argpartition(-best, k - 1)[:k] if k < len(best) else np.arange(len(best))
        top = top[np.argsort(-best[top])]
        return [(chunk_ids[i], float(best[i])) for i in top if np.isfinite(best[i])]
