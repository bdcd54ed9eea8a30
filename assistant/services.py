"""Wire the components from settings. One place builds everything; nothing is global."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from assistant.accounts import AccountError, AccountStore, User, readable
from assistant.answering import Answer, AnswerService
from assistant.audit import AuditEntry, AuditLog
from assistant.config import Settings
from assistant.conversation import Turn
from assistant.errors import AssistantError
from assistant.feedback import FeedbackStore
from assistant.llm.base import LLMBackend
from assistant.llm.factory import choose_backend
from assistant.prompting import PromptLibrary, PromptTemplate
from ingest.chunking import LegalChunker
from ingest.manifest import FAILED, INDEXED, NEEDS_OCR, Manifest
from ingest.ocr import TesseractOcr
from ingest.pipeline import IngestPipeline, IngestReport
from vectorstore.chroma_store import ChromaStore
from vectorstore.dense import DenseRetriever
from vectorstore.embedder import Embedder, make_embedder
from vectorstore.filters import RetrievalFilter
from vectorstore.hybrid import HybridConfig, HybridRetriever
from vectorstore.keyword import FieldWeights, KeywordIndex
from vectorstore.results import SearchResult, source_label
from vectorstore.scope import PlaceFinder

log = logging.getLogger(__name__)


@dataclass
class Services:
    """Lazily built components: `rathaus status` never loads torch or opens Chroma."""

    settings: Settings

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir

    @cached_property
    def manifest(self) -> Manifest:
        return Manifest(self.data_dir / "manifest.sqlite3")

    @cached_property
    def embedder(self) -> Embedder:
        cfg = self.settings.embedding
        return make_embedder(
            cfg.backend, model=cfg.model, device=cfg.device, batch_size=cfg.batch_size,
            query_prefix=cfg.query_prefix, document_prefix=cfg.document_prefix,
            quantize=cfg.quantize, threads=cfg.threads,
        )

    @cached_property
    def store(self) -> ChromaStore:
        cfg = self.settings.chroma
        return ChromaStore(
            collection_name=cfg.collection,
            embedding_model=self.embedder.identity,
            persist_dir=None if cfg.host else self.data_dir / "chroma",
            host=cfg.host, port=cfg.port, ssl=cfg.ssl,
        )

    def reindex(self, progress=None) -> list[tuple[str, IngestReport]]:
        """Re-embed every recorded file with the configured model (after a model change).

        The old vectors, keyword entries and manifest rows are dropped first; then each
        collection's files are ingested again. Files that no longer exist are reported as gone.
        """
        cfg = self.settings.chroma
        old = ChromaStore(
            collection_name=cfg.collection, embedding_model=self.embedder.identity,
            persist_dir=None if cfg.host else self.data_dir / "chroma",
            host=cfg.host, port=cfg.port, ssl=cfg.ssl, check_model=False)
        records = self.manifest.records()
        by_collection: dict[str, list[Path]] = {}
        for record in records:
            by_collection.setdefault(record.collection, []).append(Path(record.path))
        old.reset()
        keyword = self.keyword
        keyword.on_delete(keyword.chunk_ids_where("1=1", []))
        keyword.flush()
        for record in records:
            self.manifest.delete(record.collection, record.path)
        reports = []
        for collection, paths in sorted(by_collection.items()):
            present = [p for p in paths if p.exists()]
            report = self.pipeline.run(present, collection, prune=False, progress=progress)
            reports.append((collection, report))
        return reports

    @cached_property
    def keyword(self) -> KeywordIndex:
        cfg = self.settings.retrieval
        index = KeywordIndex(
            self.data_dir / "keyword",
            weights=FieldWeights(section=cfg.section_weight, document=cfg.document_weight),
        )
        self._backfill_keyword(index)
        return index

    def _backfill_keyword(self, index: KeywordIndex) -> None:
        """An index built before the keyword index existed (or restored without it) is synced."""
        indexed = sum(len(r.chunk_ids) for r in self.manifest.records(status=INDEXED))
        if indexed and index.count() != indexed:
            log.warning("keyword index out of step (%d vs %d chunks): rebuilding from the store",
                        index.count(), indexed)
            index.on_delete(index.chunk_ids_where("1=1", []))
            batch_ids, batch_texts, batch_meta = [], [], []
            for row in self.store.iter_all():
                batch_ids.append(row["id"])
                batch_texts.append(row["text"])
                batch_meta.append(row["metadata"])
            index.on_upsert(batch_ids, batch_texts, batch_meta)
            index.flush()

    @cached_property
    def chunker(self) -> LegalChunker:
        cfg = self.settings.ingest
        return LegalChunker(
            self.embedder.count_tokens,
            min(cfg.chunk_max_tokens, self.embedder.max_tokens),
            cfg.skip_headings,
        )

    @cached_property
    def pipeline(self) -> IngestPipeline:
        cfg = self.settings.ingest
        ocr = (
            TesseractOcr(self.data_dir / "ocr_cache", cfg.ocr_language, cfg.ocr_dpi)
            if cfg.ocr else None
        )
        return IngestPipeline(
            manifest=self.manifest, store=self.store, embedder=self.embedder,
            chunker=lambda: self.chunker, ocr=ocr, lock_path=self.data_dir / "ingest.lock",
            max_file_bytes=int(cfg.max_file_mb * 1024 * 1024),
            doc_type_rules=cfg.doc_type_rules,
            listeners=[self.keyword],
            batch_chunks=max(self.settings.embedding.batch_size * 4, 64),
        )

    @cached_property
    def retriever(self) -> HybridRetriever:
        cfg = self.settings.retrieval
        dense = DenseRetriever(self.store, self.embedder) if cfg.use_dense else None
        reranker = None
        if cfg.reranker_model:
            from vectorstore.rerank import CrossEncoderReranker

            reranker = CrossEncoderReranker(cfg.reranker_model)
        return HybridRetriever(
            dense, self.keyword,
            HybridConfig(
                use_dense=cfg.use_dense, use_keyword=cfg.use_keyword,
                use_norm_lookup=cfg.use_norm_lookup, fusion=cfg.fusion, dense_weight=cfg.dense_weight,
                keyword_weight=cfg.keyword_weight, rrf_k=cfg.rrf_k, candidates=cfg.candidates,
                dense_candidates=cfg.dense_candidates,
            ),
            reranker,
        )

    @cached_property
    def accounts(self) -> AccountStore:
        return AccountStore(self.data_dir / "access.sqlite3")

    @cached_property
    def audit(self) -> AuditLog:
        cfg = self.settings.audit
        return AuditLog(self.data_dir / "audit.sqlite3", store_questions=cfg.store_questions,
                        retention_days=cfg.retention_days)

    @cached_property
    def feedback(self) -> FeedbackStore:
        return FeedbackStore(self.data_dir / "feedback.sqlite3")

    def collections(self, grants: dict[str, tuple[str, ...]] | None = None) -> list[str]:
        """Every collection with documents or created/granted by an admin."""
        granted = self.accounts.grants() if grants is None else grants
        names = {r.collection for r in self.manifest.records()} | set(granted)
        return sorted(names | {self.settings.default_collection})

    def readable_collections(self, user: User | None) -> list[str]:
        grants = self.accounts.grants()
        return readable(user, self.collections(grants), grants)

    def allowed_collections(self, user: User | None, requested: Sequence[str] | None
                            ) -> list[str] | None:
        """The collections a request may search (None = no restriction at all).

        Asking for a collection one may not read is an error, not an empty result: a script or
        an API caller learns that rights are missing instead of trusting a silent refusal.
        """
        if user is None or user.is_admin:
            return list(requested) if requested else None
        mine = self.readable_collections(user)
        if not requested:
            return mine
        denied = [c for c in requested if c not in mine]
        if denied:
            raise AccountError(f"Keine Leserechte für Sammlung {', '.join(denied)}",
                               f"user {user.name!r} may not read {denied}")
        return list(requested)

    def example_questions(self, user: User | None, collection: str | None, n: int = 4
                          ) -> list[str]:
        from assistant.examples import example_questions

        allowed = self.allowed_collections(user, [collection] if collection else None)
        names = allowed if allowed is not None else self.collections()
        return example_questions(self.keyword.sections(names), n)

    def search(
        self, query: str, *, k: int = 5, collections: Sequence[str] | None = None,
        docs: Sequence[str] | None = None, doc_types: Sequence[str] | None = None,
        valid_at: str | None = None, user: User | None = None,
    ) -> list[SearchResult]:
        """Retrieve passages the user may read; documents being written are never returned.

        The rights become part of the filter the stores apply inside the query."""
        if not query.strip():
            raise AssistantError("Bitte eine Frage oder Suchbegriffe eingeben", "empty query")
        allowed = self.allowed_collections(user, collections)
        if allowed is not None and not allowed:
            return []
        other_places, dense_query = self.place_scope(query)
        flt = RetrievalFilter.of(
            collections=allowed, docs=docs, doc_types=doc_types, valid_at=valid_at,
            exclude_paths=self.manifest.pending_paths(), exclude_docs=other_places,
        )
        return self.retriever.retrieve(query, k, flt, dense_query=dense_query)

    @cached_property
    def places(self) -> PlaceFinder:
        return PlaceFinder(self.keyword)

    def place_scope(self, query: str) -> tuple[set[str], str]:
        """Documents of another Gemeinde than the one the question names, and the question
        without the Gemeinde's name for the embedder (see vectorstore/scope.py)."""
        if not self.settings.retrieval.place_scope:
            return set(), query
        scopes = self.places.scopes()
        return (scopes.out_of_scope(self.keyword.query_terms(query)),
                scopes.without_places(query, self.keyword.analyzer.terms))

    @cached_property
    def llm_backend(self) -> LLMBackend | None:
        """Chosen once per process; None = extractive answers."""
        return choose_backend(self.settings.llm, self.data_dir)

    @cached_property
    def prompts(self) -> PromptLibrary:
        """Released prompts from the package plus versions saved in the Prompt-Labor."""
        return PromptLibrary(user_dir=self.data_dir / "prompts")

    def evidence_support(self, query: str, sources: Sequence[SearchResult]) -> float:
        """Best idf-weighted coverage of the question's terms among the top three sources."""
        return max((self.keyword.coverage(query, f"{s.title} {s.section or ''} {s.text}")
                    for s in sources[:3]), default=0.0)

    def answer_service(self, collections: Sequence[str] | None = None,
                       user: User | None = None) -> AnswerService:
        return AnswerService(
            retrieve=lambda q, k: self.search(q, k=k, collections=collections, user=user),
            terms=self.keyword.analyzer.terms, support=self.evidence_support,
            backend=self.llm_backend, llm=self.settings.llm, settings=self.settings.answer,
            prompts=self.prompts, rarity=self.keyword.idf, similarity=self.similarity,
        )

    def similarity(self, query: str, passages: list[str]) -> list[float]:
        """Cosine of the query to passages not in the index (Absätze chosen for a prompt);
        like retrieval, it asks for the rule, not for the Gemeinde the question names."""
        vectors = self.embedder.embed_documents(passages)
        _, rule_query = self.place_scope(query)
        return (vectors @ np.asarray(self.embedder.embed_query(rule_query))).tolist()

    def ask(self, question: str, *, collections: Sequence[str] | None = None,
            history: Sequence[Turn] = (), on_token: Callable[[str], None] | None = None,
            user: User | None = None, template: PromptTemplate | None = None) -> Answer:
        if not question.strip():
            raise AssistantError("Bitte eine Frage eingeben", "empty question")
        answer = self.answer_service(collections, user).ask(question, history, on_token, template)
        log.info("answer backend=%s prompt=%s refused=%s grounded=%s support=%.2f",
                 answer.backend, answer.prompt, answer.refused, answer.grounded, answer.support)
        return answer

    def record_audit(self, user_name: str, collections: Sequence[str] | None, question: str,
                     answer: Answer) -> None:
        cited = answer.citations or []
        self.audit.record(AuditEntry(
            user=user_name, collection=",".join(collections or []) or "*", question=question,
            sources=[source_label(c.doc, c.section, c.page) for c in cited],
            backend=answer.backend, prompt=answer.prompt, refused=answer.refused))

    def evaluate(self, questions, *, collections: Sequence[str] | None = None, k: int = 10,
                 retrieval_only: bool = False, user: User | None = None,
                 template: PromptTemplate | None = None):
        """Run a question file: per-question rows and the summary (retrieval + answer metrics).

        Shared by `rathaus eval` and the Prompt-Labor, so both report the same numbers."""
        from assistant.answer_metrics import answer_metrics
        from assistant.evaluation import run_retrieval_eval, summarise

        rows = run_retrieval_eval(
            questions, lambda q, n: self.search(q, k=n, collections=collections, user=user), k=k)
        extra: dict = {}
        if not retrieval_only:
            for row in rows:
                row.answer = self.ask(row.question.question, collections=collections, user=user,
                                      template=template).to_json()
            extra = answer_metrics(rows)
        summary = summarise(rows)
        summary.metrics.update(extra)
        return rows, summary

    def status(self) -> dict:
        """The `rathaus status --json` contract, from the manifest."""
        collections: dict[str, dict[str, int]] = {}
        failed = []
        documents = chunks = 0
        for record in self.manifest.records():
            entry = collections.setdefault(record.collection, {"documents": 0, "chunks": 0})
            if record.status == INDEXED:
                entry["documents"] += 1
                entry["chunks"] += len(record.chunk_ids)
                documents += 1
                chunks += len(record.chunk_ids)
            if record.status in (FAILED, NEEDS_OCR) or (record.status == INDEXED and record.reason):
                failed.append({"path": record.path, "reason": record.reason or record.status})
        return {"documents": documents, "chunks": chunks, "collections": collections,
                "failed": failed}

    def close(self) -> None:
        for name in ("manifest", "keyword", "accounts", "audit", "feedback"):
            if name in self.__dict__:
                self.__dict__[name].close()


def build_services(settings: Settings) -> Services:
    return Services(settings)
