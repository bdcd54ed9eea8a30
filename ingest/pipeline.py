"""Incremental, crash-safe ingestion of files into the vector store.

Per document: load -> chunk -> (embed, batched across documents) -> journal `pending` in the
manifest -> write to the store -> mark `indexed`. A crash between the last two steps leaves a
`pending` row that `recover()` rolls back before the next run, so the index never keeps a
half-written document and the next run completes the job.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import signal
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from core.errors import IngestBusy, IngestError, NeedsOcrError
from ingest.chunking import LegalChunker
from ingest.documents import Chunk
from ingest.files import FileProblem, FileRules, discover
from ingest.loaders import LoadLimits, load_document
from ingest.manifest import (
    DUPLICATE,
    FAILED,
    INDEXED,
    NEEDS_OCR,
    PENDING,
    DocumentRecord,
    Manifest,
)
from ingest.metadata import chunk_metadata, derive_doc_type, document_metadata
from ingest.ocr import TesseractOcr
from ingest.versions import (
    Version,
    declared_version,
    effective_validity,
    read_sidecar,
    sidecar_path,
    validity_metadata,
)
from legal.dates import parse_date

log = logging.getLogger(__name__)


@runtime_checkable
class ChunkStore(Protocol):
    """The part of the vector store ingestion writes to."""

    def upsert(self, ids: Sequence[str], embeddings: Any, texts: Sequence[str],
               metadatas: Sequence[Mapping[str, Any]]) -> None: ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def update_metadata(self, ids: Sequence[str],
                        metadatas: Sequence[Mapping[str, Any]]) -> None: ...

    def get(self, ids: Sequence[str], *, with_embeddings: bool = False) -> list[dict[str, Any]]: ...


class DocumentEmbedder(Protocol):
    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...


class IndexListener(Protocol):
    """Derived indexes (the keyword index) follow every write and delete."""

    def on_upsert(self, ids: Sequence[str], texts: Sequence[str],
                  metadatas: Sequence[Mapping[str, Any]]) -> None: ...

    def on_delete(self, ids: Sequence[str]) -> None: ...

    def flush(self) -> None: ...


ProgressCallback = Callable[[str, int, int, int], None]
"""(file name, files done, files total, chunks added so far)"""


@dataclass
class IngestReport:
    """What one run did; the CLI turns it into a summary and an exit code."""

    indexed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    duplicates: list[FileProblem] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[FileProblem] = field(default_factory=list)
    skipped: list[FileProblem] = field(default_factory=list)
    chunks_added: int = 0
    files_total: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    recovered: int = 0
    waiting: list[str] = field(default_factory=list)  # still being written: next run

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass
class _Prepared:
    file: Path
    content_hash: str
    size: int
    title: str
    doc_type: str
    ocr: bool
    chunks: list[Chunk]
    doc_meta: dict[str, Any]
    version: Version | None = None
    embeddings: np.ndarray | None = None


class _Terminated(BaseException):
    """SIGTERM, handled like Ctrl-C: roll back the document in flight, then stop."""


class IngestPipeline:
    """Synchronises folders and files into one collection of the index."""

    def __init__(
        self,
        *,
        manifest: Manifest,
        store: ChunkStore,
        embedder: DocumentEmbedder,
        chunker: Callable[[], LegalChunker],
        ocr: TesseractOcr | None,
        lock_path: Path,
        max_file_bytes: int,
        lock_wait_seconds: float = 0.0,
        doc_type_rules: Mapping[str, str],
        listeners: Sequence[IndexListener] = (),
        batch_chunks: int = 256,
        file_rules: FileRules = FileRules(),
        load_limits: LoadLimits = LoadLimits(),
    ) -> None:
        self.manifest = manifest
        self.store = store
        self.embedder = embedder
        self._chunker_factory = chunker
        self._chunker: LegalChunker | None = None
        self.ocr = ocr
        self.lock_path = lock_path
        self.lock_wait_seconds = lock_wait_seconds
        self.max_file_bytes = max_file_bytes
        self.doc_type_rules = doc_type_rules
        self.listeners = list(listeners)
        self.batch_chunks = batch_chunks
        self.file_rules = file_rules
        self.load_limits = load_limits

    @property
    def chunker(self) -> LegalChunker:
        """Built on first use: an unchanged folder never loads the tokenizer or the model."""
        if self._chunker is None:
            self._chunker = self._chunker_factory()
        return self._chunker

    # ------------------------------------------------------------------ public API
    def run(
        self,
        paths: Sequence[Path],
        collection: str,
        *,
        prune: bool = True,
        progress: ProgressCallback | None = None,
        select: Callable[[Path], bool] | None = None,
        settling: Callable[[Path], bool] | None = None,
    ) -> IngestReport:
        """Index `paths` into `collection`. `select` narrows a folder's files (a sync source's
        include/exclude globs; files it leaves out count as gone). A file `settling` reports
        as still being written is left for a later run, and its indexed version is kept."""
        report = IngestReport()
        started = time.perf_counter()
        with self.exclusive(), _sigterm_as_interrupt():
            report.recovered = self._recover()
            found = discover(paths, self.file_rules)
            report.skipped.extend(found.skipped)
            present = [f for f in found.files if select is None or select(f)]
            report.waiting = [str(f) for f in present if settling is not None and settling(f)]
            files = [f for f in present if str(f) not in set(report.waiting)]
            report.files_total = len(files)
            batch: list[_Prepared] = []
            claimed: dict[str, str] = {}  # content hash -> path, for duplicates within this run
            try:
                for done, file in enumerate(files, start=1):
                    prepared = self._prepare(file, collection, report, claimed)
                    if prepared is not None:
                        batch.append(prepared)
                        if sum(len(p.chunks) for p in batch) >= self.batch_chunks:
                            self._flush(batch, collection, report)
                            batch = []
                    if progress:
                        progress(file.name, done, report.files_total, report.chunks_added)
                self._flush(batch, collection, report)
                if prune:
                    self._prune(found.roots, {str(f) for f in present}, collection, report)
                self._settle_versions(collection)
            except (OSError, sqlite3.Error) as exc:  # e.g. the disk is full
                raise IngestError(
                    "Schreiben im Datenverzeichnis fehlgeschlagen – Speicherplatz voll? Bereits "
                    "indexierte Dokumente bleiben erhalten; nach dem Freigeben erneut starten.",
                    f"{type(exc).__name__}: {exc}") from exc
            finally:
                self._flush_listeners()
        report.seconds = time.perf_counter() - started
        return report

    def _flush_listeners(self) -> None:
        """Persist derived indexes; a failure here (a full disk) is logged, not raised over the
        error that caused it: the keyword index is re-synced from the store on the next start."""
        for listener in self.listeners:
            try:
                listener.flush()
            except (OSError, sqlite3.Error) as exc:
                log.warning("could not persist %s: %s", type(listener).__name__, exc)

    def recover(self) -> int:
        """Roll back documents a crashed run left half-written. Returns how many."""
        with self.exclusive():
            return self._recover()

    def remove(self, collection: str, path: str) -> bool:
        """Remove one document from the index; a duplicate of it takes over its chunks."""
        record = self.manifest.get(collection, path)
        if record is None:
            return False
        self._release_chunks(record)
        self.manifest.delete(collection, path)
        self._settle_versions(collection)
        for listener in self.listeners:
            listener.flush()
        return True

    # ------------------------------------------------------------------ stages
    def _prepare(
        self, file: Path, collection: str, report: IngestReport, claimed: dict[str, str]
    ) -> _Prepared | None:
        path = str(file)
        previous = self.manifest.get(collection, path)
        try:
            size = file.stat().st_size
            if size > self.max_file_bytes:
                raise IngestError(
                    f"Datei ist zu groß ({size / 1e6:.1f} MB, erlaubt "
                    f"{self.max_file_bytes / 1e6:.1f} MB)",
                    f"{file.name}: file exceeds size limit ({size} > {self.max_file_bytes} bytes)",
                )
            data = file.read_bytes()
            sidecar = sidecar_path(file)
            facts = sidecar.read_bytes() if sidecar.is_file() else b""
        except OSError as exc:
            self._fail(file, collection, previous, None, IngestError(
                "Datei kann nicht gelesen werden", f"{file.name}: {exc.strerror or exc}"), report)
            return None
        except IngestError as exc:
            self._fail(file, collection, previous, None, exc, report)
            return None
        # a sidecar's facts are part of the version: editing it re-indexes the file
        content_hash = hashlib.sha256(data + (b"\0sidecar\0" + facts if facts else b"")
                                      ).hexdigest()
        if previous and previous.content_hash == content_hash and previous.status in (
            INDEXED, DUPLICATE
        ) and not previous.reason:
            report.unchanged.append(path)
            return None
        original = claimed.get(content_hash) or self._indexed_twin(collection, path, content_hash)
        if original is not None:
            self._mark_duplicate(file, collection, previous, content_hash, size, original, report)
            return None
        try:
            doc = load_document(file, data, content_hash, self.ocr, self.load_limits)
            doc.metadata.update(read_sidecar(file))  # IT's sidecar wins over front matter
            chunks = self.chunker.chunk(doc)
            if not chunks:
                raise IngestError("Datei enthält keinen indexierbaren Text",
                                  f"{file.name}: no indexable text after chunking")
        except IngestError as exc:
            self._fail(file, collection, previous, content_hash, exc, report)
            return None
        except Exception as exc:  # a loader bug must not stop the batch
            log.exception("unexpected error while reading %s", file)
            self._fail(file, collection, previous, content_hash, IngestError(
                "Datei konnte nicht verarbeitet werden", f"{file.name}: {type(exc).__name__}: {exc}"
            ), report)
            return None
        claimed[content_hash] = path
        doc_type = derive_doc_type(file.name, doc.metadata.get("type"), self.doc_type_rules)
        return _Prepared(file, content_hash, size, doc.title, doc_type, doc.ocr, chunks,
                         document_metadata(doc, doc_type), declared_version(file, doc))

    def _flush(self, batch: list[_Prepared], collection: str, report: IngestReport) -> None:
        if not batch:
            return
        texts = [c.embedding_text() for p in batch for c in p.chunks]
        started = time.perf_counter()
        vectors = self.embedder.embed_documents(texts)
        report.embed_seconds += time.perf_counter() - started
        offset = 0
        for prepared in batch:
            prepared.embeddings = vectors[offset:offset + len(prepared.chunks)]
            offset += len(prepared.chunks)
            self._commit(prepared, collection, report)

    def _commit(self, p: _Prepared, collection: str, report: IngestReport) -> None:
        path = str(p.file)
        previous = self.manifest.get(collection, path)
        ids = [f"{collection}:{p.content_hash[:24]}:{i:05d}" for i in range(len(p.chunks))]
        record = DocumentRecord(
            collection=collection, path=path, doc=p.file.name, status=PENDING,
            content_hash=p.content_hash, chunk_ids=ids,
            old_chunk_ids=previous.chunk_ids if previous else [], title=p.title,
            doc_type=p.doc_type, size=p.size, ocr=p.ocr,
            norm_key=p.version.norm if p.version else None,
            starts=_iso(p.version.starts) if p.version else None,
            ends=_iso(p.version.ends) if p.version else None,
        )
        self.manifest.put(record)  # journal first
        try:
            if previous and previous.chunk_ids:
                self._release_chunks(previous, keep=set(ids))
            metadatas = [
                chunk_metadata(c, doc=p.file.name, path=path, collection=collection,
                               content_hash=p.content_hash, doc_meta=p.doc_meta)
                for c in p.chunks
            ]
            texts = [c.text for c in p.chunks]
            self.store.upsert(ids, p.embeddings, texts, metadatas)
            for listener in self.listeners:
                listener.on_upsert(ids, texts, metadatas)
        except BaseException:
            self._rollback(record)
            raise
        record.status, record.old_chunk_ids = INDEXED, []
        self.manifest.put(record)
        report.indexed.append(path)
        report.chunks_added += len(ids)

    # ------------------------------------------------------------------ helpers
    def _indexed_twin(self, collection: str, path: str, content_hash: str) -> str | None:
        for other in self.manifest.with_hash(content_hash):
            if other.collection == collection and other.path != path and Path(other.path).exists():
                return other.path
        return None

    def _mark_duplicate(self, file: Path, collection: str, previous: DocumentRecord | None,
                        content_hash: str, size: int, original: str, report: IngestReport) -> None:
        if previous and previous.chunk_ids:
            self._release_chunks(previous)
        self.manifest.put(DocumentRecord(
            collection=collection, path=str(file), doc=file.name, status=DUPLICATE,
            content_hash=content_hash, duplicate_of=original, size=size,
            title=previous.title if previous else None,
        ))
        report.duplicates.append(FileProblem(str(file), f"gleicher Inhalt wie / same content as "
                                                        f"{Path(original).name}"))

    def _fail(self, file: Path, collection: str, previous: DocumentRecord | None,
              content_hash: str | None, exc: IngestError, report: IngestReport) -> None:
        reason = str(exc)
        log.warning("%s: %s", file, exc.detail)
        report.failed.append(FileProblem(str(file), reason))
        if previous and previous.status in (INDEXED, DUPLICATE):
            previous.reason = f"Aktualisierung fehlgeschlagen, alte Fassung bleibt: {reason}"
            self.manifest.put(previous)  # keep what was indexed, flag it as stale
            return
        status = NEEDS_OCR if isinstance(exc, NeedsOcrError) else FAILED
        self.manifest.put(DocumentRecord(
            collection=collection, path=str(file), doc=file.name, status=status,
            content_hash=content_hash, reason=reason,
        ))

    def _release_chunks(self, record: DocumentRecord, keep: set[str] = frozenset()) -> None:
        """Hand the chunks to a surviving duplicate (no re-embedding) or delete them."""
        heirs = [d for d in self.manifest.duplicates_of(record.collection, record.path)
                 if Path(d.path).exists()]
        if heirs and record.status == INDEXED:
            heir = heirs[0]
            rows = self.store.get(record.chunk_ids)
            metas = [{**r["metadata"], "doc": heir.doc, "path": heir.path} for r in rows]
            self.store.update_metadata([r["id"] for r in rows], metas)
            for listener in self.listeners:
                listener.on_upsert([r["id"] for r in rows], [r["text"] for r in rows], metas)
            heir.status, heir.chunk_ids, heir.duplicate_of = INDEXED, record.chunk_ids, None
            heir.title = heir.title or record.title
            heir.doc_type = heir.doc_type or record.doc_type
            self.manifest.put(heir)
            for other in heirs[1:]:
                other.duplicate_of = heir.path
                self.manifest.put(other)
            return
        doomed = [i for i in record.chunk_ids if i not in keep]
        if doomed:
            self.store.delete(doomed)
            for listener in self.listeners:
                listener.on_delete(doomed)

    def _rollback(self, record: DocumentRecord) -> None:
        ids = list(dict.fromkeys(record.chunk_ids + record.old_chunk_ids))
        if ids:
            self.store.delete(ids)
            for listener in self.listeners:
                listener.on_delete(ids)
        self.manifest.delete(record.collection, record.path)
        log.warning("rolled back half-indexed document %s", record.path)

    def _recover(self) -> int:
        pending = self.manifest.records(status=PENDING)
        for record in pending:
            self._rollback(record)
        return len(pending)

    def _prune(self, roots: list[Path], present: set[str], collection: str,
               report: IngestReport) -> None:
        prefixes = tuple(str(root) + os.sep for root in roots)
        if not prefixes:
            return
        for record in self.manifest.records(collection=collection):
            if record.path.startswith(prefixes) and record.path not in present:
                # a renamed file was indexed again under its new path with the same chunk
                # ids (they derive from the content): those stay
                kept = {i for other in self.manifest.with_hash(record.content_hash)
                        if other.collection == collection and other.path != record.path
                        and other.status == INDEXED for i in other.chunk_ids}
                self._release_chunks(record, keep=kept)
                self.manifest.delete(collection, record.path)
                report.removed.append(record.path)

    def _settle_versions(self, collection: str) -> None:
        """Give every version of a norm its interval in force (a version without an end ends
        when the next one starts) and write it into its chunks' metadata where it changed, so
        the date filter of both stores sees it."""
        records = {r.path: r for r in self.manifest.records(collection=collection, status=INDEXED)}
        versions = [Version(r.path, r.norm_key, parse_date(r.starts), parse_date(r.ends))
                    for r in records.values()]
        for path, validity in effective_validity(versions).items():
            record = records[path]
            wanted = (_iso(validity.valid_from), _iso(validity.valid_to),
                      Path(validity.superseded_by).name if validity.superseded_by else None)
            if (record.effective_from, record.effective_to, record.superseded_by) == wanted:
                continue
            rows = self.store.get(record.chunk_ids)
            metas = [{**row["metadata"], **validity_metadata(validity, record.norm_key)}
                     for row in rows]
            if rows:
                self.store.update_metadata([r["id"] for r in rows], metas)
                for listener in self.listeners:
                    listener.on_upsert([r["id"] for r in rows], [r["text"] for r in rows], metas)
            record.effective_from, record.effective_to, record.superseded_by = wanted
            self.manifest.put(record)

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the ingest lock: no other run (in any process) writes meanwhile. Used by every
        run and by the backup. A second run waits up to `lock_wait_seconds` (an upload that
        meets a folder sync goes through once the sync is done), then gets IngestBusy."""
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.lock_wait_seconds
        with open(self.lock_path, "w") as handle:
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError as exc:
                    if time.monotonic() >= deadline:
                        raise IngestBusy("Es läuft bereits eine Indexierung – bitte warten",
                                         f"another ingest holds {self.lock_path}") from exc
                    time.sleep(0.25)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """`kill` (SIGTERM) stops as cleanly as Ctrl-C; SIGKILL is left to recovery."""
    def handler(signum: int, frame: object) -> None:
        raise _Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread (e.g. inside the web app)
        yield
        return
    try:
        yield
    except _Terminated:
        raise KeyboardInterrupt from None
    finally:
        signal.signal(signal.SIGTERM, previous)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
