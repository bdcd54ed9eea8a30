"""Okapi BM25 over a sparse document-term matrix (scipy): fast scoring of every chunk at once.

Scores for all chunks come back as one vector, so collection / document / type / date filters
are boolean masks applied before ranking — the filter is part of the query, not an afterthought.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy import sparse


class BM25Matrix:
    """Precomputed BM25 term weights; `scores(query_terms)` is a sparse matrix-vector product."""

    def __init__(self, weights: sparse.csc_matrix, vocabulary: dict[str, int]) -> None:
        self.weights = weights
        self.vocabulary = vocabulary

    @property
    def n_docs(self) -> int:
        return self.weights.shape[0]

    @classmethod
    def build(cls, docs: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> BM25Matrix:
        vocabulary: dict[str, int] = {}
        rows, cols, tfs = [], [], []
        lengths = np.zeros(len(docs), dtype=np.float32)
        for row, terms in enumerate(docs):
            lengths[row] = len(terms)
            for term, tf in Counter(terms).items():
                rows.append(row)
                cols.append(vocabulary.setdefault(term, len(vocabulary)))
                tfs.append(tf)
        n_docs, n_terms = len(docs), len(vocabulary)
        if n_docs == 0 or n_terms == 0:
            return cls(sparse.csc_matrix((n_docs, max(n_terms, 1)), dtype=np.float32), vocabulary)
        rows_a = np.asarray(rows, dtype=np.int64)
        cols_a = np.asarray(cols, dtype=np.int64)
        tf_a = np.asarray(tfs, dtype=np.float32)
        df = np.bincount(cols_a, minlength=n_terms).astype(np.float32)
        idf = np.log1p((n_docs - df + 0.5) / (df + 0.5))
        avgdl = float(lengths.mean()) or 1.0
        norm = k1 * (1.0 - b + b * lengths[rows_a] / avgdl)
        weights = idf[cols_a] * tf_a * (k1 + 1.0) / (tf_a + norm)
        matrix = sparse.csc_matrix((weights, (rows_a, cols_a)), shape=(n_docs, n_terms),
                                   dtype=np.float32)
        return cls(matrix, vocabulary)

    def scores(self, query_terms: Sequence[str]) -> np.ndarray:
        counts = Counter(t for t in query_terms if t in self.vocabulary)
        result = np.zeros(self.n_docs, dtype=np.float32)
        for term, qtf in counts.items():
            col = self.vocabulary[term]
            start, end = self.weights.indptr[col], self.weights.indptr[col + 1]
            result[self.weights.indices[start:end]] += qtf * self.weights.data[start:end]
        return result

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp.npz")
        terms = np.array(sorted(self.vocabulary, key=self.vocabulary.__getitem__), dtype=object)
        np.savez(tmp, data=self.weights.data, indices=self.weights.indices,
                 indptr=self.weights.indptr, shape=np.array(self.weights.shape),
                 terms=terms)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> BM25Matrix:
        with np.load(path, allow_pickle=True) as data:
            shape = tuple(int(x) for x in data["shape"])
            matrix = sparse.csc_matrix((data["data"], data["indices"], data["indptr"]), shape=shape)
            vocabulary = {str(t): i for i, t in enumerate(data["terms"])}
        return cls(matrix, vocabulary)
