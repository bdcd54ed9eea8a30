"""File loaders: each turns one file type into `LoadedDocument` text with Markdown headings."""

from ingest.loaders.registry import SUPPORTED_SUFFIXES, load_document
from ingest.loaders.sniff import LoadLimits

__all__ = ["SUPPORTED_SUFFIXES", "LoadLimits", "load_document"]
