"""Compact numbered excerpts for the model: the reader's best sentences, each in its Absatz.

On two CPU cores prompt evaluation is the cost of an answer (about 2.7 s per 100 tokens for the
1.5B model), and a small model loses the rule among long excerpts. So the model reads only the
few sentences the reader ranked first, each with as much of its Absatz as the character budget
leaves; they keep the number of the source they stand in, so "[4]" in the model's answer points
at the fourth source staff see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from assistant.answer.citations import Citation
from assistant.answer.reading import Reading, ScoredSentence
from legal.text import window
from vectorstore.results import SearchResult

Terms = Callable[[str], list[str]]


@dataclass(frozen=True)
class Excerpt:
    n: int
    source: SearchResult
    pieces: tuple[str, ...]  # verbatim parts of the source's Absätze, in document order
    sentences: tuple[str, ...] = ()  # the sentence each piece was chosen for
    absaetze: tuple[str | None, ...] = ()  # the Absatz number of each piece, where known

    @property
    def text(self) -> str:
        return " … ".join(self.pieces)

    def to_prompt(self) -> dict[str, Any]:
        s = self.source
        return {"n": self.n, "title": s.title or s.doc, "section": s.section, "page": s.page,
                "text": self.text, "quote": self.text}

    def citation(self, claim: str = "", terms: Terms | None = None) -> Citation:
        """Quote the piece that carries `claim` (most shared terms), verbatim and whole."""
        at = 0
        if claim and terms is not None and len(self.pieces) > 1:
            wanted = set(terms(claim))
            at = max(range(len(self.pieces)),
                     key=lambda i: len(wanted & set(terms(self.pieces[i]))))
        sentence = self.sentences[at] if at < len(self.sentences) else None
        absatz = self.absaetze[at] if at < len(self.absaetze) else None
        return Citation.of(self.n, self.source, self.pieces[at], sentence=sentence,
                           absatz=absatz)


def reading_excerpts(reading: Reading, count: int, budget_chars: int) -> list[Excerpt]:
    """The reader's best `count` sentences (distinct Absätze), each in a window of its Absatz
    of an equal share of `budget_chars`; grouped by source, numbered as the sources."""
    top = reading.top(count)
    if not top:
        return []
    share = max(budget_chars // len(top), 1)
    by_source: dict[int, list[ScoredSentence]] = {}
    for scored in top:
        by_source.setdefault(scored.n, []).append(scored)
    excerpts = []
    for n in sorted(by_source):
        chosen = sorted(by_source[n], key=lambda s: s.candidate.unit.absatz_index)
        excerpts.append(Excerpt(n, chosen[0].candidate.source,
                                tuple(window(s.candidate.unit.absatz, s.sentence, share)
                                      for s in chosen),
                                tuple(s.sentence for s in chosen),
                                tuple(s.candidate.unit.absatz_number for s in chosen)))
    return excerpts


def fundstelle(scored: ScoredSentence, quote_chars: int) -> Citation:
    """A Fundstelle: the sentence highlighted in its Absatz, with §, Absatz number and page."""
    unit = scored.candidate.unit
    return Citation.of(scored.n, scored.candidate.source, scored.quote(quote_chars),
                       sentence=scored.sentence, absatz=unit.absatz_number)


def fundstellen(reading: Reading, limit: int, margin: float, quote_chars: int
                ) -> list[Citation]:
    return [fundstelle(s, quote_chars) for s in reading.fundstellen(limit, margin)]


__all__ = ["Excerpt", "fundstelle", "fundstellen", "reading_excerpts"]
