"""Backup and restore of an installation's data directory, for IT.

A backup is one `.tar.gz`: every SQLite file copied with SQLite's online backup API (consistent
while `rathaus serve` reads and writes them), the other files as they are (prompts, uploads,
the audit key), and the vectors exported through the store's API (`vectors.jsonl`), so the same
backup restores into an embedded index or a `chroma run` server, and across Chroma versions.
The ingest lock is held meanwhile: no document is half-written in the snapshot. OCR results
are a cache and are left out, as is the bundled model (re-assembled from its packages).

The web sessions are in the backup (who was logged in, for an investigation) but a restore
drops them on purpose: a restore goes back to an older state, in which sessions that were
logged out or expired since, or belonged to a stolen cookie, would be valid again.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from assistant.sqlite_util import utc_now
from core.errors import AssistantError
from vectorstore.protocols import VectorStore

FORMAT = 1
INFO = "backup.json"
VECTORS = "vectors.jsonl"
_LEFT_OUT = {"chroma", "ocr_cache", "models", "ingest.lock"}  # via the API / caches / a lock
_SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")
DROPPED_ON_RESTORE = ("sessions.sqlite3",)  # everybody logs in anew after a restore


@dataclass(frozen=True)
class BackupInfo:
    files: int
    vectors: int
    embedding_model: str
    created: str


class BackupError(AssistantError):
    """A backup cannot be written or restored; the message says why."""


class BackupService:
    def __init__(self, data_dir: Path, store: Callable[[], VectorStore], embedding_model: str,
                 exclusive: Callable[[], AbstractContextManager[None]]) -> None:
        """`store` is called only when needed: a restore must not create anything in the
        target directory before it is known to be empty."""
        self.data_dir = data_dir
        self.store = store
        self.embedding_model = embedding_model
        self.exclusive = exclusive

    # ------------------------------------------------------------------ backup
    def backup(self, out: Path) -> BackupInfo:
        out.parent.mkdir(parents=True, exist_ok=True)
        with self.exclusive(), tempfile.TemporaryDirectory(dir=out.parent) as tmp:
            stage = Path(tmp) / "backup"
            files = self._copy_files(stage / "data")
            vectors = self._export_vectors(stage / VECTORS)
            info = BackupInfo(files, vectors, self.embedding_model, utc_now())
            (stage / INFO).write_text(json.dumps({"format": FORMAT, **info.__dict__}, indent=2))
            partial = out.with_name(out.name + ".part")
            with tarfile.open(partial, "w:gz") as archive:
                archive.add(stage, arcname="backup")
            partial.replace(out)
        return info

    def _copy_files(self, target: Path) -> int:
        count = 0
        for path in sorted(self.data_dir.rglob("*")):
            relative = path.relative_to(self.data_dir)
            if (relative.parts[0] in _LEFT_OUT or not path.is_file() or path.is_symlink()
                    or path.name.endswith(_SQLITE_SIDE_FILES)):
                continue
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            if path.suffix == ".sqlite3":
                _sqlite_copy(path, destination)
            else:
                shutil.copy2(path, destination)
            count += 1
        return count

    def _export_vectors(self, target: Path) -> int:
        count = 0
        with target.open("w", encoding="utf-8") as handle:
            for row in self.store().iter_all(with_embeddings=True):
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
        return count

    # ------------------------------------------------------------------ restore
    def restore(self, archive_path: Path, batch: int = 500) -> BackupInfo:
        """Into an empty data directory (and an empty vector store) only."""
        if self.data_dir.exists() and any(self.data_dir.iterdir()):
            raise BackupError(f"Das Datenverzeichnis {self.data_dir} ist nicht leer – "
                              "Wiederherstellung nur in ein leeres Verzeichnis",
                              f"{self.data_dir} is not empty")
        with tempfile.TemporaryDirectory() as tmp:
            stage = Path(tmp)
            try:
                with tarfile.open(archive_path, "r:gz") as archive:
                    archive.extractall(stage, filter="data")  # no absolute paths, no links out
                raw = json.loads((stage / "backup" / INFO).read_text())
            except (OSError, tarfile.TarError, ValueError, KeyError) as exc:
                raise BackupError(f"{archive_path} ist keine lesbare Sicherung",
                                  f"{archive_path}: {exc}") from exc
            info = BackupInfo(**{k: raw[k] for k in BackupInfo.__dataclass_fields__})
            if raw.get("format") != FORMAT or info.embedding_model != self.embedding_model:
                raise BackupError(
                    f"Die Sicherung wurde mit dem Embedding-Modell {info.embedding_model} "
                    f"erstellt, konfiguriert ist {self.embedding_model}",
                    f"backup format {raw.get('format')}, model {info.embedding_model!r}")
            self.data_dir.mkdir(parents=True, exist_ok=True)
            store = self.store()
            if store.count():
                raise BackupError("Der Vektorspeicher ist nicht leer – Wiederherstellung "
                                  "abgebrochen", "target vector store holds vectors")
            for name in DROPPED_ON_RESTORE:
                (stage / "backup" / "data" / name).unlink(missing_ok=True)
            for item in (stage / "backup" / "data").iterdir():
                shutil.move(str(item), self.data_dir / item.name)
            self._import_vectors(stage / "backup" / VECTORS, store, batch)
        return info

    @staticmethod
    def _import_vectors(source: Path, store: VectorStore, batch: int) -> None:
        rows: list[dict] = []
        with source.open(encoding="utf-8") as handle:
            for line in handle:
                rows.append(json.loads(line))
                if len(rows) >= batch:
                    _upsert(store, rows)
                    rows = []
        _upsert(store, rows)


def _upsert(store: VectorStore, rows: list[dict]) -> None:
    if rows:
        store.upsert([r["id"] for r in rows], [r["embedding"] for r in rows],
                     [r["text"] for r in rows], [r["metadata"] for r in rows])


def _sqlite_copy(source: Path, destination: Path) -> None:
    """A consistent copy even while another process writes (SQLite online backup)."""
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(destination)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
