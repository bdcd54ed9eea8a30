"""Plain data passed between loaders, chunker and pipeline (no library types)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PageText:
    """Text of one page (PDF) or of the whole file (page is None).

    Loaders render structure as Markdown headings (`#`, `##`, ...) so that one chunker serves
    every format.
    """

    text: str
    page: int | None = None


@dataclass
class LoadedDocument:
    """A file read into text plus the metadata found in it."""

    pages: list[PageText]
    title: str
    metadata: dict[str, Any] = field(default_factory=dict)
    ocr: bool = False

    @property
    def char_count(self) -> int:
        return sum(len(p.text.strip()) for p in self.pages)


@dataclass
class Chunk:
    """One retrievable passage with the citation data it needs."""

    text: str
    section: str | None
    heading_path: list[str]
    page: int | None
    position: int
    title: str = ""

    @property
    def context(self) -> str:
        """`Title › Abschnitt › § 17 Anmeldung`: prefixed to the text for embedding."""
        parts = [self.title, *self.heading_path] if self.title else list(self.heading_path)
        return " › ".join(p for p in parts if p)

    def embedding_text(self) -> str:
        return embedding_text(self.context, self.text)


def embedding_text(context: str, text: str) -> str:
    """What the model embeds for a chunk: its context line, then its text."""
    return f"{context}\n{text}" if context else text
