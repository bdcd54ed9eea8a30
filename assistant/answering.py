"""Build trustworthy answers: retrieve, refuse when evidence is thin, generate, cite, check.

Every answer carries numbered citations with verbatim quotes from the retrieved chunks, the
backend that wrote it and the pinned prompt version. Sentences the grounding check cannot trace
to their quotes are removed; when nothing survives, the answer falls back to the quotes
themselves (extractive), which are grounded by construction.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.config import AnswerSettings, LLMSettings
from assistant.conversation import Turn, resolve_question
from assistant.grounding import asks_for_number, attach_citations, best_passage, check_answer
from assistant.llm.base import LLMBackend, PromptText
from assistant.prompting import PromptLibrary, PromptTemplate
from ingest.sentences import split_sentences
from vectorstore.results import SearchResult

log = logging.getLogger(__name__)

REFUSAL = "In den vorliegenden Dokumenten finde ich dazu keine Angabe."
SOURCE_CHARS = 900  # per source in a chat prompt
SMALL_MODEL_SOURCES = 3  # a completion (small base) model reads the top three excerpts ...
QUOTE_CHARS = 320  # ... each cut to its key sentences: prompt evaluation dominates its latency
TOPIC_SHARE = 0.6  # of the extractive answer's question-term coverage a draft must reach


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit] + " …"


@dataclass
class Citation:
    n: int
    doc: str
    section: str | None
    page: int | None
    quote: str

    def to_json(self) -> dict[str, Any]:
        return {"n": self.n, "doc": self.doc, "section": self.section, "page": self.page,
                "quote": self.quote}


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
    query: str = ""
    support: float = 0.0
    draft: str = ""
    notes: list[str] = field(default_factory=list)
    rendered_prompt: str = ""  # what the model was given (for the Prompt-Labor)

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
        }


Retrieve = Callable[[str, int], list[SearchResult]]
Terms = Callable[[str], list[str]]
Support = Callable[[str, Sequence[SearchResult]], float]


def _parse_ref(ref: str) -> tuple[str, int | None]:
    name, _, version = ref.partition("@")
    return name, int(version) if version else None


class AnswerService:
    """Answers one question (optionally in a conversation) from the indexed documents."""

    def __init__(self, *, retrieve: Retrieve, terms: Terms, support: Support,
                 backend: LLMBackend | None, llm: LLMSettings, settings: AnswerSettings,
                 prompts: PromptLibrary | None = None) -> None:
        self.retrieve = retrieve
        self.terms = terms
        self.support = support
        self.backend = backend
        self.llm = llm
        self.settings = settings
        self.prompts = prompts or PromptLibrary()

    @property
    def backend_name(self) -> str:
        return self.backend.name if self.backend else "extractive"

    def prompt_template(self) -> PromptTemplate:
        ref = (self.settings.prompt_chat if self.backend is not None and self.backend.kind == "chat"
               else self.settings.prompt_completion)
        return self.prompts.load(*_parse_ref(ref))

    def ask(self, question: str, history: Sequence[Turn] = (),
            on_token: Callable[[str], None] | None = None,
            template: PromptTemplate | None = None) -> Answer:
        """`template` overrides the pinned prompt (developers trying an edit)."""
        query = resolve_question(question, history, self.settings.history_turns)
        sources = self.retrieve(query, self.settings.k)
        template = template or self.prompt_template()
        support = self.support(query, sources) if sources else 0.0
        if not sources or support < self.settings.min_support:
            return Answer(REFUSAL, True, [], sources, True, [], self.backend_name, template.ref,
                          query=query, support=support)
        query_terms = self.terms(query)
        wants_number = asks_for_number(query)
        quotes = {i + 1: best_passage(s.text, query_terms, self.terms, wants_number=wants_number)
                  for i, s in enumerate(sources)}
        draft, backend_used, rendered = "", "extractive", ""
        if self.backend is not None:
            rendered = self._render(template, question if not history else query, sources, quotes)
            draft = self._generate(rendered, template.system, on_token)
            backend_used = self.backend.name
        answer = self._finish(draft, sources, quotes, query_terms)
        answer.backend = backend_used if answer.draft_kept else "extractive"
        answer.prompt, answer.query, answer.support, answer.draft = (
            template.ref, query, support, draft)
        answer.rendered_prompt = rendered
        if draft and not answer.draft_kept:
            answer.notes.append(f"Antwort des Modells ({backend_used}) nicht belegt oder nicht "
                                "zur Frage passend – stattdessen wörtliche Zitate")
        if on_token is not None and self.backend is None:
            on_token(answer.answer)
        return answer

    def _render(self, template: PromptTemplate, question: str, sources: list[SearchResult],
                quotes: dict[int, str]) -> str:
        assert self.backend is not None
        shown = sources if self.backend.kind == "chat" else sources[:SMALL_MODEL_SOURCES]
        items = [{"n": i + 1, "title": s.title or s.doc, "section": s.section, "page": s.page,
                  "text": " ".join(s.text.split())[:SOURCE_CHARS],
                  "quote": _shorten(quotes[i + 1], QUOTE_CHARS)}
                 for i, s in enumerate(shown)]
        return template.render(question=question, sources=items)

    def _generate(self, rendered: str, system: str | None,
                  on_token: Callable[[str], None] | None) -> str:
        assert self.backend is not None
        prompt = PromptText(rendered, system)
        pieces: list[str] = []
        for piece in self.backend.stream(prompt, max_tokens=self.llm.max_tokens):
            pieces.append(piece)
            if on_token is not None:
                on_token(piece)
        return _clean_generation("".join(pieces))

    def _finish(self, draft: str, sources: list[SearchResult], quotes: dict[int, str],
                query_terms: list[str]) -> _Built:
        texts = {n: sources[n - 1].text for n in quotes}
        removed: list[str] = []
        text, numbers = self._extractive(quotes, query_terms)
        if draft and draft.strip() != REFUSAL:
            checked = check_answer(draft, texts, self.terms, self.settings.sentence_support)
            removed = checked.removed
            if checked.grounded and self._on_topic(checked.text, text, query_terms):
                kept = list(dict.fromkeys(n for _, ns in checked.kept for n in ns))
                return _Built(checked.text, False, self._citations(kept, sources, quotes),
                              sources, True, removed, "", "", draft_kept=True)
        return _Built(text, False, self._citations(numbers, sources, quotes), sources, True,
                      removed, "", "", draft_kept=False)

    def _on_topic(self, draft: str, extractive: str, query_terms: list[str]) -> bool:
        """A grounded draft must also answer *this* question: it has to cover at least
        TOPIC_SHARE of the question terms that quoting the best passage covers. A small model
        sometimes copies a correct sentence from the wrong excerpt; grounding alone passes it."""
        wanted = set(query_terms)
        if not wanted:
            return True
        reach = len(wanted & set(self.terms(extractive)))
        return len(wanted & set(self.terms(draft))) >= TOPIC_SHARE * reach

    def _extractive(self, quotes: dict[int, str], query_terms: list[str]) -> tuple[str, list[int]]:
        """The best-ranked source's key sentences, quoted; a second source only when it covers
        question terms the first lacks. Retrieval order decides: it already weighs the terms."""
        wanted = set(query_terms)
        order = sorted(quotes)
        chosen = order[:1]
        covered = wanted & set(self.terms(quotes[order[0]])) if order else set()
        for n in order[1:3]:
            if (wanted & set(self.terms(quotes[n]))) - covered:
                chosen.append(n)
                break
        text = " ".join(f"„{quotes[n]}“ [{n}]" for n in chosen)
        return text, chosen

    @staticmethod
    def _citations(numbers: Sequence[int], sources: list[SearchResult],
                   quotes: dict[int, str]) -> list[Citation]:
        return [Citation(n, sources[n - 1].doc, sources[n - 1].section, sources[n - 1].page,
                         quotes[n]) for n in numbers if n in quotes]


@dataclass
class _Built(Answer):
    draft_kept: bool = False


_SOURCE_HEADER = re.compile(r"\[(\d{1,2})\]\s+[^\[\]:]{3,200}?(?:§\s*\d+[a-z]?[^:]{0,120})?:\s*")
_ABSATZ = re.compile(r"^\(\d+[a-z]?\)\s*")
MAX_SENTENCES = 3
MIN_WORDS = 4  # shorter pieces are list fragments ("1."), not statements


def _clean_generation(text: str) -> str:
    """Normalise what a small base model writes.

    It often repeats the excerpt format ("[1] Titel, § 5: Text"); that becomes "Text [1]", so
    the grounding check can verify the copied text against excerpt 1. A last sentence cut off
    by the token limit is dropped, and the answer is kept to a few sentences.
    """
    text = re.split(r"\n\s*\n|\nFrage:|\nAuszüge:", text.strip())[0]
    parts = []
    pieces = _SOURCE_HEADER.split(text)
    if len(pieces) > 1:  # [lead, n, body, n, body, ...]
        if pieces[0].strip():
            parts.append(pieces[0].strip())
        for n, body in zip(pieces[1::2], pieces[2::2]):
            body = _ABSATZ.sub("", " ".join(body.split()))
            if body:
                parts.append(f"{body.rstrip()} [{n}]")
        text = " ".join(parts)
    text = attach_citations(" ".join(text.split()))
    sentences = [x.strip() for x in split_sentences(text) if x.strip()]
    if sentences and not re.search(r"[.!?]\s*(\[\d+\]\s*)*$", sentences[-1]):
        sentences.pop()  # cut off by the token limit
    sentences = [x for x in sentences if len(x.split()) >= MIN_WORDS]
    return " ".join(s.strip() for s in sentences[:MAX_SENTENCES])


__all__ = ["REFUSAL", "Answer", "AnswerService", "Citation"]
