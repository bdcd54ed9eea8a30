"""Asking: one short pipeline, always with the asker's rights, always audited.

rights (once, at the boundary) → the day asked about → retrieve (place scope, filters inside
the stores) → answer (the sources handed in; the answer step never searches) → version notes →
audit. Every path that answers a question (chat, `rathaus ask`, the OpenAI API, the
Prompt-Labor, evaluation runs) goes through `AskingService.ask`, which writes the audit entry
itself: a caller cannot forget it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property

from assistant.answer.answering import AnswerService, render_prompt
from assistant.answer.conversation import Turn, resolve_question
from assistant.answer.prompting import PromptLibrary, PromptTemplate
from assistant.answer.reading import Reading, SentenceReader
from assistant.answer.result import Answer, AnswerKind, Retrieved
from assistant.evaluation.harness import EvalSummary, Question, QuestionResult
from assistant.identity.access import AccessService, ReadScope
from assistant.identity.accounts import User
from assistant.llm.base import LLMBackend
from assistant.records.audit import AuditEntry, AuditLog
from assistant.user_text import clean
from assistant.versions.as_of import AsOf, day_before, question_as_of
from assistant.versions.changes import ChangeAnswer, ChangeAnswerer
from assistant.versions.compare import Comparison, VersionComparer
from core.config import AnswerSettings, LLMSettings, ReaderSettings
from core.errors import AssistantError
from legal.dates import parse_date
from legal.questions import asks_what_changed, interrogative_clause
from vectorstore.embedders.base import Embedder
from vectorstore.filters import RetrievalFilter
from vectorstore.lexical.keyword_index import KeywordIndex
from vectorstore.protocols import Retriever
from vectorstore.results import SearchResult, source_label
from vectorstore.scope import PlaceFinder

log = logging.getLogger(__name__)
MAX_QUESTION_CHARS = 4000  # a question, not a pasted file: retrieval and audit stay bounded


@dataclass(frozen=True)
class RenderedPrompt:
    """Exactly what the model is given for a question (`rathaus prompts render`)."""

    system: str | None
    prompt: str


class AskingService:
    """Search, ask and evaluate over the collections the asking user may read."""

    def __init__(self, *, retriever: Retriever, keyword: KeywordIndex, embedder: Embedder,
                 pending_paths: Callable[[], Sequence[str]], access: AccessService,
                 audit: AuditLog, backend: Callable[[], LLMBackend | None],
                 prompts: PromptLibrary,
                 llm: LLMSettings, answer: AnswerSettings, reader: SentenceReader,
                 reading: ReaderSettings, place_scope: bool = True,
                 today: Callable[[], date] = date.today,
                 compare: Callable[[], VersionComparer] | None = None) -> None:
        """`pending_paths` names documents being written (never returned); `backend` chooses
        the LLM on the first answer (None: extractive), so a search never loads or contacts a
        model; `place_scope` keeps a question naming a Gemeinde away from other Gemeinden's
        Satzungen; `compare` answers "what changed" questions from two versions of a norm;
        `reader` ranks the sentences of what was retrieved (`reading`: its thresholds)."""
        self.retriever = retriever
        self.keyword = keyword
        self.embedder = embedder
        self.pending_paths = pending_paths
        self.access = access
        self.audit = audit
        self.choose_backend = backend
        self.prompts = prompts
        self.llm = llm
        self.answer_settings = answer
        self.reader = reader
        self.reader_settings = reading
        self.place_scope_enabled = place_scope
        self.places = PlaceFinder(keyword)
        self.today = today  # versions in force on this day unless a question names another
        self.comparer = compare

    # ------------------------------------------------------------------ rights
    def scope(self, user: User | None = None, collections: Sequence[str] | None = None
              ) -> ReadScope:
        """The one rights check of a request; every stage after it reads the scope."""
        return self.access.scope(user, collections)

    # ------------------------------------------------------------------ retrieval
    def search(
        self, query: str, *, k: int = 5, collections: Sequence[str] | None = None,
        docs: Sequence[str] | None = None, doc_types: Sequence[str] | None = None,
        valid_at: str | None = None, user: User | None = None, valid_until: str | None = None,
        scope: ReadScope | None = None,
    ) -> list[SearchResult]:
        """Retrieve passages the user may read; documents being written are never returned.
        Only versions in force on `valid_at` (today by default; with `valid_until`, at some
        day of that range) are searched. `scope`: rights already checked by the caller."""
        return self._search(clean(query), k, scope or self.scope(user, collections), docs=docs,
                            doc_types=doc_types, valid_at=valid_at, valid_until=valid_until)

    def _search(self, query: str, k: int, scope: ReadScope, *,
                docs: Sequence[str] | None = None, doc_types: Sequence[str] | None = None,
                valid_at: str | None = None, valid_until: str | None = None,
                place: tuple[set[str], str] | None = None) -> list[SearchResult]:
        """The rights become part of the filter the stores apply inside the query; documents
        being written are excluded there and checked again after the query. `place`: the
        question's place scope, when the caller computed it already."""
        if not query.strip():
            raise AssistantError("Bitte eine Frage oder Suchbegriffe eingeben", "empty query")
        if scope.reads_nothing:
            return []
        other_places, dense_query = place or self.place_scope(query)
        flt = RetrievalFilter.of(
            collections=scope.collections, docs=docs, doc_types=doc_types,
            valid_at=valid_at or self.today().isoformat(), valid_until=valid_until,
            exclude_paths=self.pending_paths(), exclude_docs=other_places,
        )
        results = self.retriever.retrieve(query, k, flt, dense_query=dense_query,
                                          focus_query=interrogative_clause(dense_query))
        # a document journalled as pending while the query ran is being written: its chunks
        # may be incomplete, so it is dropped too (found by tests/integration/test_concurrent_use)
        pending = set(self.pending_paths())
        return [r for r in results if r.path not in pending] if pending else results

    def place_scope(self, query: str) -> tuple[set[str], str]:
        """Documents of another Gemeinde than the one the question names, and the question
        without the Gemeinde's name for the embedder (see vectorstore/scope.py)."""
        if not self.place_scope_enabled:
            return set(), query
        scopes = self.places.scopes()
        return (scopes.out_of_scope(self.keyword.query_terms(query)),
                scopes.without_places(query, self.keyword.analyzer.terms))

    def retrieve(self, question: str, history: Sequence[Turn], scope: ReadScope,
                 when: AsOf | None = None, k: int | None = None) -> Retrieved:
        """The retrieve stage of answering: a follow-up joined with the question before it,
        `k` passages (default `answer.k`) of the versions in force on the day asked about, and
        the rule query sentences are compared with (the question without the Gemeinde)."""
        query = resolve_question(question, history, self.answer_settings.history_turns)
        place = self.place_scope(query)
        sources = self._search(
            query, k or self.answer_settings.k, scope, place=place,
            valid_at=when.start.isoformat() if when else None,
            valid_until=when.end.isoformat() if when else None)
        return Retrieved(question, query, tuple(sources), place[1], follow_up=bool(history))

    def read(self, question: str, scope: ReadScope | None = None, when: AsOf | None = None,
             k: int | None = None) -> tuple[list[SearchResult], Reading]:
        """Retrieve, then rank the sentences (benchmarks fit the reader on this)."""
        retrieved = self.retrieve(question, (), scope or self.scope(), when, k)
        return list(retrieved.sources), self.answers.read(retrieved)

    def example_questions(self, user: User | None, collection: Sequence[str] | None, n: int = 4
                          ) -> list[str]:
        """Questions made from the headings of the collections the user may read."""
        from assistant.examples import example_questions

        allowed = self.scope(user, collection).collections
        names = allowed if allowed is not None else self.access.collections()
        return example_questions(self.keyword.mirror.sections(names), n)

    # ------------------------------------------------------------------ answers
    @cached_property
    def backend(self) -> LLMBackend | None:
        return self.choose_backend()

    @property
    def backend_name(self) -> str:
        return self.backend.name if self.backend else "extractive"

    @cached_property
    def answers(self) -> AnswerService:
        """The answer step, built on the first answer (it chooses the LLM backend)."""
        return AnswerService(
            reader=self.reader, terms=self.keyword.analyzer.terms, backend=self.backend,
            llm=self.llm, settings=self.answer_settings, reading=self.reader_settings,
            prompts=self.prompts, rarity=self.keyword.idf)

    def pinned_template(self) -> PromptTemplate:
        """The prompt version settings pin for the configured backend."""
        return self.answers.prompt_template()

    def pinned_refs(self) -> set[str]:
        return {self.answer_settings.prompt_chat, self.answer_settings.prompt_completion}

    def warm(self) -> None:
        """Load the embedding model and the LLM before the first visitor asks."""
        self.embedder.embed_query("Aufwärmen")
        self.answers.warm()

    def ask(self, question: str, *, collections: Sequence[str] | None = None,
            history: Sequence[Turn] = (), on_token: Callable[[object], None] | None = None,
            user: User | None = None, template: PromptTemplate | None = None,
            as_of: str | None = None, scope: ReadScope | None = None) -> Answer:
        """Answer with the user's rights and record the audit entry (every caller, every path).

        `scope`: the rights, when the caller checked them already (else `user` and
        `collections` are checked here, once). `template` overrides the pinned prompt (the
        Prompt-Labor); `on_token` receives a Preview, then the model's tokens."""
        question, as_of = clean(question), clean(as_of) if as_of else as_of
        history = [Turn(clean(t.question), clean(t.answer)) for t in history]
        if not question.strip():
            raise AssistantError("Bitte eine Frage eingeben", "empty question")
        if len(question) > MAX_QUESTION_CHARS:
            raise AssistantError(f"Die Frage ist zu lang ({len(question):,} Zeichen, höchstens "
                                 f"{MAX_QUESTION_CHARS:,}) – bitte kürzer fassen."
                                 .replace(",", "."), f"question of {len(question)} chars")
        scope = scope or self.scope(user, collections)
        when = self.as_of(question, as_of, scope)
        answer = self.change_answer(question, when, scope)
        if answer is None:  # a change answer names both versions itself
            retrieved = self.retrieve(when.question or question, history, scope, when)
            answer = self.with_version_notes(
                self.answers.answer(retrieved, on_token, template), scope)
        answer = replace(answer, as_of=when.label())
        log.info("answer backend=%s prompt=%s refused=%s grounded=%s support=%.2f",
                 answer.backend, answer.prompt, answer.refused, answer.grounded, answer.support)
        self.audit.record(AuditEntry(
            user=scope.asker, collection=",".join(scope.requested) or "*", question=question,
            sources=[source_label(c.doc, c.section, c.page) for c in answer.citations],
            backend=answer.backend, prompt=answer.prompt, refused=answer.refused))
        return answer

    def as_of(self, question: str, given: str | None = None, scope: ReadScope | None = None
              ) -> AsOf:
        """The day (or year) the question is about; "vor der Änderung" becomes the day before
        today's version of the norm found first began."""
        when = question_as_of(question, self.today(), given)
        if not when.before_change:
            return when
        top = self._search(when.question, 1, scope or self.scope())
        before = day_before(top[0].metadata.get("valid_from")) if top else None
        if before is None:
            return AsOf.day(self.today(), when.question, named=False)
        return AsOf.day(before, when.question)

    def change_answer(self, question: str, when: AsOf, scope: ReadScope) -> Answer | None:
        """A "what changed" question about a norm with an earlier version, answered from the
        comparison of both versions (None: not such a question, or no earlier version)."""
        if self.comparer is None or when.before_change or not asks_what_changed(question):
            return None

        def search(query: str, k: int, docs: Sequence[str] | None,
                   valid_at: str | None) -> list[SearchResult]:
            return self._search(query, k, scope, docs=docs, valid_at=valid_at)

        found = ChangeAnswerer(search, self.comparer(), self.keyword.analyzer.terms,
                               scope.collections).answer(when.question or question, when.end)
        return self._from_change(found) if found else None

    def compare(self, norm: str, first: str, second: str, user: User | None = None
                ) -> Comparison:
        """What changed between the versions of `norm` in force on two days, among the
        versions the user may read (the chat's compare view)."""
        if self.comparer is None:
            raise AssistantError("Fassungsvergleich nicht verfügbar", "no comparer configured")
        days = [question_as_of("", self.today(), clean(given)) for given in (first, second)]
        return self.comparer().compare(clean(norm), days[0].start, days[1].start,
                                       self.scope(user).collections)

    def _from_change(self, change: ChangeAnswer) -> Answer:
        rule_query = self.place_scope(change.query)[1]
        return Answer(
            change.text, AnswerKind.CHECKED, tuple(change.citations), tuple(change.sources),
            backend="extractive", prompt="vergleich", answers_question=True,
            query=change.query, support=self.reader.read(
                change.query, change.sources, rule_query).evidence,
            notes=("Aus dem Wortlaut beider Fassungen verglichen (rathaus compare)",))

    def with_version_notes(self, answer: Answer, scope: ReadScope) -> Answer:
        """One sentence per cited version that is not in force today, naming today's
        version and its passage; that passage joins the answer's sources, so the chat shows it
        under its number beside the cited one."""
        today = self.today()
        notes = []
        sources = list(answer.sources)
        for citation in answer.citations:
            ends = parse_date(citation.valid_to)
            if ends is None or ends >= today:
                continue
            label = source_label(citation.doc, citation.section, citation.page)
            current = ""
            if citation.superseded_by:
                hits = self._search(f"{citation.section or ''} {answer.query}", 1, scope,
                                    docs=[citation.superseded_by])
                if hits:
                    top = hits[0]
                    if top.chunk_id not in [s.chunk_id for s in sources]:
                        sources.append(top)
                    n = [s.chunk_id for s in sources].index(top.chunk_id) + 1
                    current = (f"; heute gilt: [{n}] "
                               f"{source_label(top.doc, top.section, top.page)}")
            notes.append(f"[{citation.n}] {label} ({citation.version_label()}) gilt heute "
                         f"nicht mehr{current}.")
        return replace(answer, sources=tuple(sources)).with_notes(*notes)

    def render_prompt(self, question: str, template: PromptTemplate, *,
                      collections: Sequence[str] | None = None, user: User | None = None,
                      k: int | None = None) -> RenderedPrompt:
        """The prompt `ask` would give the model for `question`: same retrieval, same
        excerpts, same rendering function."""
        _, reading = self.read(question, self.scope(user, collections), k=k)
        text = render_prompt(template, question, self.answers.excerpts(reading))
        return RenderedPrompt(template.system, text)

    # ------------------------------------------------------------------ evaluation
    def evaluate(self, questions: Sequence[Question], *,
                 collections: Sequence[str] | None = None, k: int = 10,
                 retrieval_only: bool = False, user: User | None = None,
                 template: PromptTemplate | None = None
                 ) -> tuple[list[QuestionResult], EvalSummary]:
        """Run a question file: per-question rows and the summary (retrieval + answer metrics).

        Shared by `rathaus eval` and the Prompt-Labor, so both report the same numbers."""
        from assistant.evaluation.harness import run_retrieval_eval, summarise
        from assistant.evaluation.metrics import answer_metrics, reading_metrics, reading_outcome

        scope = self.scope(user, collections)
        rows = run_retrieval_eval(
            questions, lambda q, n: self.search(q, k=n, scope=scope), k=k)
        extra: dict = {}
        if not retrieval_only:
            for row in rows:
                answer = self.ask(row.question.question, scope=scope, template=template)
                row.answer = answer.to_json()
                row.reading = reading_outcome(row.question, answer)
            extra = {**answer_metrics(rows), **reading_metrics(rows)}
        summary = summarise(rows)
        summary.metrics.update(extra)
        return rows, summary
