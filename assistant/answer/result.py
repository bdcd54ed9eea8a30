"""What the answer step receives and what it returns: typed, and frozen once built.

The kind says everything else: only a checked answer is grounded, only a refusal is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from assistant.answer.citations import Citation
from assistant.answer.reading import Reading
from vectorstore.results import SearchResult

REFUSAL = "In den vorliegenden Dokumenten finde ich dazu keine Angabe."


class AnswerKind(StrEnum):
    """What staff see, and the label that says which (see answering.py)."""

    CHECKED = "checked"  # the model's sentences, each supported by the excerpt it cites
    QUOTE = "quote"  # the Fundstelle verbatim: nothing claimed, nothing checked
    REFUSAL = "refusal"  # keine Angabe: the evidence is too thin

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {AnswerKind.CHECKED: "geprüfte Antwort", AnswerKind.QUOTE: "Fundstelle (wörtlich)",
           AnswerKind.REFUSAL: "keine Angabe in den Unterlagen"}


@dataclass(frozen=True)
class Retrieved:
    """What retrieval hands to the answer step; the answer step never searches again.

    `question` is what the user asked (without the words naming a date); `query` what was
    searched (a follow-up joined with the question before it); `rule_query` what sentences are
    compared with (the query without the Gemeinde's name, see vectorstore/scope.py)."""

    question: str
    query: str
    sources: tuple[SearchResult, ...]
    rule_query: str
    follow_up: bool = False


@dataclass(frozen=True)
class Answer:
    """The `rathaus ask --json` contract (see to_json)."""

    answer: str
    kind: AnswerKind
    citations: tuple[Citation, ...]
    sources: tuple[SearchResult, ...]
    backend: str
    prompt: str
    unsupported: tuple[str, ...] = ()
    answers_question: bool = False
    refusal_reason: str = ""  # evidence | model
    query: str = ""
    support: float = 0.0  # the evidence: how well the best-matching sentence fits
    draft: str = ""
    notes: tuple[str, ...] = ()
    rendered_prompt: str = ""  # what the model was given (for the Prompt-Labor)
    as_of: str = ""  # the day (or range) whose versions were used, e.g. "01.03.2020"
    reading: Reading | None = None  # the ranked sentences (for evaluation and the Prompt-Labor)

    @property
    def refused(self) -> bool:
        return self.kind is AnswerKind.REFUSAL

    @property
    def grounded(self) -> bool:
        """Only a checked answer was checked against its sources."""
        return self.kind is AnswerKind.CHECKED

    @property
    def label(self) -> str:
        return self.kind.label

    def with_notes(self, *notes: str) -> Answer:
        return replace(self, notes=(*self.notes, *notes)) if notes else self

    def to_json(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "refused": self.refused,
            "citations": [c.to_json() for c in self.citations],
            "sources": [s.to_json() for s in self.sources],
            "grounded": self.grounded,
            "unsupported": list(self.unsupported),
            "backend": self.backend,
            "prompt": self.prompt,
            "kind": self.kind.value,
            "label": self.label,
            "answers_question": self.answers_question,
            "as_of": self.as_of,
            "notes": list(self.notes),
            # added with the sentence reader (issue 23)
            "evidence": round(self.support, 4),
            "sentences": [{"n": s.n, "sentence": s.sentence, "score": round(s.score, 4)}
                          for s in (self.reading.ranked[:5] if self.reading else ())],
        }


@dataclass(frozen=True)
class Preview:
    """Shown before the model writes: the sources and the Fundstellen, best first
    (`passage` is the first; None when the evidence is too thin)."""

    sources: tuple[SearchResult, ...]
    passage: Citation | None
    fundstellen: tuple[Citation, ...] = ()
    drafting: bool = False  # a model writes next: the answer is still to be checked
