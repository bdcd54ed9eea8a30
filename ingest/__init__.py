"""Ingestion: loaders turn files into text, the chunker into sections, the pipeline into an
index."""
