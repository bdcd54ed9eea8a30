"""Passages from several levels of the hierarchy of norms: ordered from the highest level down,
and a contradiction between two levels on a figure or a yes/no rule said out loud.

A Verwaltung must not get one level's rule presented as the answer while another level says
otherwise: when a federal law and a Satzung, or a Satzung and a Dienstanweisung, both answer the
question and name different figures (same unit) or opposite yes/no rules, the answer quotes both,
highest level first, and says that they contradict each other.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.answer.citations import Citation
from assistant.answer.grounding import best_passage, figure_context, sentence_starts
from legal.figures import AnswerType, find_figures
from legal.levels import NormLevel
from legal.questions import HOLDS_QUESTION, Asked, weighted_share
from legal.text import split_sentences
from vectorstore.results import SearchResult

Terms = Callable[[str], list[str]]
Weight = Callable[[str], float]

_NEGATION = re.compile(r"\b(?:nicht|kein\w*|nie|niemals|verboten|untersagt|unzulässig|"
                       r"ausgeschlossen)\b", re.IGNORECASE)
CONTRADICTION = "Die Unterlagen widersprechen sich."


def by_level(citations: Sequence[Citation]) -> list[Citation]:
    """Citations from the highest level down; within a level, in their given order."""
    return sorted(citations, key=lambda c: NormLevel.from_label(c.level))


@dataclass(frozen=True)
class Stance:
    """What one level's best passage says on the question: a figure with its unit, or whether
    its rule is negated."""

    source: SearchResult
    rank: NormLevel
    passage: str
    figure: tuple[str, str] | None  # (value, unit)
    negated: bool | None


@dataclass(frozen=True)
class Conflict:
    """Two levels answering the question differently, the higher one first."""

    higher: Stance
    lower: Stance

    def sources(self, found: Sequence[SearchResult]) -> list[SearchResult]:
        """The retrieved sources renumbered so that [1] and [2] are the two quoted ones."""
        quoted = [self.higher.source, self.lower.source]
        return quoted + [s for s in found if s.chunk_id not in {q.chunk_id for q in quoted}]

    def citations(self) -> list[Citation]:
        return [Citation.of(1, self.higher.source, self.higher.passage),
                Citation.of(2, self.lower.source, self.lower.passage)]

    def text(self) -> str:
        """The answer: both rules verbatim, highest level first, and what that means."""
        first, second = self.citations()
        return (f"{CONTRADICTION} {first.level}: „{first.quote}“ [1] "
                f"{second.level}: „{second.quote}“ [2] Bitte prüfen Sie, welche Regel gilt; "
                "die höherrangige Norm geht grundsätzlich vor.")


class ConflictFinder:
    """Finds a contradiction between levels among the sources of one question."""

    def __init__(self, terms: Terms, weight: Weight) -> None:
        self.terms = terms
        self.weight = weight

    def find(self, asked: frozenset[AnswerType], key_terms: Sequence[str],
             sources: Sequence[SearchResult]) -> Conflict | None:
        """The first pair of levels whose best answering passages disagree, if any (`asked`:
        what the question asks for, as the reader read it)."""
        wants_number, yes_no = Asked(asked).figure, Asked(asked).yes_no
        if not key_terms or not (wants_number or yes_no):
            return None
        stances = self._stances(key_terms, sources, wants_number, yes_no)
        for i, higher in enumerate(stances):
            for lower in stances[i + 1:]:
                if self._disagree(higher, lower):
                    return Conflict(higher, lower)
        return None

    def _stances(self, key_terms: Sequence[str], sources: Sequence[SearchResult],
                 wants_number: bool, yes_no: bool) -> list[Stance]:
        """The best answering passage of each norm level, highest level first."""
        best: dict[int, Stance] = {}
        wanted = set(key_terms)
        for source in sources:
            level = NormLevel.of(source.metadata.get("doc_type"))
            if not level.is_norm or level in best:
                continue
            passage = best_passage(source.text, key_terms, self.terms, wants_number=wants_number)
            if self._share(wanted, passage) < HOLDS_QUESTION:
                continue
            figure = self._figure(passage, wanted) if wants_number else None
            negated = self._negated(passage, wanted) if yes_no else None
            best[level] = Stance(source, level, passage, figure, negated)
        return [best[level] for level in sorted(best)]

    @staticmethod
    def _disagree(higher: Stance, lower: Stance) -> bool:
        if higher.figure and lower.figure and higher.figure[1] == lower.figure[1]:
            return higher.figure[0] != lower.figure[0]
        return (higher.negated is not None and lower.negated is not None
                and higher.negated != lower.negated)

    def _share(self, wanted: set[str], text: str) -> float:
        return weighted_share(wanted, self.terms(text), self.weight)

    def _figure(self, passage: str, wanted: set[str]) -> tuple[str, str] | None:
        """The figure standing closest to the question's terms, with the unit after it."""
        spots = [f for f in find_figures(passage) if f.unit]
        bounds = [(f.start, f.end) for f in spots]
        starts = sentence_starts(passage)
        scored = []
        for f in spots:
            others = [b for b in bounds if b != (f.start, f.end)]
            context = figure_context(passage, f.start, f.end, others, starts)
            score = sum(self.weight(t) for t in wanted & set(self.terms(context)))
            scored.append((score, -f.start, f.value, _unit_name(f.unit)))
        if not scored:
            return None
        score, _, value, unit = max(scored)
        return (value, unit) if score > 0 else None

    def _negated(self, passage: str, wanted: set[str]) -> bool | None:
        """Whether the sentence holding most of the question's terms negates its rule."""
        sentences = [s for s in split_sentences(passage) if s.strip()]
        if not sentences:
            return None
        best = max(sentences, key=lambda s: self._share(wanted, s))
        if self._share(wanted, best) < HOLDS_QUESTION:
            return None
        return bool(_NEGATION.search(best))


def _unit_name(raw: str) -> str:
    """"€" = "Euro" = "EUR"; "Tagen" = "Tage" (the first four letters of a period unit)."""
    unit = raw.lower()
    unit = {"€": "euro", "eur": "euro", "%": "prozent", "m": "meter"}.get(unit, unit)
    return unit[:4] if len(unit) > 4 else unit
