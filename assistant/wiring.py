"""Build the services from settings. The one place that knows which class plays which part.

`build_services(settings)` builds every part on first use, so `rathaus status` never loads a
model or opens Chroma. Tests and benchmarks pass parts in (`embedder=`, `store=`,
`llm_backend=`) instead of patching anything afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from assistant.answer.prompting import PromptLibrary
from assistant.answer.reading import SentenceReader, SentenceScorer
from assistant.answer.reading.vectors import StoredSentenceVectors
from assistant.asking import AskingService
from assistant.identity.access import AccessService
from assistant.identity.accounts import AccountStore
from assistant.identity.api_tokens import TokenStore
from assistant.identity.login import LoginPolicy, LoginService
from assistant.identity.sessions import SessionStore
from assistant.identity.sso import TrustedHeaderAuth, TrustedHeaderConfig
from assistant.llm.base import LLMBackend
from assistant.llm.factory import choose_backend
from assistant.operations.backup import BackupService
from assistant.operations.documents import DocumentService, sync_keyword_index
from assistant.operations.folder_watch import FolderWatcher
from assistant.operations.sync import SourceStatus, SyncService, SyncStatusStore
from assistant.records.audit import AuditLog
from assistant.records.feedback import FeedbackStore
from assistant.versions.compare import VersionComparer
from core.config import Settings
from ingest.chunking import LegalChunker
from ingest.files import FileRules
from ingest.loaders import LoadLimits
from ingest.manifest import Manifest
from ingest.ocr import TesseractOcr
from ingest.pipeline import IngestPipeline
from vectorstore.chroma_store import ChromaStore
from vectorstore.dense import DenseRetriever
from vectorstore.embedders.base import Embedder
from vectorstore.embedders.e5 import E5Embedder
from vectorstore.embedders.factory import make_embedder
from vectorstore.fusion_defaults import fusion_for
from vectorstore.hybrid import HybridConfig, HybridRetriever
from vectorstore.lexical.keyword_index import FieldWeights, KeywordIndex
from vectorstore.protocols import VectorStore
from vectorstore.sentence_vectors import SentenceIndexer, SentenceVectorStore
from vectorstore.small_units import SmallUnitRanker

_CHOOSE = object()  # llm_backend not given: choose from settings (None means extractive)


class Components:
    """The parts, each built from settings on first use unless it was passed in."""

    def __init__(self, settings: Settings, *, embedder: Embedder | None = None,
                 store: VectorStore | None = None, llm_backend: Any = _CHOOSE) -> None:
        self.settings = settings
        given = {"embedder": embedder, "store": store}
        self._given: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
        if llm_backend is not _CHOOSE:  # None is a choice: extractive answers
            self._given["llm_backend"] = llm_backend

    @property
    def uploads_dir(self) -> Path:
        return self.settings.data_dir / "uploads"

    @cached_property
    def manifest(self) -> Manifest:
        return Manifest(self.settings.data_dir / "manifest.sqlite3")

    @cached_property
    def embedder(self) -> Embedder:
        if "embedder" in self._given:
            return self._given["embedder"]
        cfg = self.settings.embedding
        return make_embedder(
            cfg.backend, model=cfg.model, device=cfg.device, batch_size=cfg.batch_size,
            query_prefix=cfg.query_prefix, document_prefix=cfg.document_prefix,
            quantize=cfg.quantize, threads=cfg.threads, dimensions=cfg.dimensions,
            data_dir=self.settings.data_dir,
        )

    @cached_property
    def store(self) -> VectorStore:
        if "store" in self._given:
            return self._given["store"]
        cfg = self.settings.chroma
        return ChromaStore(
            collection_name=cfg.collection, embedding_model=self.embedder.identity,
            persist_dir=None if cfg.host else self.settings.data_dir / "chroma",
            host=cfg.host, port=cfg.port, ssl=cfg.ssl,
        )

    @cached_property
    def keyword(self) -> KeywordIndex:
        cfg = self.settings.retrieval
        index = KeywordIndex(
            self.settings.data_dir / "keyword",
            weights=FieldWeights(section=cfg.section_weight, document=cfg.document_weight),
        )
        sync_keyword_index(index, self.manifest, self.store)
        return index

    @cached_property
    def reader_embedder(self) -> Embedder:
        """The reader reads with e5 whatever retrieval embeds with: its weights and refusal
        threshold were fitted on e5's cosines (bench/reader_fit.py, calibrate_refusal.py), which
        another model does not share (EmbeddingGemma's best matches score near 0.6, not 0.9),
        and e5 embeds a sentence in milliseconds."""
        if isinstance(self.embedder, E5Embedder):
            return self.embedder
        return E5Embedder(threads=self.settings.embedding.threads)

    @cached_property
    def sentence_vectors(self) -> SentenceVectorStore:
        """Vectors of the indexed passages' sentences, for the reader."""
        return SentenceVectorStore(self.settings.data_dir / "sentences" / "vectors.sqlite3",
                                   self.reader_embedder)

    @cached_property
    def sentence_indexer(self) -> SentenceIndexer:
        return SentenceIndexer(self.sentence_vectors,
                               embed=self.settings.reader.embed_at_ingest)

    @cached_property
    def reader(self) -> SentenceReader:
        analyzer = self.keyword.analyzer
        return SentenceReader(
            vectors=StoredSentenceVectors(self.reader_embedder, self.sentence_vectors),
            terms=analyzer.terms, query_terms=self.keyword.query_terms, idf=self.keyword.idf,
            scorer=SentenceScorer(self.settings.reader.weights),
            evidence=SentenceScorer(self.settings.reader.evidence_weights))

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
        data_dir = self.settings.data_dir
        ocr = (TesseractOcr(data_dir / "ocr_cache", cfg.ocr_language, cfg.ocr_dpi)
               if cfg.ocr else None)
        return IngestPipeline(
            manifest=self.manifest, store=self.store, embedder=self.embedder,
            chunker=lambda: self.chunker, ocr=ocr, lock_path=data_dir / "ingest.lock",
            lock_wait_seconds=cfg.lock_wait_seconds,
            max_file_bytes=int(cfg.max_file_mb * 1024 * 1024),
            doc_type_rules=cfg.doc_type_rules,
            listeners=[self.keyword, self.sentence_indexer],
            batch_chunks=max(self.settings.embedding.batch_size * 4, 64),
            file_rules=FileRules(excluded=(data_dir,), allowed=(self.uploads_dir,),
                                 follow_external_symlinks=cfg.follow_external_symlinks),
            load_limits=LoadLimits(max_pdf_pages=cfg.max_pdf_pages),
        )

    @cached_property
    def retriever(self) -> HybridRetriever:
        cfg = self.settings.retrieval
        weights = fusion_for(self.embedder.name, cfg.dense_weight, cfg.question_weight)
        dense = DenseRetriever(self.store, self.embedder) if cfg.use_dense else None
        reranker = None
        if cfg.reranker_model:
            from vectorstore.rerank import CrossEncoderReranker

            reranker = CrossEncoderReranker(cfg.reranker_model)
        return HybridRetriever(
            dense, self.keyword,
            HybridConfig(
                use_dense=cfg.use_dense, use_keyword=cfg.use_keyword,
                use_norm_lookup=cfg.use_norm_lookup, fusion=cfg.fusion,
                dense_weight=weights.dense_weight,
                keyword_weight=cfg.keyword_weight, rrf_k=cfg.rrf_k, candidates=cfg.candidates,
                dense_candidates=cfg.dense_candidates, sentence_weight=cfg.sentence_weight,
                question_weight=weights.question_weight,
            ),
            reranker,
            SmallUnitRanker(self.keyword, self.sentence_vectors,
                            self.reader_embedder.embed_query) if cfg.sentence_weight else None,
        )

    @cached_property
    def accounts(self) -> AccountStore:
        return AccountStore(self.settings.data_dir / "access.sqlite3")

    @cached_property
    def tokens(self) -> TokenStore:
        return TokenStore(self.settings.data_dir / "api_tokens.sqlite3")

    @cached_property
    def sessions(self) -> SessionStore:
        return SessionStore(self.settings.data_dir / "sessions.sqlite3")

    @cached_property
    def sync_status(self) -> SyncStatusStore:
        return SyncStatusStore(self.settings.data_dir / "sync.sqlite3")

    def indexed_under(self, collection: str, folder: Path) -> int:
        """Documents of `collection` indexed from files under `folder`."""
        prefix = str(folder.resolve()).rstrip("/") + "/"
        return sum(r.path.startswith(prefix) for r in self.manifest.records(collection=collection))

    @cached_property
    def audit(self) -> AuditLog:
        cfg = self.settings.audit
        return AuditLog(self.settings.data_dir / "audit.sqlite3",
                        store_questions=cfg.store_questions, retention_days=cfg.retention_days)

    @cached_property
    def feedback(self) -> FeedbackStore:
        return FeedbackStore(self.settings.data_dir / "feedback.sqlite3")

    @cached_property
    def prompts(self) -> PromptLibrary:
        """Released prompts from the package plus versions saved in the Prompt-Labor."""
        return PromptLibrary(user_dir=self.settings.data_dir / "prompts")

    @cached_property
    def llm_backend(self) -> LLMBackend | None:
        """Chosen once per process; None = extractive answers."""
        if "llm_backend" in self._given:
            return self._given["llm_backend"]
        return choose_backend(self.settings.llm, self.settings.data_dir)

    def close(self) -> None:
        """Close the databases that were opened (nothing is opened just to close it)."""
        for name in ("manifest", "keyword", "sentence_vectors", "accounts", "tokens",
                     "sync_status", "audit", "feedback"):
            part = self.__dict__.get(name)
            if part is not None:
                part.close()


@dataclass
class Services:
    """The three services (plus feedback); each UI tab and CLI command takes the one it needs."""

    settings: Settings
    components: Components

    @cached_property
    def access(self) -> AccessService:
        parts = self.components
        return AccessService(parts.accounts, parts.manifest.collections,
                             default_collection=self.settings.default_collection,
                             allow_anonymous=self.settings.web.allow_anonymous,
                             min_password_length=self.settings.web.password_min_length)

    @cached_property
    def login(self) -> LoginService:
        web = self.settings.web
        policy = LoginPolicy(
            max_failures_per_user=web.login_max_failures,
            max_failures_per_address=web.login_max_failures_per_address,
            lockout_seconds=web.login_lockout_minutes * 60,
            session_idle_seconds=web.session_idle_minutes * 60,
            session_max_seconds=web.session_max_hours * 3600, local_login=web.local_login)
        return LoginService(self.access, self.components.audit, policy,
                            self.components.sessions)

    @cached_property
    def single_sign_on(self) -> TrustedHeaderAuth | None:
        """The reverse proxy's sign-on headers, when `web.trusted_header_auth` is set."""
        web = self.settings.web
        if not web.trusted_header_auth:
            return None
        config = TrustedHeaderConfig.parse(web.trusted_header_auth, web.trusted_groups_header,
                                           web.trusted_proxies, web.group_mapping)
        return TrustedHeaderAuth(self.access, self.components.audit, config)

    @cached_property
    def asking(self) -> AskingService:
        parts = self.components
        return AskingService(
            retriever=parts.retriever, keyword=parts.keyword, embedder=parts.embedder,
            pending_paths=parts.manifest.pending_paths, access=self.access, audit=parts.audit,
            backend=lambda: parts.llm_backend, prompts=parts.prompts, llm=self.settings.llm,
            answer=self.settings.answer, reader=parts.reader, reading=self.settings.reader,
            place_scope=self.settings.retrieval.place_scope,
            compare=lambda: self.compare,
        )

    @cached_property
    def documents(self) -> DocumentService:
        parts = self.components
        return DocumentService(
            manifest=parts.manifest, pipeline=parts.pipeline, keyword=parts.keyword,
            reset_store=parts.store.reset,
            sentences=parts.sentence_indexer,
            uploads_dir=parts.uploads_dir,
            max_upload_mb=self.settings.web.max_upload_mb,
            default_collection=self.settings.default_collection,
        )

    @cached_property
    def sync(self) -> SyncService:
        parts, cfg = self.components, self.settings.sync
        return SyncService(cfg.sources, default_collection=self.settings.default_collection,
                           ingest=lambda *args, **kw: parts.pipeline.run(*args, **kw),
                           indexed_under=parts.indexed_under, store=parts.sync_status,
                           stable_seconds=cfg.stable_seconds)

    def folder_watcher(self, on_run: Callable[[SourceStatus], None] | None = None
                       ) -> FolderWatcher:
        cfg = self.settings.sync
        return FolderWatcher(self.sync, debounce_seconds=cfg.debounce_seconds,
                             poll_seconds=cfg.poll_seconds, stable_seconds=cfg.stable_seconds,
                             on_run=on_run)

    @cached_property
    def compare(self) -> VersionComparer:
        parts = self.components
        return VersionComparer(parts.manifest.records, parts.keyword.mirror.section_chunks)

    @cached_property
    def backup(self) -> BackupService:
        parts = self.components
        return BackupService(self.settings.data_dir, lambda: parts.store,  # nothing is opened
                             parts.embedder.identity, lambda: parts.pipeline.exclusive())

    @property
    def feedback(self) -> FeedbackStore:
        return self.components.feedback

    @property
    def audit(self) -> AuditLog:
        return self.components.audit

    @property
    def tokens(self) -> TokenStore:
        return self.components.tokens

    def close(self) -> None:
        self.components.close()


def build_services(settings: Settings, *, embedder: Embedder | None = None,
                   store: VectorStore | None = None, llm_backend: Any = _CHOOSE) -> Services:
    """The services for `settings`; parts passed in are used as given (`llm_backend=None`
    means extractive answers)."""
    return Services(settings, Components(settings, embedder=embedder, store=store,
                                         llm_backend=llm_backend))
