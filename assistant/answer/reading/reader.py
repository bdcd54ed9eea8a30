"""The reading stage: retrieved passages in, ranked sentences out.

It receives the sources retrieval produced and returns their sentences ranked by how much each
looks like the answer (assistant/answer/reading/scorer.py); it never calls back into retrieval. The
best sentence is shown at once as a Fundstelle, highlighted in its Absatz. How much the
passages support an answer at all is a second score over the same signals (the evidence: the
best-matching sentence's, weighted for that job); a question is refused on it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from assistant.answer.reading.candidates import Candidate, candidates
from assistant.answer.reading.scorer import Features, SentenceScorer
from legal.figures import AnswerType, answer_types, matches_type
from legal.questions import weighted_share
from legal.text import window
from vectorstore.results import SearchResult

Terms = Callable[[str], list[str]]
Weight = Callable[[str], float]


class SentenceVectors(Protocol):
    """Embeddings for the reader: the question once, the candidate sentences in one batch."""

    def question(self, text: str) -> np.ndarray: ...

    def sentences(self, found: Sequence[Candidate]) -> np.ndarray: ...


@dataclass(frozen=True)
class ScoredSentence:
    candidate: Candidate
    features: Features
    score: float

    @property
    def n(self) -> int:
        return self.candidate.n

    @property
    def sentence(self) -> str:
        return self.candidate.sentence

    def quote(self, max_chars: int) -> str:
        """The Absatz the sentence stands in (or the sentence with its neighbours)."""
        unit = self.candidate.unit
        return window(unit.absatz, unit.sentence, max_chars)


@dataclass(frozen=True)
class Reading:
    """The sentences of the retrieved passages, best first."""

    asked: frozenset[AnswerType]
    ranked: tuple[ScoredSentence, ...]
    evidence: float = float("-inf")  # how much the best-matching sentence supports an answer

    @property
    def best(self) -> ScoredSentence | None:
        return self.ranked[0] if self.ranked else None

    def fundstellen(self, limit: int, margin: float) -> list[ScoredSentence]:
        """The best sentence, then the next best ones from other passages that score within
        `margin` of it (another passage may state the rule as well, or state it for the case
        asked about), at most `limit`."""
        if not self.ranked:
            return []
        chosen = [self.ranked[0]]
        for scored in self.ranked[1:]:
            if len(chosen) >= limit or scored.score < self.ranked[0].score - margin:
                break
            if all(scored.candidate.source.chunk_id != c.candidate.source.chunk_id
                   for c in chosen):
                chosen.append(scored)
        return chosen

    def top(self, count: int) -> list[ScoredSentence]:
        """The best `count` sentences from distinct Absätze (what a model is given to read)."""
        chosen: list[ScoredSentence] = []
        seen: set[tuple[str, int]] = set()
        for scored in self.ranked:
            key = (scored.candidate.source.chunk_id, scored.candidate.unit.absatz_index)
            if key in seen:
                continue
            seen.add(key)
            chosen.append(scored)
            if len(chosen) == count:
                break
        return chosen


class SentenceReader:
    """Ranks the sentences of retrieved passages for a question."""

    def __init__(self, *, vectors: SentenceVectors, terms: Terms, query_terms: Terms,
                 idf: Weight, scorer: SentenceScorer, evidence: SentenceScorer | None = None
                 ) -> None:
        """`terms` analyses passage text (compounds and their parts), `query_terms` a question
        (compounds by their parts), `idf` weighs a term by its rarity in the index; `scorer`
        ranks the sentences, `evidence` scores how much the best-matching one supports an
        answer at all (default: the ranking score)."""
        self.vectors = vectors
        self.terms = terms
        self.query_terms = query_terms
        self.idf = idf
        self.scorer = scorer
        self.evidence = evidence or scorer

    def read(self, question: str, sources: Sequence[SearchResult],
             similarity_question: str | None = None) -> Reading:
        """Rank every sentence of `sources`. `similarity_question` is what sentences are
        compared with, by the embedder and by term coverage: retrieval's rule query, without
        the Gemeinde's name (the place scope already kept other Gemeinden out, and a Satzung
        rarely repeats its Gemeinde's name in the sentence that states the rule); default the
        question. What is asked for is read off the question itself."""
        asked = answer_types(question)
        found = candidates(sources)
        if not found:
            return Reading(asked, ())
        query = self.vectors.question(similarity_question or question)
        cosines = self.vectors.sentences(found) @ query
        wanted = self._weights(similarity_question or question)
        scored = []
        evidence = float("-inf")
        contexts: dict[tuple[str, int], set[str]] = {}
        for candidate, cosine in zip(found, cosines, strict=True):
            key = (candidate.source.chunk_id, candidate.unit.absatz_index)
            if key not in contexts:
                contexts[key] = set(self.terms(f"{candidate.context} {candidate.unit.absatz}"))
            own = set(self.terms(candidate.sentence))
            features = Features(
                similarity=float(cosine),
                coverage=_share(wanted, own),
                context=_share(wanted, own | contexts[key]),
                answer_type=1.0 if matches_type(candidate.sentence, asked) else 0.0,
                rank=1.0 / candidate.n,
            )
            scored.append(ScoredSentence(candidate, features, self.scorer.score(features)))
            evidence = max(evidence, self.evidence.score(features))
        scored.sort(key=lambda s: (-s.score, s.candidate.n))
        return Reading(asked, tuple(scored), evidence)

    def _weights(self, question: str) -> dict[str, float]:
        return {term: self.idf(term) for term in set(self.query_terms(question))}


def _share(wanted: dict[str, float], present: set[str]) -> float:
    return weighted_share(wanted, present, wanted.__getitem__)
