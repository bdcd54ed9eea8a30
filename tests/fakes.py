"""Test doubles for unit tests only: a fake LLM with a queue of canned replies, and word
vectors in place of an embedding model."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from assistant.llm.base import PromptText


class QueuedLLM:
    """Returns the queued replies in order, token by token; records the prompts it saw."""

    def __init__(self, *replies: str, kind: str = "chat", name: str = "fake") -> None:
        self.replies = list(replies)
        self.kind = kind
        self.name = name
        self.prompts: list[PromptText] = []

    def load(self, system: str | None = None) -> None:
        pass

    def stream(self, prompt: PromptText, *, max_tokens: int) -> Iterator[str]:
        self.prompts.append(prompt)
        reply = self.replies.pop(0) if self.replies else ""
        for word in reply.split(" "):
            yield word + " "


class WordVectors:
    """SentenceVectors for unit tests: a bag of analysed terms hashed into 256 dimensions,
    normalised, so the cosine counts shared terms (no embedding model)."""

    def __init__(self, terms: Callable[[str], list[str]]) -> None:
        self.terms = terms

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(256, dtype=np.float32)
        for term in self.terms(text):
            vector[zlib.crc32(term.encode()) % 256] += 1.0
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector

    def question(self, text: str) -> np.ndarray:
        return self._vector(text)

    def sentences(self, found: Sequence) -> np.ndarray:
        return np.vstack([self._vector(c.sentence) for c in found])
