"""Web sessions in `<data_dir>/sessions.sqlite3`, so that a restart of `rathaus serve` (an
update, a crash) does not log every member of staff out in the middle of the day.

Only the SHA-256 of a cookie token is stored: whoever reads the file (or a backup of it) cannot
turn a row back into a cookie. Times are wall-clock seconds, so they stay meaningful across
restarts. The last-use time is written at most every `TOUCH_SECONDS`: the web app asks for the
session on every request, and a write per request would cost more than the idle timeout's
precision is worth.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from assistant.sqlite_util import open_sqlite

TOUCH_SECONDS = 30.0
_SCHEMA = """
PRAGMA journal_mode=WAL;
CREATE TABLE IF NOT EXISTS sessions (
    token_sha256 TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    created REAL NOT NULL,
    seen REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user);
"""


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class StoredSession:
    user: str
    created: float
    seen: float


class SessionStore:
    """Sessions by token digest; the login service decides what is expired."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._conn = open_sqlite(path, _SCHEMA)

    def start(self, user: str, now: float) -> str:
        """A new random cookie token for `user`; only its digest is kept."""
        token = secrets.token_urlsafe(32)
        with self._lock, self._conn:
            self._conn.execute("INSERT INTO sessions VALUES (?, ?, ?, ?)",
                               (token_digest(token), user, now, now))
        return token

    def get(self, token: str) -> StoredSession | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT user, created, seen FROM sessions WHERE token_sha256 = ?",
                (token_digest(token),)).fetchone()
        return StoredSession(*row) if row else None

    def touch(self, token: str, seen: float, now: float) -> None:
        """Record a use; only when the stored one (`seen`) is TOUCH_SECONDS old, so most
        requests read the store and write nothing."""
        if now - seen < TOUCH_SECONDS:
            return
        with self._lock, self._conn:
            self._conn.execute("UPDATE sessions SET seen = ? WHERE token_sha256 = ?",
                               (now, token_digest(token)))

    def end(self, token: str) -> StoredSession | None:
        """Remove one session; what it was, or None."""
        digest = token_digest(token)
        with self._lock, self._conn:
            row = self._conn.execute(
                "SELECT user, created, seen FROM sessions WHERE token_sha256 = ?",
                (digest,)).fetchone()
            self._conn.execute("DELETE FROM sessions WHERE token_sha256 = ?", (digest,))
        return StoredSession(*row) if row else None

    def end_user(self, user: str) -> int:
        """Remove every session of `user` (the account is gone); how many there were."""
        with self._lock, self._conn:
            return self._conn.execute("DELETE FROM sessions WHERE user = ?", (user,)).rowcount

    def purge(self, created_before: float, seen_before: float) -> int:
        """Drop sessions that are past their maximum age or idle too long."""
        with self._lock, self._conn:
            return self._conn.execute(
                "DELETE FROM sessions WHERE created < ? OR seen < ?",
                (created_before, seen_before)).rowcount

    def clear(self) -> int:
        """Drop every session (a restored backup starts with nobody logged in)."""
        with self._lock, self._conn:
            return self._conn.execute("DELETE FROM sessions").rowcount

    def count(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._conn.close()
