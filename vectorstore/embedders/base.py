"""What ingestion and retrieval need from an embedding model, and lazy loading shared by the
backends (vectorstore/embedders/factory.py picks one)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

BUNDLED = "bundled"


class Embedder(Protocol):
    """What ingestion and retrieval need from an embedding model."""

    name: str

    @property
    def identity(self) -> str:
        """What the index remembers: vectors of another identity must not be mixed in."""
        ...

    @property
    def dimension(self) -> int: ...

    @property
    def max_tokens(self) -> int: ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]: ...

    def model_tokens(self, texts: Sequence[str]) -> list[int]:
        """Tokens the model actually reads per passage (for throughput figures)."""
        ...

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> list[float]: ...

    def embed_queries(self, texts: Sequence[str]) -> list[list[float]]:
        """Several query vectors at once (one forward pass where the model allows)."""
        ...


class RecentQueries:
    """The query vectors of the last few texts: one question asks for the same few texts
    repeatedly (retrieval, then the excerpt choice; its place-free form, its clause)."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._vectors: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def vectors(self, texts: Sequence[str],
                embed: Callable[[list[str]], Sequence[Sequence[float]]]) -> list[list[float]]:
        """Vectors of `texts`; those not asked recently are embedded in one call of `embed`."""
        with self._lock:
            known = {t: self._vectors[t] for t in texts if t in self._vectors}
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            fresh = {t: [float(x) for x in v]
                     for t, v in zip(missing, embed(missing), strict=True)}
            known.update(fresh)
            with self._lock:
                self._vectors.update(fresh)
                while len(self._vectors) > self.size:
                    self._vectors.pop(next(iter(self._vectors)))
        return [list(known[t]) for t in texts]


class LazyModel:
    """Loads its model on first use, once, even with concurrent callers; `rathaus status`
    and the web app's start stay fast. Subclasses implement `_load`."""

    _model = None

    def __init__(self) -> None:
        self._lock = threading.Lock()

    @property
    def model(self):
        with self._lock:
            if self._model is None:
                self._model = self._load()
        return self._model

    def _load(self):
        raise NotImplementedError
