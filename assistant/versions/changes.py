"""Questions about what changed ("Was hat sich bei der Hundesteuer geändert?"): answered from
the comparison of the version in force on the day asked about with the version before it.

The answer is built from both versions' wording (assistant/versions/compare.py), not written
by a model: each changed section is named with its figures old → new and cites the passage of
each version.
The versions are found through the asker's search, so rights and collections apply.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date

from assistant.answer.citations import Citation
from assistant.answer.grounding import best_passage
from assistant.versions.compare import SectionChange, VersionComparer, section_key, version_label
from core.errors import AssistantError
from ingest.manifest import DocumentRecord
from legal.dates import parse_date
from legal.questions import topic_of
from legal.text import flatten, split_sentences
from vectorstore.results import SearchResult

MAX_SECTIONS = 6  # changed sections named in one answer; `rathaus compare` lists them all

Search = Callable[[str, int, Sequence[str] | None, str | None], list[SearchResult]]
Terms = Callable[[str], list[str]]


@dataclass(frozen=True)
class ChangeAnswer:
    text: str
    citations: list[Citation]
    sources: list[SearchResult]
    query: str


class ChangeAnswerer:
    """Answers a change question from two versions of the norm the question is about."""

    def __init__(self, search: Search, comparer: VersionComparer, terms: Terms,
                 readable: Collection[str] | None) -> None:
        """`search(query, k, docs, valid_at)` searches with the asker's rights; `readable`
        are the collections the asker may read (None: all)."""
        self.search = search
        self.readable = readable
        self.comparer = comparer
        self.terms = terms

    def answer(self, question: str, day: date) -> ChangeAnswer | None:
        """None when the question's norm has no earlier version (the normal answer follows)."""
        query = topic_of(question)
        hits = self.search(query, 5, None, day.isoformat())
        top = next((h for h in hits if h.metadata.get("norm")), None)
        if top is None:
            return None
        try:
            versions = self.comparer.versions(top.doc, self.readable)
            new = self.comparer.in_force(versions, day)
        except AssistantError:
            return None
        older = [v for v in versions if v.effective_to and v.effective_to < (new.effective_from
                                                                            or "")]
        start = parse_date(new.effective_from)
        if not older or start is None:
            return None
        old = older[-1]
        comparison = self.comparer.compare(top.doc, parse_date(old.effective_from) or start,
                                           start, self.readable)
        citations: list[Citation] = []
        cited: list[SearchResult] = []  # citation n quotes cited[n - 1]
        lines = []
        for change in comparison.changes[:MAX_SECTIONS]:
            numbers = self._cite(change, old, new, query, citations, cited)
            lines.append(change.line() + "".join(f" [{n}]" for n in numbers) + ".")
        if not lines:
            return None
        more = len(comparison.changes) - MAX_SECTIONS
        tail = [f"Weitere {more} Abschnitte geändert (rathaus compare)."] if more > 0 else []
        text = " ".join([f"Änderungen von der {version_label(old)} zur {version_label(new)}:",
                         *lines, *tail])
        return ChangeAnswer(text, citations, cited, query)

    def _cite(self, change: SectionChange, old: DocumentRecord, new: DocumentRecord,
              query: str, citations: list[Citation], cited: list[SearchResult]) -> list[int]:
        """Cite the section in the new version (unless removed) and in the old one (unless
        added), quoting the sentence with the changed figure."""
        numbers = []
        for record, figure_of in ((new, lambda pair: pair[1]), (old, lambda pair: pair[0])):
            if (change.change == "entfallen" and record is new) or \
                    (change.change == "neu" and record is old):
                continue
            hits = self.search(f"{change.section} {query}", 5, [record.doc],
                               record.effective_from or record.effective_to)
            hit = next((h for h in hits if section_key(h.section) == section_key(
                change.section)), hits[0] if hits else None)
            if hit is None:
                continue
            figures = [figure_of(pair) for pair in change.figures if figure_of(pair)]
            quote = _sentence_with(hit.text, figures) or best_passage(
                hit.text, self.terms(f"{change.section} {query}"), self.terms)
            citations.append(Citation.of(len(citations) + 1, hit, quote))
            cited.append(hit)
            numbers.append(len(citations))
        return numbers


def _sentence_with(text: str, figures: Sequence[str]) -> str:
    """The first sentence of `text` that states one of `figures`."""
    for sentence in split_sentences(flatten(text)):
        if any(figure and figure in sentence for figure in figures):
            return sentence.strip()
    return ""
