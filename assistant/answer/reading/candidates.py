"""Candidate sentences: every sentence, list item and table row of the retrieved passages,
each with its Absatz and the passage's retrieval rank."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from legal.text import ReadingUnit, readable_units
from vectorstore.results import SearchResult


@dataclass(frozen=True)
class Candidate:
    """One sentence of one retrieved passage. `n` is the passage's number among the sources
    (1 = retrieved first), which is also the number its citation carries."""

    n: int
    source: SearchResult
    unit: ReadingUnit

    @property
    def sentence(self) -> str:
        return self.unit.sentence

    @property
    def heading(self) -> str | None:
        """The § heading the sentence stands under (else the document's title)."""
        return self.source.section or self.source.title or None

    @property
    def context(self) -> str:
        """Where the sentence stands: title and § heading, as a reader sees them above it."""
        return " ".join(x for x in (self.source.title, self.source.section or "") if x)


def candidates(sources: Sequence[SearchResult]) -> list[Candidate]:
    """The sentences worth reading of every source, in source order."""
    return [Candidate(n, source, unit) for n, source in enumerate(sources, start=1)
            for unit in readable_units(source.text)]
