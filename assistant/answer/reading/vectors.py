"""Where the reader's vectors come from: the question from the embedder (retrieval embedded
the same text a moment before, so it is cached), the sentences from the sentence store."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from assistant.answer.reading.candidates import Candidate
from vectorstore.embedders.base import Embedder
from vectorstore.sentence_vectors import SentenceVectorStore, embedded_text


class StoredSentenceVectors:
    """SentenceVectors backed by the index's sentence store (embedding what it lacks)."""

    def __init__(self, embedder: Embedder, store: SentenceVectorStore) -> None:
        self.embedder = embedder
        self.store = store

    def question(self, text: str) -> np.ndarray:
        return np.asarray(self.embedder.embed_query(text), dtype=np.float32)

    def sentences(self, found: Sequence[Candidate]) -> np.ndarray:
        return self.store.vectors([c.source.chunk_id for c in found],
                                  [embedded_text(c.heading, c.sentence) for c in found])
