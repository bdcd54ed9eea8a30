"""Append-only audit log: who asked what, in which collection, which sources were cited, and
the login events that matter (lockouts, logins, logouts).

SQLite in the data directory; a trigger refuses UPDATE and DELETE except the retention purge,
which runs through a flag the trigger checks. `store_questions=false` keeps only a SHA-256 hash
of each question (privacy), so repeated questions can still be counted.

Tamper evidence: each row carries the hash of the row before it (a hash chain). The newest
row's hash (the head) and, after a retention purge, the last purged row's hash (the base) are
kept as checkpoints signed with a key in the data directory, so `verify` detects an edited,
inserted or deleted row anywhere, including at the end, and a purge keeps the chain checkable.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from assistant.sqlite_util import open_sqlite, utc_now

_NO_UPDATE = """
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
"""
_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, user TEXT NOT NULL,
    collection TEXT NOT NULL, question TEXT, question_sha256 TEXT NOT NULL,
    sources TEXT NOT NULL, backend TEXT NOT NULL, prompt TEXT NOT NULL, refused INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS audit_time ON audit(time);
CREATE TABLE IF NOT EXISTS purge (active INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS anchor (
    kind TEXT PRIMARY KEY, row_id INTEGER NOT NULL, hash TEXT NOT NULL, signature TEXT NOT NULL);
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
WHEN (SELECT count(*) FROM purge WHERE active = 1) = 0
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
""" + _NO_UPDATE
_CHAIN_COLUMNS = {"event": "TEXT NOT NULL DEFAULT 'ask'", "detail": "TEXT",
                  "prev_hash": "TEXT", "hash": "TEXT"}
_FIELDS = ("id", "time", "user", "event", "collection", "question", "question_sha256", "sources",
           "backend", "prompt", "refused", "detail", "prev_hash")
_GENESIS = ""


@dataclass(frozen=True)
class AuditEntry:
    user: str
    collection: str
    question: str
    sources: Sequence[str]
    backend: str
    prompt: str
    refused: bool


@dataclass
class ChainReport:
    """What `verify` found: rows checked and every break, worded for IT."""

    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def row_hash(row: dict[str, Any]) -> str:
    """SHA-256 over the row's fields (including its id and the previous row's hash)."""
    canonical = json.dumps([row[name] for name in _FIELDS], ensure_ascii=False,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class AuditLog:
    def __init__(self, path: Path, *, store_questions: bool = True, retention_days: int = 365
                 ) -> None:
        self.store_questions = store_questions
        self.retention_days = retention_days
        self._lock = threading.Lock()
        self._conn = open_sqlite(path, _SCHEMA)
        self._key = _signing_key(path.with_name("audit.key"))
        self._migrate()
        self.purge()

    # ------------------------------------------------------------------ writing
    def record(self, entry: AuditEntry) -> None:
        """One question asked (chat, CLI, API, Prompt-Labor, evaluation)."""
        self._append({
            "user": entry.user, "event": "ask", "collection": entry.collection,
            "question": entry.question if self.store_questions else None,
            "question_sha256": hashlib.sha256(entry.question.encode("utf-8")).hexdigest(),
            "sources": json.dumps(list(entry.sources), ensure_ascii=False),
            "backend": entry.backend, "prompt": entry.prompt, "refused": int(entry.refused),
            "detail": None})

    def record_event(self, event: str, user: str, detail: str = "") -> None:
        """A security event such as `login_locked`, `login` or `logout`; `detail` e.g. the
        client address."""
        self._append({"user": user, "event": event, "collection": "", "question": None,
                      "question_sha256": "", "sources": "[]", "backend": "", "prompt": "",
                      "refused": 0, "detail": detail})

    def _append(self, values: dict[str, Any]) -> None:
        """Insert one row with its id, previous hash and own hash, in one write transaction
        (BEGIN IMMEDIATE: a CLI and the server writing at once still chain correctly)."""
        with self._lock, self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            head = self._conn.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1"
                                      ).fetchone()
            base = self._anchor("base")
            seq = self._conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit'"
                                     ).fetchone()
            row = {**values, "time": utc_now(), "id": max(seq[0] if seq else 0,
                                                         head[0] if head else 0) + 1,
                   "prev_hash": head[1] if head else (base[1] if base else _GENESIS)}
            row["hash"] = row_hash(row)
            self._conn.execute(
                f"INSERT INTO audit ({', '.join((*_FIELDS, 'hash'))}) VALUES "
                f"({', '.join(':' + name for name in (*_FIELDS, 'hash'))})", row)
            self._set_anchor("head", row["id"], row["hash"])

    def purge(self) -> int:
        """Delete entries older than the retention period; the only deletion there is. The
        last deleted row becomes the signed base the remaining chain starts from."""
        cutoff = (datetime.now(UTC) - timedelta(days=self.retention_days)).isoformat(
            timespec="seconds")
        with self._lock, self._conn:
            last = self._conn.execute(
                "SELECT id, hash FROM audit WHERE time < ? ORDER BY id DESC LIMIT 1",
                (cutoff,)).fetchone()
            if last is None:
                return 0
            self._conn.execute("INSERT INTO purge VALUES (1)")
            removed = self._conn.execute("DELETE FROM audit WHERE id <= ?", (last[0],)).rowcount
            self._conn.execute("DELETE FROM purge")
            self._set_anchor("base", last[0], last[1])
        return removed

    # ------------------------------------------------------------------ reading
    def entries(self, since: date | None = None) -> Iterator[dict[str, Any]]:
        """Entries from `since` (UTC day) on, oldest first, as export records."""
        start = since.isoformat() if since else ""
        with self._lock:
            rows = self._conn.execute(
                "SELECT time, user, collection, question, question_sha256, sources, backend, "
                "prompt, refused, event, detail, hash FROM audit WHERE time >= ? ORDER BY id",
                (start,)).fetchall()
        for r in rows:
            yield {"time": r[0], "user": r[1], "collection": r[2], "question": r[3],
                   "question_sha256": r[4], "sources": json.loads(r[5]), "backend": r[6],
                   "prompt": r[7], "refused": bool(r[8]), "event": r[9], "detail": r[10],
                   "hash": r[11]}

    def verify(self) -> ChainReport:
        """Walk the chain from the signed base to the signed head."""
        report = ChainReport()
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {', '.join(_FIELDS)}, hash FROM audit ORDER BY id").fetchall()
            base, head = self._anchor("base"), self._anchor("head")
        for kind, anchor in (("base", base), ("head", head)):
            if anchor is not None and not hmac.compare_digest(
                    anchor[2], self._sign(kind, anchor[0], anchor[1])):
                report.problems.append(f"Prüfpunkt '{kind}' ist nicht gültig signiert")
        expected = base[1] if base else _GENESIS
        for values in rows:
            row = dict(zip((*_FIELDS, "hash"), values, strict=True))
            report.checked += 1
            if row["prev_hash"] != expected:
                report.problems.append(
                    f"Eintrag {row['id']}: Verkettung unterbrochen (Eintrag davor fehlt oder "
                    "wurde verändert)")
            if row_hash(row) != row["hash"]:
                report.problems.append(f"Eintrag {row['id']}: Inhalt wurde verändert")
            expected = row["hash"]
        if head is None and rows:
            report.problems.append("Prüfpunkt 'head' fehlt")
        elif head is not None and (not rows or (rows[-1][0], rows[-1][-1]) != (head[0], head[1])):
            report.problems.append(
                f"Letzter Eintrag passt nicht zum Prüfpunkt (erwartet Eintrag {head[0]}): "
                "Einträge am Ende wurden gelöscht oder angehängt")
        return report

    def close(self) -> None:
        self._conn.close()

    # ------------------------------------------------------------------ chain internals
    def _sign(self, kind: str, row_id: int, digest: str) -> str:
        return hmac.new(self._key, f"{kind}|{row_id}|{digest}".encode(), "sha256").hexdigest()

    def _anchor(self, kind: str) -> tuple[int, str, str] | None:
        return self._conn.execute("SELECT row_id, hash, signature FROM anchor WHERE kind = ?",
                                  (kind,)).fetchone()

    def _set_anchor(self, kind: str, row_id: int, digest: str) -> None:
        self._conn.execute(
            "INSERT INTO anchor VALUES (?, ?, ?, ?) ON CONFLICT(kind) DO UPDATE SET "
            "row_id = excluded.row_id, hash = excluded.hash, signature = excluded.signature",
            (kind, row_id, digest, self._sign(kind, row_id, digest)))

    def _migrate(self) -> None:
        """Logs written before the chain existed get the new columns and are sealed once."""
        with self._lock, self._conn:
            present = {r[1] for r in self._conn.execute("PRAGMA table_info(audit)")}
            missing = [c for c in _CHAIN_COLUMNS if c not in present]
            if not missing:
                return
            for column in missing:
                self._conn.execute(f"ALTER TABLE audit ADD COLUMN {column} "
                                   f"{_CHAIN_COLUMNS[column]}")
            self._conn.execute("DROP TRIGGER audit_no_update")
            previous = _GENESIS
            cursor = self._conn.execute(f"SELECT {', '.join(_FIELDS)} FROM audit ORDER BY id")
            for values in cursor.fetchall():
                row = dict(zip(_FIELDS, values, strict=True))
                row["prev_hash"] = previous
                previous = row_hash(row)
                self._conn.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?",
                                   (row["prev_hash"], previous, row["id"]))
                self._set_anchor("head", row["id"], previous)
            self._conn.execute(_NO_UPDATE)


def _signing_key(path: Path) -> bytes:
    """The checkpoint key: created once, readable by the service account only."""
    try:
        return bytes.fromhex(path.read_text().strip())
    except FileNotFoundError:
        key = secrets.token_bytes(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key.hex())
        return key
    except ValueError as exc:
        raise sqlite3.DatabaseError(f"{path}: not a valid audit key") from exc
