"""The llama-index default pipeline, used as the baseline in benchmarks.

SentenceSplitter(1024, 200) -> VectorStoreIndex (dense only) with the same embedding model as
the product. Files are read with the same loaders as the product so that only chunking and
retrieval differ (llama-index-core alone has no PDF reader).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from llama_index.core import Document, Settings, StorageContext, VectorStoreIndex
from llama_index.core.embeddings import BaseEmbedding
from llama_index.core.node_parser import SentenceSplitter

from ingest.loaders import SUPPORTED_SUFFIXES, load_document
from vectorstore.embedders.sentence_model import SentenceTransformerEmbedder


class SameModelEmbedding(BaseEmbedding):
    """llama-index embedding adapter around the product's sentence-transformers model."""

    model_config = {"arbitrary_types_allowed": True}
    embedder: Any = None

    def _get_query_embedding(self, query: str) -> list[float]:
        return self.embedder.embed_query(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self.embedder.embed_documents([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_documents(texts).tolist()


def read_documents(paths: Iterable[Path]) -> list[Document]:
    docs = []
    for path in paths:
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            continue
        try:
            loaded = load_document(path, path.read_bytes(), "baseline", None)
        except Exception:  # the baseline skips what it cannot read, as SimpleDirectoryReader does
            continue
        text = "\n".join(p.text for p in loaded.pages)
        docs.append(Document(text=text, metadata={"doc": path.name}))
    return docs


def build_index(paths: Iterable[Path], embedder: SentenceTransformerEmbedder,
                vector_store: Any = None) -> VectorStoreIndex:
    Settings.embed_model = SameModelEmbedding(embedder=embedder, embed_batch_size=64)
    Settings.llm = None
    splitter = SentenceSplitter(chunk_size=1024, chunk_overlap=200)
    storage = StorageContext.from_defaults(vector_store=vector_store) if vector_store else None
    return VectorStoreIndex.from_documents(
        read_documents(paths), transformations=[splitter], storage_context=storage,
        show_progress=False,
    )
