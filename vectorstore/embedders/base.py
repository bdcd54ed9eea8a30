"""What ingestion and retrieval need from an embedding model, and lazy loading shared by the
backends (vectorstore/embedders/factory.py picks one)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
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
