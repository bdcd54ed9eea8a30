"""Asking: search, answer and evaluate, always with the asker's rights, always audited.

Every path that answers a question (chat, `rathaus ask`, the Prompt-Labor, evaluation runs and
any later API) goes through `AskingService.ask`, which writes the audit entry itself: a caller
cannot forget it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from assistant.answer.answering import CHECKED, Answer, AnswerService, render_prompt
from assistant.answer.conversation import Turn
from assistant.answer.prompting import PromptLibrary, PromptTemplate
from assistant.answer.reading import SentenceReader
from assistant.evaluation.harness import EvalSummary, Question, QuestionResult
from assistant.identity.access import AccessService
from assistant.identity.accounts import User
from assistant.llm.base import LLMBackend
from assistant.records.audit import AuditEntry, AuditLog
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

LOCAL_OPERATOR = "cli"
"""Audit name of a request made without a user (the operator on the server's command line)."""


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

    # ------------------------------------------------------------------ retrieval
    def search(
        self, query: str, *, k: int = 5, collections: Sequence[str] | None = None,
        docs: Sequence[str] | None = None, doc_types: Sequence[str] | None = None,
        valid_at: str | None = None, user: User | None = None, valid_until: str | None = None,
    ) -> list[SearchResult]:
        """Retrieve passages the user may read; documents being written are never returned.
        Only versions in force on `valid_at` (today by default; with `valid_until`, at some
        day of that range) are searched.

        The rights become part of the filter the stores apply inside the query; documents being
        written are excluded there and checked again after the query."""
        if not query.strip():
            raise AssistantError("Bitte eine Frage oder Suchbegriffe eingeben", "empty query")
        allowed = self.access.allowed_collections(user, collections)
        if allowed is not None and not allowed:
            return []
        other_places, dense_query = self.place_scope(query)
        flt = RetrievalFilter.of(
            collections=allowed, docs=docs, doc_types=doc_types,
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

    def rule_query(self, query: str) -> str:
        """What the embedder compares passages and sentences with: like retrieval, it asks
        for the rule, not for the Gemeinde the question names."""
        return self.place_scope(query)[1]

    def example_questions(self, user: User | None, collection: Sequence[str] | None, n: int = 4
                          ) -> list[str]:
        """Questions made from the headings of the collections the user may read."""
        from assistant.examples import example_questions

        allowed = self.access.allowed_collections(user, collection)
        names = allowed if allowed is not None else self.access.collections()
        return example_questions(self.keyword.mirror.sections(names), n)

    # ------------------------------------------------------------------ answers
    def answerer(self, collections: Sequence[str] | None = None,
                 user: User | None = None, as_of: AsOf | None = None) -> AnswerService:
        """The answer pipeline bound to one user's rights and collections, and to the versions
        in force on the day (or in the year) the question is about."""
        window = (as_of.start.isoformat(), as_of.end.isoformat()) if as_of else (None, None)
        return AnswerService(
            retrieve=lambda q, k: self.search(q, k=k, collections=collections, user=user,
                                              valid_at=window[0], valid_until=window[1]),
            reader=self.reader, terms=self.keyword.analyzer.terms,
            backend=self.backend, llm=self.llm, settings=self.answer_settings,
            reading=self.reader_settings, prompts=self.prompts, rarity=self.keyword.idf,
            rule_query=self.rule_query,
        )

    @cached_property
    def backend(self) -> LLMBackend | None:
        return self.choose_backend()

    @property
    def backend_name(self) -> str:
        return self.backend.name if self.backend else "extractive"

    def pinned_template(self) -> PromptTemplate:
        """The prompt version settings pin for the configured backend."""
        return self.answerer().prompt_template()

    def pinned_refs(self) -> set[str]:
        return {self.answer_settings.prompt_chat, self.answer_settings.prompt_completion}

    def warm(self) -> None:
        """Load the embedding model and the LLM before the first visitor asks."""
        self.embedder.embed_query("Aufwärmen")
        self.answerer().warm()

    def ask(self, question: str, *, collections: Sequence[str] | None = None,
            history: Sequence[Turn] = (), on_token: Callable[[object], None] | None = None,
            user: User | None = None, template: PromptTemplate | None = None,
            as_of: str | None = None) -> Answer:
        """Answer with the user's rights and record the audit entry (every caller, every path).

        `template` overrides the pinned prompt (the Prompt-Labor); `on_token` receives a
        Preview, then the model's tokens."""
        if not question.strip():
            raise AssistantError("Bitte eine Frage eingeben", "empty question")
        when = self.as_of(question, as_of, collections, user)
        answer = self.change_answer(question, when, collections, user)
        if answer is None:  # a change answer names both versions itself
            answer = self.answerer(collections, user, when).ask(
                when.question or question, history, on_token, template)
            answer.notes.extend(self.version_notes(answer, when, collections, user))
        answer.as_of = when.label()
        log.info("answer backend=%s prompt=%s refused=%s grounded=%s support=%.2f",
                 answer.backend, answer.prompt, answer.refused, answer.grounded, answer.support)
        self.audit.record(AuditEntry(
            user=user.name if user else LOCAL_OPERATOR,
            collection=",".join(collections or []) or "*", question=question,
            sources=[source_label(c.doc, c.section, c.page) for c in answer.citations],
            backend=answer.backend, prompt=answer.prompt, refused=answer.refused))
        return answer

    def as_of(self, question: str, given: str | None, collections: Sequence[str] | None,
              user: User | None) -> AsOf:
        """The day (or year) the question is about; "vor der Änderung" becomes the day before
        today's version of the norm found first began."""
        when = question_as_of(question, self.today(), given)
        if not when.before_change:
            return when
        top = self.search(when.question, k=1, collections=collections, user=user)
        before = day_before(top[0].metadata.get("valid_from")) if top else None
        if before is None:
            return AsOf.day(self.today(), when.question, named=False)
        return AsOf.day(before, when.question)

    def change_answer(self, question: str, when: AsOf, collections: Sequence[str] | None,
                      user: User | None) -> Answer | None:
        """A "what changed" question about a norm with an earlier version, answered from the
        comparison of both versions (None: not such a question, or no earlier version)."""
        if self.comparer is None or when.before_change or not asks_what_changed(question):
            return None

        def search(query: str, k: int, docs: Sequence[str] | None,
                   valid_at: str | None) -> list[SearchResult]:
            return self.search(query, k=k, collections=collections, user=user, docs=docs,
                               valid_at=valid_at)

        readable = self.access.allowed_collections(user, collections)
        found = ChangeAnswerer(search, self.comparer(), self.keyword.analyzer.terms,
                               readable).answer(when.question or question, when.end)
        return self._from_change(found) if found else None

    def compare(self, norm: str, first: str, second: str, user: User | None = None
                ) -> Comparison:
        """What changed between the versions of `norm` in force on two days, among the
        versions the user may read (the chat's compare view)."""
        if self.comparer is None:
            raise AssistantError("Fassungsvergleich nicht verfügbar", "no comparer configured")
        days = [question_as_of("", self.today(), given) for given in (first, second)]
        return self.comparer().compare(norm, days[0].start, days[1].start,
                                       self.access.allowed_collections(user, None))

    def _from_change(self, change: ChangeAnswer) -> Answer:
        return Answer(
            change.text, False, change.citations, change.sources, grounded=True, unsupported=[],
            backend="extractive", prompt="vergleich", kind=CHECKED, answers_question=True,
            query=change.query, support=self.reader.read(
                change.query, change.sources, self.rule_query(change.query)).evidence,
            notes=["Aus dem Wortlaut beider Fassungen verglichen (rathaus compare)"])

    def version_notes(self, answer: Answer, when: AsOf, collections: Sequence[str] | None,
                      user: User | None) -> list[str]:
        """One sentence per cited version that is not in force today, naming today's
        version and its passage; that passage joins the answer's sources, so the chat shows it
        under its number beside the cited one."""
        today = self.today()
        notes = []
        for citation in answer.citations:
            ends = parse_date(citation.valid_to)
            if ends is None or ends >= today:
                continue
            label = source_label(citation.doc, citation.section, citation.page)
            current = ""
            if citation.superseded_by:
                hits = self.search(f"{citation.section or ''} {answer.query}", k=1,
                                   collections=collections, user=user,
                                   docs=[citation.superseded_by])
                if hits:
                    top = hits[0]
                    known = [s.chunk_id for s in answer.sources]
                    if top.chunk_id not in known:
                        answer.sources.append(top)
                    n = [s.chunk_id for s in answer.sources].index(top.chunk_id) + 1
                    current = (f"; heute gilt: [{n}] "
                               f"{source_label(top.doc, top.section, top.page)}")
            notes.append(f"[{citation.n}] {label} ({citation.version_label()}) gilt heute "
                         f"nicht mehr{current}.")
        return notes

    def render_prompt(self, question: str, template: PromptTemplate, *,
                      collections: Sequence[str] | None = None, user: User | None = None,
                      k: int | None = None) -> RenderedPrompt:
        """The prompt `ask` would give the model for `question`: same retrieval, same
        excerpts, same rendering function."""
        answerer = self.answerer(collections, user)
        _, reading = answerer.read(question, k)
        text = render_prompt(template, question, answerer.excerpts(reading))
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

        rows = run_retrieval_eval(
            questions, lambda q, n: self.search(q, k=n, collections=collections, user=user), k=k)
        extra: dict = {}
        if not retrieval_only:
            for row in rows:
                answer = self.ask(row.question.question, collections=collections, user=user,
                                  template=template)
                row.answer = answer.to_json()
                row.reading = reading_outcome(row.question, answer)
            extra = {**answer_metrics(rows), **reading_metrics(rows)}
        summary = summarise(rows)
        summary.metrics.update(extra)
        return rows, summary
