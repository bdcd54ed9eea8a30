"""File loaders: each turns one file type into `LoadedDocument` text with Markdown headings."""

from ingest.loaders.registry import SUPPORTED_SUFFIXES, load_document

__all__ = ["SUPPORTED_SUFFIXES", "load_document"]
