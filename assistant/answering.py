"""Build answers a Verwaltung can trust: retrieve, refuse when evidence is thin, let the model
answer from numbered excerpts, check every sentence against the excerpt it cites.

What staff see is one of three kinds, and the label says which:
- **geprüfte Antwort** (`kind="checked"`): sentences written by the model, each supported by the
  excerpt it cites (facts present, figures next to the key terms), and together addressing the
  question. Only this kind has `grounded=True`.
- **Fundstelle (wörtlich)** (`kind="quote"`): the best passage, quoted verbatim. Nothing was
  claimed, so nothing was checked; staff read the passage themselves.
- **keine Angabe** (`kind="refusal"`): the evidence is too thin, the model found no answer in
  the excerpts, or none of its sentences survived the check on thin evidence.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.answer_protocol import REFUSAL_TOKEN, ParsedAnswer, parse_answer
from assistant.citations import Citation
from assistant.conversation import Turn, resolve_question
from assistant.excerpts import Excerpt, Similarity, build_excerpts
from assistant.grounding import (
    SentenceCheck,
    asks_for_number,
    best_passage,
    check_claims,
    states_figure,
)
from assistant.hierarchy import ConflictFinder, by_level
from assistant.llm.base import LLMBackend, PromptText
from assistant.prompting import PromptLibrary, PromptTemplate
from core.config import AnswerSettings, LLMSettings
from core.norm_levels import level
from vectorstore.results import SearchResult

log = logging.getLogger(__name__)

REFUSAL = "In den vorliegenden Dokumenten finde ich dazu keine Angabe."
TOPIC_SHARE = 0.6  # of the question terms the best passage covers, a checked answer must cover
CHECKED, QUOTE, REFUSED = "checked", "quote", "refusal"
LABELS = {CHECKED: "geprüfte Antwort", QUOTE: "Fundstelle (wörtlich)",
          REFUSED: "keine Angabe in den Unterlagen"}


@dataclass
class Answer:
    """The `rathaus ask --json` contract (see to_json)."""

    answer: str
    refused: bool
    citations: list[Citation]
    sources: list[SearchResult]
    grounded: bool
    unsupported: list[str]
    backend: str
    prompt: str
    kind: str = REFUSED
    answers_question: bool = False
    refusal_reason: str = ""  # evidence | model | check
    query: str = ""
    support: float = 0.0
    draft: str = ""
    notes: list[str] = field(default_factory=list)
    rendered_prompt: str = ""  # what the model was given (for the Prompt-Labor)
    as_of: str = ""  # the day (or range) whose versions were used, e.g. "01.03.2020"

    @property
    def label(self) -> str:
        return LABELS[self.kind]

    def to_json(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "refused": self.refused,
            "citations": [c.to_json() for c in self.citations],
            "sources": [s.to_json() for s in self.sources],
            "grounded": self.grounded,
            "unsupported": self.unsupported,
            "backend": self.backend,
            "prompt": self.prompt,
            "kind": self.kind,
            "label": self.label,
            "answers_question": self.answers_question,
            "as_of": self.as_of,
            "notes": self.notes,
        }


@dataclass(frozen=True)
class Preview:
    """Shown before the model writes: the sources and the best verbatim passage."""

    sources: list[SearchResult]
    passage: Citation | None


@dataclass(frozen=True)
class Redraft:
    """The model's first draft was a refusal; a second draft follows (streams start anew)."""


Retrieve = Callable[[str, int], list[SearchResult]]
Terms = Callable[[str], list[str]]
Support = Callable[[str, Sequence[SearchResult]], float]
Rarity = Callable[[str], float]
OnEvent = Callable[[Any], None]  # receives str tokens, one Preview, at most one Redraft


def render_prompt(template: PromptTemplate, question: str, excerpts: Sequence[Excerpt]) -> str:
    """The one way a prompt is rendered: answering and `rathaus prompts render` share it."""
    return template.render(question=question, sources=[e.to_prompt() for e in excerpts])


def _parse_ref(ref: str) -> tuple[str, int | None]:
    name, _, version = ref.partition("@")
    return name, int(version) if version else None


class AnswerService:
    """Answers one question (optionally in a conversation) from the indexed documents."""

    def __init__(self, *, retrieve: Retrieve, terms: Terms, support: Support,
                 backend: LLMBackend | None, llm: LLMSettings, settings: AnswerSettings,
                 prompts: PromptLibrary | None = None, rarity: Rarity | None = None,
                 similarity: Similarity | None = None) -> None:
        """`rarity` weighs terms (idf) when the grounding check decides which figure of an
        excerpt a sentence's key terms point at; `similarity` (the embedder) picks the Absätze
        the model reads."""
        self.retrieve = retrieve
        self.terms = terms
        self.rarity = rarity or (lambda _term: 1.0)
        self.similarity = similarity
        self.support = support
        self.backend = backend
        self.llm = llm
        self.settings = settings
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

    def excerpts(self, question: str, sources: Sequence[SearchResult]) -> list[Excerpt]:
        """The compact excerpts a model reads for `question` (also `prompts render`)."""
        return build_excerpts(question, sources, self.terms, budget_chars=self.settings.prompt_chars,
                              max_excerpts=self.settings.prompt_excerpts,
                              similarity=self.similarity)

    def ask(self, question: str, history: Sequence[Turn] = (),
            on_token: OnEvent | None = None, template: PromptTemplate | None = None) -> Answer:
        """`template` overrides the pinned prompt (developers trying an edit). `on_token` gets
        a Preview as soon as the sources are known, then the model's tokens."""
        query = resolve_question(question, history, self.settings.history_turns)
        sources = self.retrieve(query, self.settings.k)
        template = template or self.prompt_template()
        support = self.support(query, sources) if sources else 0.0
        base = Answer(REFUSAL, True, [], sources, False, [], self.backend_name, template.ref,
                      query=query, support=support, refusal_reason="evidence")
        if not sources or support < self.settings.min_support:
            self._emit(on_token, Preview(sources, None))
            return base
        key_terms = self.terms(query)
        excerpts = self.excerpts(query, sources)
        passage = self._passage(sources, excerpts, key_terms, asks_for_number(query))
        self._emit(on_token, Preview(sources, passage))
        conflict = ConflictFinder(self.terms, self.rarity).find(query, key_terms, sources)
        if conflict is not None:  # two levels disagree: say so, pick neither
            base.notes.append("Zwei Ebenen der Normenhierarchie regeln das unterschiedlich")
            base.sources = conflict.sources(sources)
            return self._finish(base, QUOTE, conflict.text(), conflict.citations(),
                                grounded=False, answers=True, backend="extractive")
        if self.backend is None:  # no model verdict: the evidence score alone decides
            if support < self.settings.quote_min_support:
                return base
            return self._quote(base, passage, key_terms, "extractive")
        base.rendered_prompt = render_prompt(template, question if not history else query,
                                             excerpts)
        base.draft = self._generate(base.rendered_prompt, template.system, on_token)
        parsed = parse_answer(base.draft, {e.n for e in excerpts})
        if parsed.refused and self._second_look(support):
            return self._second_draft(base, template, excerpts, passage, key_terms, on_token)
        return self._decide(base, parsed, excerpts, passage, key_terms)

    def _second_look(self, support: float) -> bool:
        return (support >= self.settings.second_look_min_support
                and getattr(self.backend, "can_forbid", False))

    def _second_draft(self, base: Answer, template: PromptTemplate, excerpts: list[Excerpt],
                      passage: Citation, key_terms: list[str], on_token: OnEvent | None) -> Answer:
        """A small model refuses many questions its excerpts do answer. With strong evidence
        it writes once more without the refusal token; only a draft that passes the sentence
        check and addresses the question is shown, otherwise the model's refusal stands."""
        self._emit(on_token, Redraft())
        first = base.draft
        base.draft = self._generate(base.rendered_prompt, template.system, on_token,
                                    forbid=[REFUSAL_TOKEN])
        parsed = parse_answer(base.draft, {e.n for e in excerpts})
        decided = self._decide(base, parsed, excerpts, passage, key_terms, fallback=False)
        if decided.kind == CHECKED:
            decided.notes.append("Zweiter Entwurf: das Modell fand zuerst keine Antwort")
            return decided
        decided.draft = f"{first}\n---\n{base.draft}"
        decided.refusal_reason = "model"
        return decided

    def _decide(self, base: Answer, parsed: ParsedAnswer, excerpts: list[Excerpt],
                passage: Citation, key_terms: list[str], fallback: bool = True) -> Answer:
        """Model verdict and evidence score together decide what staff see; without
        `fallback` only a checked answer or a refusal comes out."""
        strong = base.support >= self.settings.quote_min_support
        if parsed.invalid_citations:
            base.notes.append("Verweise auf nicht vorhandene Auszüge entfernt: "
                              + ", ".join(f"[{n}]" for n in parsed.invalid_citations))
        if parsed.refused:
            if strong and self.settings.quote_when_model_refuses:
                base.notes.append("Das Modell fand keine Antwort; die beste Fundstelle wörtlich")
                return self._quote(base, passage, key_terms, self.backend_name)
            base.refusal_reason = "model"
            return base
        texts = {e.n: e.text for e in excerpts}
        checked = check_claims([(c.text, c.cited) for c in parsed.claims], texts, self.terms,
                               key_terms=key_terms, min_support=self.settings.sentence_support,
                               weight=self.rarity)
        base.unsupported = checked.removed
        if checked.grounded:
            kept = self._by_level(checked.kept, excerpts)
            answer_text = " ".join(self._sentence(c.sentence, c.supporting) for c in kept)
            if asks_for_number(base.query) and not states_figure(answer_text):
                base.notes.append("Gefragt war eine Zahl, Frist oder ein Betrag; die Antwort "
                                  "des Modells nannte keine")
            elif self._answers(answer_text, passage.quote, key_terms):
                by_n = {e.n: e for e in excerpts}
                citations = {}
                for c in kept:
                    for n in c.supporting:
                        citations.setdefault(n, by_n[n].citation(c.sentence, self.terms))
                return self._finish(base, CHECKED, answer_text, by_level(list(citations.values())),
                                    grounded=True, answers=True)
            else:
                base.notes.append("Die geprüfte Antwort des Modells ging an der Frage vorbei")
        elif parsed.claims:
            base.notes.append("Die Antwort des Modells ließ sich nicht belegen")
        if strong and fallback:
            return self._quote(base, passage, key_terms, self.backend_name)
        base.refusal_reason = "check"
        return base

    @staticmethod
    def _by_level(kept: Sequence[SentenceCheck], excerpts: Sequence[Excerpt]
                  ) -> list[SentenceCheck]:
        """Sentences resting on a higher level of the hierarchy of norms first (federal law
        before a Satzung before a Dienstanweisung); the model's order within a level."""
        rank = {e.n: level(e.source.metadata.get("doc_type"))[0] for e in excerpts}
        return sorted(kept, key=lambda c: min((rank[n] for n in c.supporting), default=99))

    def _quote(self, base: Answer, passage: Citation, key_terms: list[str],
               backend: str) -> Answer:
        text = f"„{passage.quote}“ [{passage.n}]"
        return self._finish(base, QUOTE, text, [passage], grounded=False,
                            answers=self._holds_question(passage.quote, key_terms),
                            backend=backend)

    @staticmethod
    def _finish(base: Answer, kind: str, text: str, citations: list[Citation], *,
                grounded: bool, answers: bool, backend: str | None = None) -> Answer:
        base.answer, base.refused, base.kind, base.citations = text, False, kind, citations
        base.grounded, base.answers_question, base.refusal_reason = grounded, answers, ""
        if backend is not None:
            base.backend = backend
        return base

    @staticmethod
    def _sentence(text: str, numbers: Sequence[int]) -> str:
        body = text.rstrip().rstrip(".!?").rstrip()
        return body + "".join(f" [{n}]" for n in numbers) + "."

    def _answers(self, text: str, best: str, key_terms: list[str]) -> bool:
        """Does `text` address the question? It must cover most (TOPIC_SHARE, weighted by
        rarity) of the question terms that the best passage covers: a correct sentence about
        the general dog tax does not answer a question about a Kampfhund."""
        wanted = set(key_terms)
        if not wanted:
            return True
        reach = sum(self.rarity(t) for t in wanted & set(self.terms(best)))
        covered = sum(self.rarity(t) for t in wanted & set(self.terms(text)))
        return reach > 0 and covered >= TOPIC_SHARE * reach

    def _holds_question(self, text: str, key_terms: list[str]) -> bool:
        """Does a quoted passage hold most (TOPIC_SHARE, weighted by rarity) of the question's
        terms? If not, staff are told it may not answer the question."""
        wanted = set(key_terms)
        total = sum(self.rarity(t) for t in wanted)
        covered = sum(self.rarity(t) for t in wanted & set(self.terms(text)))
        return total > 0 and covered >= TOPIC_SHARE * total

    def _passage(self, sources: list[SearchResult], excerpts: list[Excerpt],
                 key_terms: list[str], wants_number: bool) -> Citation:
        """The best verbatim passage, shown at once as a Fundstelle: the top source's piece
        the excerpt builder ranked first, else its best Absatz by shared terms."""
        first = next((e for e in excerpts if e.n == 1), None)
        if first is not None and self.similarity is not None:
            return first.citation(" ".join(key_terms), self.terms)
        top = sources[0]
        quote = best_passage(top.text, key_terms, self.terms, wants_number=wants_number)
        return Citation.of(1, top, quote)

    def _generate(self, rendered: str, system: str | None, on_token: OnEvent | None,
                  forbid: Sequence[str] = ()) -> str:
        assert self.backend is not None
        pieces: list[str] = []
        extra = {"forbid": forbid} if forbid else {}
        for piece in self.backend.stream(PromptText(rendered, system),
                                         max_tokens=self.llm.max_tokens, **extra):
            pieces.append(piece)
            self._emit(on_token, piece)
        return "".join(pieces).strip()

    @staticmethod
    def _emit(on_token: OnEvent | None, item: Any) -> None:
        if on_token is not None:
            on_token(item)


__all__ = ["REFUSAL", "Answer", "AnswerService", "Citation", "Preview", "Redraft",
           "render_prompt"]
