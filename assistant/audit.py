"""Append-only audit log: who asked what, in which collection, and which sources were cited.

SQLite in the data directory; a trigger refuses UPDATE and DELETE except the retention purge,
which runs through a flag the trigger checks. `store_questions=false` keeps only a SHA-256 hash
of each question (privacy), so repeated questions can still be counted.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from assistant.sqlite_util import open_sqlite, utc_now

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, user TEXT NOT NULL,
    collection TEXT NOT NULL, question TEXT, question_sha256 TEXT NOT NULL,
    sources TEXT NOT NULL, backend TEXT NOT NULL, prompt TEXT NOT NULL, refused INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS audit_time ON audit(time);
CREATE TABLE IF NOT EXISTS purge (active INTEGER NOT NULL);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
WHEN (SELECT count(*) FROM purge WHERE active = 1) = 0
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
"""


@dataclass(frozen=True)
class AuditEntry:
    user: str
    collection: str
    question: str
    sources: Sequence[str]
    backend: str
    prompt: str
    refused: bool


class AuditLog:
    def __init__(self, path: Path, *, store_questions: bool = True, retention_days: int = 365
                 ) -> None:
        self.store_questions = store_questions
        self.retention_days = retention_days
        self._lock = threading.Lock()
        self._conn = open_sqlite(path, _SCHEMA)
        self.purge()

    def record(self, entry: AuditEntry) -> None:
        digest = hashlib.sha256(entry.question.encode("utf-8")).hexdigest()
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT INTO audit (time, user, collection, question, question_sha256, sources, "
                "backend, prompt, refused) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (utc_now(), entry.user,
                 entry.collection, entry.question if self.store_questions else None, digest,
                 json.dumps(list(entry.sources), ensure_ascii=False), entry.backend, entry.prompt,
                 int(entry.refused)))

    def purge(self) -> int:
        """Delete entries older than the retention period; the only deletion there is."""
        cutoff = (datetime.now(UTC) - timedelta(days=self.retention_days)).isoformat(
            timespec="seconds")
        with self._lock, self._conn:
            self._conn.execute("INSERT INTO purge VALUES (1)")
            removed = self._conn.execute("DELETE FROM audit WHERE time < ?", (cutoff,)).rowcount
            self._conn.execute("DELETE FROM purge")
        return removed

    def entries(self, since: date | None = None) -> Iterator[dict[str, Any]]:
        """Entries from `since` (UTC day) on, oldest first, as export records."""
        start = since.isoformat() if since else ""
        with self._lock:
            rows = self._conn.execute(
                "SELECT time, user, collection, question, question_sha256, sources, backend, "
                "prompt, refused FROM audit WHERE time >= ? ORDER BY id", (start,)).fetchall()
        for r in rows:
            yield {"time": r[0], "user": r[1], "collection": r[2], "question": r[3],
                   "question_sha256": r[4], "sources": json.loads(r[5]), "backend": r[6],
                   "prompt": r[7], "refused": bool(r[8])}

    def close(self) -> None:
        self._conn.close()
