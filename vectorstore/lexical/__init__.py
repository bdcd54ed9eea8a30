"""Lexical retrieval for German: the analyser (folding, stemming, compounds), BM25, the keyword
index that keeps it in step with the vector store, and the chunk mirror it reads from."""
