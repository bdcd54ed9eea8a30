"""Build answers a Verwaltung can trust from what retrieval found: read the passages sentence by
sentence, show the sentence that states the rule at once, and let a model phrase only what it can.

What staff see is one of three kinds, and the label says which:
- **geprüfte Antwort** (`kind="checked"`): sentences written by the model, each supported by the
  excerpt it cites (facts present, figures next to the key terms), and together addressing the
  question. Only this kind has `grounded=True`. The Fundstellen stay beside it.
- **Fundstelle (wörtlich)** (`kind="quote"`): the sentence the reader ranked first, verbatim and
  highlighted in its Absatz, with § and page; a close second from another passage below it.
  Nothing was claimed, so nothing was checked; staff read the passage themselves. Without a
  model, and whenever the model refuses or its draft fails the check, this is the answer: a
  refusal never replaces a good Fundstelle.
- **keine Angabe** (`kind="refusal"`): the evidence (how well the best-matching sentence fits
  the question) is below the calibrated threshold `reader.min_evidence`; or the model found no
  answer and the evidence is below `reader.model_refusal_min_evidence`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from assistant.answer.citations import Citation
from assistant.answer.conflicts import ConflictFinder, by_level
from assistant.answer.excerpts import Excerpt, fundstellen, reading_excerpts
from assistant.answer.grounding import SentenceCheck, check_claims
from assistant.answer.prompting import PromptLibrary, PromptTemplate
from assistant.answer.protocol import ParsedAnswer, parse_answer
from assistant.answer.reading import Reading, SentenceReader
from assistant.answer.result import REFUSAL, Answer, AnswerKind, Preview, Retrieved
from assistant.llm.base import LLMBackend, PromptText
from core.config import AnswerSettings, LLMSettings, ReaderSettings
from legal.figures import FIGURE_TYPES, matches_type
from legal.levels import NormLevel
from legal.questions import HOLDS_QUESTION, weight_of, weighted_share

log = logging.getLogger(__name__)

FURTHER = "Weitere Fundstelle"
CONFLICT_SOURCES = 5  # levels compared among the first five sources (as before the reader)

Terms = Callable[[str], list[str]]
Rarity = Callable[[str], float]
OnEvent = Callable[[Any], None]  # receives one Preview, then str tokens


def render_prompt(template: PromptTemplate, question: str, excerpts: Sequence[Excerpt]) -> str:
    """The one way a prompt is rendered: answering and `rathaus prompts render` share it."""
    return template.render(question=question, sources=[e.to_prompt() for e in excerpts])


def _parse_ref(ref: str) -> tuple[str, int | None]:
    name, _, version = ref.partition("@")
    return name, int(version) if version else None


class AnswerService:
    """Answers one question from the sources retrieval found for it; it never searches."""

    def __init__(self, *, reader: SentenceReader, terms: Terms,
                 backend: LLMBackend | None, llm: LLMSettings, settings: AnswerSettings,
                 reading: ReaderSettings, prompts: PromptLibrary | None = None,
                 rarity: Rarity | None = None) -> None:
        """`rarity` weighs terms (idf) in the grounding check."""
        self.reader = reader
        self.terms = terms
        self.rarity = rarity or (lambda _term: 1.0)
        self.backend = backend
        self.llm = llm
        self.settings = settings
        self.reading = reading
        self.prompts = prompts or PromptLibrary()

    @property
    def backend_name(self) -> str:
        return self.backend.name if self.backend else "extractive"

    def prompt_template(self) -> PromptTemplate:
        ref = (self.settings.prompt_chat if self.backend is None or self.backend.kind == "chat"
               else self.settings.prompt_completion)
        return self.prompts.load(*_parse_ref(ref))

    def warm(self) -> None:
        """Load the model and evaluate the pinned prompt's system message ahead of time."""
        if self.backend is not None:
            self.backend.load(self.prompt_template().system)

    def read(self, retrieved: Retrieved) -> Reading:
        """Rank the sentences of what was retrieved."""
        return self.reader.read(retrieved.query, retrieved.sources, retrieved.rule_query)

    def excerpts(self, reading: Reading) -> list[Excerpt]:
        """The compact excerpts a model reads (also `prompts render`)."""
        return reading_excerpts(reading, self.settings.prompt_excerpts, self.settings.prompt_chars)

    def answer(self, retrieved: Retrieved, on_token: OnEvent | None = None,
               template: PromptTemplate | None = None) -> Answer:
        """`template` overrides the pinned prompt (developers trying an edit). `on_token` gets
        a Preview as soon as the sentences are read, then the model's tokens."""
        reading = self.read(retrieved)
        sources = retrieved.sources
        template = template or self.prompt_template()
        base = Answer(REFUSAL, AnswerKind.REFUSAL, (), sources, self.backend_name, template.ref,
                      query=retrieved.query, support=max(reading.evidence, -1.0),
                      reading=reading, refusal_reason="evidence")
        if reading.best is None or reading.evidence < self.reading.min_evidence:
            self._emit(on_token, Preview(sources, None))
            return base
        found = fundstellen(reading, self.reading.alternatives, self.reading.alternative_margin,
                            self.reading.quote_chars)
        self._emit(on_token, Preview(sources, found[0], tuple(found),
                                     drafting=self.backend is not None))
        key_terms = self.terms(retrieved.query)
        conflict = ConflictFinder(self.terms, self.rarity).find(
            reading.asked, key_terms, sources[:CONFLICT_SOURCES])
        if conflict is not None:  # two levels disagree: say so, pick neither
            base = replace(base, sources=tuple(conflict.sources(list(sources)))).with_notes(
                "Zwei Ebenen der Normenhierarchie regeln das unterschiedlich")
            return self._finish(base, AnswerKind.QUOTE, conflict.text(), conflict.citations(),
                                answers=True, backend="extractive")
        if self.backend is None:
            return self._quote(base, found, key_terms, "extractive")
        excerpts = self.excerpts(reading)
        rendered = render_prompt(
            template, retrieved.query if retrieved.follow_up else retrieved.question, excerpts)
        base = replace(base, rendered_prompt=rendered,
                       draft=self._generate(rendered, template.system, on_token))
        parsed = parse_answer(base.draft, {e.n for e in excerpts})
        return self._decide(base, parsed, excerpts, found, key_terms)

    def _decide(self, base: Answer, parsed: ParsedAnswer, excerpts: list[Excerpt],
                found: list[Citation], key_terms: list[str]) -> Answer:
        """A checked answer when the model's sentences pass the check and address the
        question; else the Fundstellen stay (the model's refusal refuses only on evidence
        below `reader.model_refusal_min_evidence`)."""
        notes: list[str] = []
        if parsed.invalid_citations:
            notes.append("Verweise auf nicht vorhandene Auszüge entfernt: "
                         + ", ".join(f"[{n}]" for n in parsed.invalid_citations))
        if parsed.refused:
            if base.support < self.reading.model_refusal_min_evidence:
                return replace(base.with_notes(*notes), refusal_reason="model")
            notes.append("Das Modell fand in seinen Auszügen keine Antwort; die beste "
                         "Fundstelle wörtlich")
            return self._quote(base.with_notes(*notes), found, key_terms, self.backend_name)
        texts = {e.n: e.text for e in excerpts}
        checked = check_claims([(c.text, c.cited) for c in parsed.claims], texts, self.terms,
                               key_terms=key_terms, min_support=self.settings.sentence_support,
                               weight=self.rarity)
        base = replace(base, unsupported=tuple(checked.removed))
        if checked.grounded:
            kept = self._by_level(checked.kept, excerpts)
            answer_text = " ".join(self._sentence(c.sentence, c.supporting) for c in kept)
            asked = base.reading.asked if base.reading else frozenset()
            if asked & FIGURE_TYPES and not matches_type(answer_text, asked):
                notes.append("Gefragt war eine Zahl, Frist oder ein Betrag; die Antwort "
                             "des Modells nannte keine")
            elif self._answers(answer_text, found[0].quote, key_terms):
                by_n = {e.n: e for e in excerpts}
                cited: dict[int, Citation] = {}
                for c in kept:
                    for n in c.supporting:
                        cited.setdefault(n, by_n[n].citation(c.sentence, self.terms))
                further = [f for f in found if f.n not in cited]
                return self._finish(base.with_notes(*notes), AnswerKind.CHECKED, answer_text,
                                    by_level(list(cited.values())) + further, answers=True)
            else:
                notes.append("Die geprüfte Antwort des Modells ging an der Frage vorbei")
        elif parsed.claims:
            notes.append("Die Antwort des Modells ließ sich nicht belegen")
        return self._quote(base.with_notes(*notes), found, key_terms, self.backend_name)

    @staticmethod
    def _by_level(kept: Sequence[SentenceCheck], excerpts: Sequence[Excerpt]
                  ) -> list[SentenceCheck]:
        """Sentences resting on a higher level of the hierarchy of norms first (federal law
        before a Satzung before a Dienstanweisung); the model's order within a level."""
        rank = {e.n: NormLevel.of(e.source.metadata.get("doc_type")) for e in excerpts}
        return sorted(kept, key=lambda c: min((rank[n] for n in c.supporting), default=99))

    def _quote(self, base: Answer, found: list[Citation], key_terms: list[str],
               backend: str) -> Answer:
        """The Fundstellen as the answer: the best one, then the close ones."""
        parts = [f"„{found[0].quote}“ [{found[0].n}]"]
        parts += [f"{FURTHER}: „{c.quote}“ [{c.n}]" for c in found[1:]]
        return self._finish(base, AnswerKind.QUOTE, "\n\n".join(parts), found,
                            answers=self._holds_question(found[0], key_terms), backend=backend)

    @staticmethod
    def _finish(base: Answer, kind: AnswerKind, text: str, citations: Sequence[Citation], *,
                answers: bool, backend: str | None = None) -> Answer:
        return replace(base, answer=text, kind=kind, citations=tuple(citations),
                       answers_question=answers, refusal_reason="",
                       backend=backend if backend is not None else base.backend)

    @staticmethod
    def _sentence(text: str, numbers: Sequence[int]) -> str:
        body = text.rstrip().rstrip(".!?").rstrip()
        return body + "".join(f" [{n}]" for n in numbers) + "."

    def _answers(self, text: str, best: str, key_terms: list[str]) -> bool:
        """Does `text` address the question? It must cover most (HOLDS_QUESTION, weighted by
        rarity) of the question terms that the best passage covers: a correct sentence about
        the general dog tax does not answer a question about a Kampfhund."""
        wanted = set(key_terms)
        if not wanted:
            return True
        reach = weight_of(wanted & set(self.terms(best)), self.rarity)
        covered = weight_of(wanted & set(self.terms(text)), self.rarity)
        return reach > 0 and covered >= HOLDS_QUESTION * reach

    def _holds_question(self, citation: Citation, key_terms: list[str]) -> bool:
        """Does a quoted passage, read under its heading, hold most (HOLDS_QUESTION, weighted
        by rarity) of the question's terms? If not, staff are told it may not answer it."""
        held = self.terms(f"{citation.section or ''} {citation.quote}")
        return weighted_share(key_terms, held, self.rarity) >= HOLDS_QUESTION

    def _generate(self, rendered: str, system: str | None, on_token: OnEvent | None) -> str:
        assert self.backend is not None
        pieces: list[str] = []
        for piece in self.backend.stream(PromptText(rendered, system),
                                         max_tokens=self.llm.max_tokens):
            pieces.append(piece)
            self._emit(on_token, piece)
        return "".join(pieces).strip()

    @staticmethod
    def _emit(on_token: OnEvent | None, item: Any) -> None:
        if on_token is not None:
            on_token(item)


__all__ = ["REFUSAL", "Answer", "AnswerKind", "AnswerService", "Citation", "Preview",
           "Retrieved", "render_prompt"]
