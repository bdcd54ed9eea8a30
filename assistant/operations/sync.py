"""Folder sync for IT: keep each configured folder (often a mounted file share) in step with its
collection, once (`rathaus sync`) or continuously (`rathaus sync --watch`).

A run is the incremental ingest with prune: new and changed files are indexed, files that are
gone (deleted, renamed, or now excluded by the source's globs) leave the index. Two guards keep
a share's hiccups out of the index:

- a file modified less than `sync.stable_seconds` ago is still being copied; it waits for the
  next run and its indexed version stays;
- a folder that is missing, or empty while the index holds documents from it, is most likely
  an unmounted share: nothing is removed and the source reports the error.

Each source's last run (when, what changed, errors) is kept in `sync.sqlite3`, so
`rathaus status --json` (key `sources`) and the Dokumente tab show it from any process.
"""

from __future__ import annotations

import fnmatch
import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.sqlite_util import open_sqlite, utc_now
from core.config import SyncSource
from core.errors import AssistantError, ConfigError
from ingest.pipeline import IngestReport

log = logging.getLogger(__name__)
_SCHEMA = "CREATE TABLE IF NOT EXISTS sources (name TEXT PRIMARY KEY, status TEXT NOT NULL);"

Ingest = Callable[..., IngestReport]  # IngestPipeline.run
IndexedUnder = Callable[[str, Path], int]  # (collection, folder) -> documents indexed from it


@dataclass
class SourceStatus:
    """One source's last run, as `status --json` shows it under `sources`."""

    name: str
    path: str
    collection: str
    last_run: str | None = None
    seconds: float = 0.0
    ok: bool | None = None  # None: never run
    indexed: int = 0
    unchanged: int = 0
    removed: int = 0
    waiting: list[str] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    error: str | None = None
    runs: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class SyncStatusStore:
    """The last status of each source in `<data_dir>/sync.sqlite3`."""

    def __init__(self, path: Path) -> None:
        self._lock = threading.Lock()
        self._conn = open_sqlite(path, _SCHEMA)

    def save(self, status: SourceStatus) -> None:
        with self._lock, self._conn:
            self._conn.execute("INSERT OR REPLACE INTO sources VALUES (?, ?)",
                               (status.name, json.dumps(status.to_json(), ensure_ascii=False)))

    def load(self, name: str) -> SourceStatus | None:
        with self._lock:
            row = self._conn.execute("SELECT status FROM sources WHERE name = ?",
                                     (name,)).fetchone()
        return SourceStatus(**json.loads(row[0])) if row else None

    def close(self) -> None:
        self._conn.close()


def matches(relative: str, patterns: Sequence[str]) -> bool:
    """A glob matches the path relative to the folder or the bare file name."""
    name = relative.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(name, p) for p in patterns)


class SyncService:
    """Runs the configured sources one at a time (the ingest lock allows one writer)."""

    def __init__(self, sources: Sequence[SyncSource], *, default_collection: str,
                 ingest: Ingest, indexed_under: IndexedUnder, store: SyncStatusStore,
                 stable_seconds: float, clock: Callable[[], float] = time.time) -> None:
        names = [s.name for s in sources]
        if len(set(names)) != len(names):
            raise ConfigError("sync.sources: Namen müssen eindeutig sein",
                              f"duplicate source names in {names}")
        self.sources = list(sources)
        self.default_collection = default_collection
        self.ingest = ingest
        self.indexed_under = indexed_under
        self.store = store
        self.stable_seconds = stable_seconds
        self.clock = clock
        self._run_lock = threading.Lock()

    def collection(self, source: SyncSource) -> str:
        return source.collection or self.default_collection

    def source(self, name: str) -> SyncSource:
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources) or "keine"
        raise ConfigError(f"Unbekannte Quelle {name!r} (konfiguriert: {known})",
                          f"unknown sync source {name!r}")

    # ------------------------------------------------------------------ running
    def run(self, names: Sequence[str] = ()) -> list[SourceStatus]:
        chosen = [self.source(n) for n in names] if names else self.sources
        return [self.run_source(s) for s in chosen]

    def run_source(self, source: SyncSource) -> SourceStatus:
        """One incremental run of `source`; its status is stored whatever happens."""
        previous = self.store.load(source.name)
        status = SourceStatus(source.name, str(source.path), self.collection(source),
                              runs=(previous.runs if previous else 0) + 1)
        started = time.perf_counter()
        with self._run_lock:
            try:
                self._check_folder(source)
                report = self.ingest([source.path], status.collection, prune=True,
                                     select=self._selector(source), settling=self._settling)
                status.indexed, status.unchanged = len(report.indexed), len(report.unchanged)
                status.removed, status.waiting = len(report.removed), report.waiting
                status.failed = [{"path": p.path, "reason": p.reason} for p in report.failed]
                status.ok = report.ok
            except AssistantError as exc:
                status.error, status.ok = exc.message_de, False
                log.warning("sync %s: %s", source.name, exc.detail)
        status.last_run = utc_now()
        status.seconds = round(time.perf_counter() - started, 2)
        self.store.save(status)
        return status

    def _check_folder(self, source: SyncSource) -> None:
        folder = source.path
        if not folder.is_dir():
            raise ConfigError(f"Ordner {folder} nicht gefunden (Freigabe nicht eingehängt?) – "
                              "nichts entfernt", f"sync source folder missing: {folder}")
        if not any(folder.iterdir()) and self.indexed_under(self.collection(source), folder):
            raise ConfigError(f"Ordner {folder} ist leer, im Index sind aber Dokumente daraus – "
                              "Freigabe nicht eingehängt? Nichts entfernt; zum Leeren "
                              "`rathaus remove` verwenden.", f"sync source folder empty: {folder}")

    @staticmethod
    def _selector(source: SyncSource) -> Callable[[Path], bool]:
        root = source.path.resolve()

        def select(file: Path) -> bool:
            try:
                relative = file.resolve().relative_to(root).as_posix()
            except ValueError:
                relative = file.name
            if source.include and not matches(relative, source.include):
                return False
            return not matches(relative, source.exclude)

        return select

    def _settling(self, file: Path) -> bool:
        try:
            return self.clock() - file.stat().st_mtime < self.stable_seconds
        except OSError:  # vanished meanwhile: the next run sees it gone
            return True

    # ------------------------------------------------------------------ status
    def status(self) -> list[dict[str, Any]]:
        """Every configured source with its last run (never run: `ok` and `last_run` null)."""
        return [(self.store.load(s.name)
                 or SourceStatus(s.name, str(s.path), self.collection(s))).to_json()
                for s in self.sources]
