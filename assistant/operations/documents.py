"""Documents: upload (storage, size limit), ingest, remove, re-index, status, and the report.

The Dokumente tab and the CLI both go through this service, so the upload limit, where uploads
are kept, and how a run is reported hold the same on every path.
"""

from __future__ import annotations

import logging
import shutil
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import AssistantError, IngestError
from ingest.files import FileProblem
from ingest.loaders import SUPPORTED_SUFFIXES
from ingest.loaders.sniff import check_content
from ingest.manifest import FAILED, INDEXED, NEEDS_OCR, DocumentRecord, Manifest
from ingest.pipeline import IngestPipeline, IngestReport, ProgressCallback
from vectorstore.lexical.keyword_index import KeywordIndex
from vectorstore.protocols import VectorStore
from vectorstore.sentence_vectors import SentenceIndexer

log = logging.getLogger(__name__)


@dataclass
class UploadResult:
    """What an upload did: the ingest report of the stored files and the refused ones."""

    report: IngestReport | None
    refused: list[FileProblem] = field(default_factory=list)


def report_lines(report: IngestReport, collection: str, *,
                 show_path: Callable[[str], str] = str) -> tuple[str, list[str]]:
    """The summary line and one line per problem file, worded once for CLI and web app
    (`show_path`: how a file is named, e.g. only its name in the browser)."""
    rate = report.chunks_added / report.seconds if report.seconds else 0.0
    summary = (
        f"Sammlung '{collection}': {len(report.indexed)} indexiert, {len(report.unchanged)} "
        f"unverändert, {len(report.duplicates)} Duplikate, {len(report.removed)} entfernt, "
        f"{len(report.failed)} fehlgeschlagen, {len(report.skipped)} übersprungen; "
        f"{report.chunks_added} Abschnitte in {report.seconds:.1f} s "
        f"({rate:.1f} Abschnitte/s, Embedding {report.embed_seconds:.1f} s)"
        + (f"; {report.recovered} abgebrochene Dokumente zurückgerollt" if report.recovered else "")
    )
    problems = [f"{label} {show_path(p.path)}: {p.reason}"
                for label, found in (("FEHLER", report.failed), ("übersprungen", report.skipped),
                                     ("Duplikat", report.duplicates))
                for p in found]
    return summary, problems


def sync_keyword_index(keyword: KeywordIndex, manifest: Manifest, store: VectorStore) -> None:
    """An index built before the keyword index existed (or restored without it) is synced."""
    indexed = sum(len(r.chunk_ids) for r in manifest.records(status=INDEXED))
    if indexed and keyword.mirror.count() != indexed:
        log.warning("keyword index out of step (%d vs %d chunks): rebuilding from the store",
                    keyword.mirror.count(), indexed)
        keyword.clear()
        ids, texts, metas = [], [], []
        for row in store.iter_all():
            ids.append(row["id"])
            texts.append(row["text"])
            metas.append(row["metadata"])
        keyword.on_upsert(ids, texts, metas)
        keyword.flush()


MAX_NAME_CHARS = 120


def safe_upload_name(name: str) -> str:
    """The name an uploaded file is stored under: no folders (`../../x.md`, `C:\\x`), no control
    or direction-changing characters (U+202E can make `gdp.exe` read as `exe.pdg`), at most
    120 characters with the extension kept. Never empty."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip().lstrip(".")
    stem, dot, suffix = cleaned.rpartition(".")
    if not dot:
        stem, suffix = cleaned, ""
    suffix = suffix[:10]
    stem = stem.strip()[:MAX_NAME_CHARS - len(suffix) - 1].strip() or "upload"
    return f"{stem}.{suffix}" if suffix else stem


class DocumentService:
    """Keeps the index in step with the files IT and admins hand it."""

    def __init__(self, *, manifest: Manifest, pipeline: IngestPipeline, keyword: KeywordIndex,
                 reset_store: Callable[[], None], uploads_dir: Path, max_upload_mb: float,
                 default_collection: str, sentences: SentenceIndexer | None = None) -> None:
        """`reset_store` empties the vector store even if it holds another model's vectors
        (a full re-index after a model change); `sentences` are the reader's sentence
        vectors, emptied with it."""
        self.manifest = manifest
        self.pipeline = pipeline
        self.keyword = keyword
        self.reset_store = reset_store
        self.sentences = sentences
        self.uploads_dir = uploads_dir
        self.max_upload_mb = max_upload_mb
        self.default_collection = default_collection

    # ------------------------------------------------------------------ reading
    def records(self, status: str | None = None) -> list[DocumentRecord]:
        return self.manifest.records(status=status) if status else self.manifest.records()

    def status(self) -> dict[str, Any]:
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

    # ------------------------------------------------------------------ writing
    def ingest(self, paths: Sequence[Path], collection: str | None = None, *, prune: bool = True,
               progress: ProgressCallback | None = None) -> IngestReport:
        """Index files and folders incrementally (unchanged files are skipped)."""
        return self.pipeline.run(list(paths), collection or self.default_collection,
                                 prune=prune, progress=progress)

    def upload(self, files: Sequence[Path], collection: str, *,
               progress: ProgressCallback | None = None) -> UploadResult:
        """Keep copies of uploaded files under `uploads/<collection>/` and index them.

        A file over the size limit, of an unsupported type, or whose content is not what its
        extension says is refused before anything is copied."""
        inbox = self.uploads_dir / collection
        kept: list[Path] = []
        refused: list[FileProblem] = []
        for source in files:
            name = safe_upload_name(source.name)
            reason = self._refusal(source, name)
            if reason:
                refused.append(FileProblem(name, reason))
                continue
            inbox.mkdir(parents=True, exist_ok=True)
            target = inbox / name
            shutil.copyfile(source, target)
            kept.append(target)
        report = self.ingest(kept, collection, prune=False, progress=progress) if kept else None
        return UploadResult(report, refused)

    def _refusal(self, source: Path, name: str) -> str | None:
        if source.stat().st_size > self.max_upload_mb * 1024 * 1024:
            return f"größer als {self.max_upload_mb:g} MB"
        if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
            return f"Dateityp {Path(name).suffix or '(ohne Endung)'} wird nicht unterstützt"
        try:
            check_content(Path(name), source.read_bytes())
        except IngestError as exc:
            return exc.message_de
        return None

    def remove(self, collection: str, path: str, *, delete_upload: bool = True) -> bool:
        """Drop a document from the index. Its uploaded copy is deleted too unless
        `delete_upload` is False; a file on a share is never touched. False: not indexed."""
        removed = self.pipeline.remove(collection, path)
        if removed and delete_upload and self._is_upload(path):
            Path(path).unlink(missing_ok=True)
        return removed

    def _is_upload(self, path: str) -> bool:
        return Path(path).resolve().is_relative_to(self.uploads_dir.resolve())

    def reindex_document(self, collection: str, path: str, *,
                         progress: ProgressCallback | None = None) -> IngestReport:
        """Index one document again from its file (after a loader or chunking change)."""
        if not Path(path).is_file():
            raise AssistantError(f"Die Datei ist nicht mehr vorhanden: {path}",
                                 f"file gone: {path}")
        self.pipeline.remove(collection, path)
        return self.ingest([Path(path)], collection, prune=False, progress=progress)

    def fill_sentence_vectors(self) -> int:
        """Embed the sentences the reader needs for chunks indexed before the sentence store
        existed (an upgraded installation, a restored backup). `rathaus serve` runs it in the
        background at start; until it is done, a missing sentence is embedded when first read.
        Returns the number of sentences embedded."""
        if self.sentences is None:
            return 0
        filled = self.sentences.backfill(self.keyword.mirror.rows())
        if filled:
            log.info("sentence vectors filled: %d", filled)
        return filled

    def reindex_all(self, progress: ProgressCallback | None = None
                    ) -> list[tuple[str, IngestReport]]:
        """Re-embed every recorded file with the configured model (after a model change).

        The old vectors, keyword entries and manifest rows are dropped first; then each
        collection's files are ingested again. Files that no longer exist are reported as gone.
        The reader's sentence vectors (always e5) stay valid and are reused, not re-embedded.
        """
        records = self.manifest.records()
        by_collection: dict[str, list[Path]] = {}
        for record in records:
            by_collection.setdefault(record.collection, []).append(Path(record.path))
        self.reset_store()
        self.keyword.clear()
        self.keyword.flush()
        for record in records:
            self.manifest.delete(record.collection, record.path)
        reports = []
        for collection, paths in sorted(by_collection.items()):
            present = [p for p in paths if p.exists()]
            reports.append((collection, self.ingest(present, collection, prune=False,
                                                    progress=progress)))
        if self.sentences is not None:
            self.sentences.retain(self.keyword.mirror.ids())
        return reports
