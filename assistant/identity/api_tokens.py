"""API tokens: a bearer token per user for the OpenAI-compatible API.

A token is shown once when it is created and only its SHA-256 is stored (tokens are 256 random
bits, so a plain hash cannot be guessed back, and checking one costs microseconds, unlike a
password hash). Each token has a short public id for `rathaus tokens list` and `revoke`, an
optional expiry, and the time it was last used. A token of a removed user is worthless: the
caller checks the user on every request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from assistant.sqlite_util import open_sqlite, utc_now
from core.errors import AccountError

PREFIX = "rat_"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY, user TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, created TEXT NOT NULL,
    expires TEXT, last_used TEXT, revoked TEXT);
"""


@dataclass(frozen=True)
class TokenInfo:
    """What `tokens list` shows: never the token itself."""

    id: str
    user: str
    created: str
    expires: str | None
    last_used: str | None
    revoked: str | None

    @property
    def active(self) -> bool:
        return self.revoked is None and not _expired(self.expires)

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "user": self.user, "created": self.created,
                "expires": self.expires, "last_used": self.last_used, "revoked": self.revoked,
                "active": self.active}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _expired(expires: str | None) -> bool:
    return expires is not None and datetime.fromisoformat(expires) <= datetime.now(UTC)


class TokenStore:
    """Tokens in `<data_dir>/api_tokens.sqlite3`."""

    def __init__(self, path: Path) -> None:
        self._lock = threading.Lock()
        self._conn = open_sqlite(path, _SCHEMA)

    def create(self, user: str, expires_days: float | None = None) -> tuple[TokenInfo, str]:
        """A new token for `user` (the caller checks that the user exists): its info and the
        secret, which is never stored."""
        if expires_days is not None and expires_days <= 0:
            raise AccountError("Die Gültigkeit muss größer als 0 Tage sein",
                               f"invalid expiry {expires_days}")
        token_id = secrets.token_hex(4)
        secret = f"{PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
        expires = (None if expires_days is None else
                   (datetime.now(UTC) + timedelta(days=expires_days)).isoformat(timespec="seconds"))
        with self._lock, self._conn:
            self._conn.execute("INSERT INTO tokens VALUES (?, ?, ?, ?, ?, NULL, NULL)",
                               (token_id, user, _digest(secret), utc_now(), expires))
        return self.require(token_id), secret

    def user_for(self, secret: str | None) -> str | None:
        """The user a live token belongs to (and its use is noted), or None."""
        if not secret or not secret.startswith(PREFIX):
            return None
        digest = _digest(secret)
        with self._lock:
            row = self._conn.execute("SELECT id, user, hash, expires, revoked FROM tokens "
                                     "WHERE hash = ?", (digest,)).fetchone()
        if row is None or not hmac.compare_digest(row[2], digest) or row[4] or _expired(row[3]):
            return None
        with self._lock, self._conn:
            self._conn.execute("UPDATE tokens SET last_used = ? WHERE id = ?", (utc_now(), row[0]))
        return row[1]

    def tokens(self, user: str | None = None) -> list[TokenInfo]:
        sql = "SELECT id, user, created, expires, last_used, revoked FROM tokens"
        args: tuple = ()
        if user is not None:
            sql, args = sql + " WHERE user = ?", (user,)
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY created, id", args).fetchall()
        return [TokenInfo(*row) for row in rows]

    def require(self, token_id: str) -> TokenInfo:
        with self._lock:
            row = self._conn.execute("SELECT id, user, created, expires, last_used, revoked "
                                     "FROM tokens WHERE id = ?", (token_id,)).fetchone()
        if row is None:
            raise AccountError(f"Token {token_id!r} gibt es nicht", f"no token {token_id!r}")
        return TokenInfo(*row)

    def revoke(self, token_id: str) -> TokenInfo:
        """From now on the token is refused; the row stays for the record."""
        self.require(token_id)
        with self._lock, self._conn:
            self._conn.execute("UPDATE tokens SET revoked = COALESCE(revoked, ?) WHERE id = ?",
                               (utc_now(), token_id))
        return self.require(token_id)

    def close(self) -> None:
        self._conn.close()
