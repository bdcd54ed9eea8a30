"""Vector store (Chroma), embeddings and retrieval. Receives plain arguments, never settings."""
