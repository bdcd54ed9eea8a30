"""Users (scrypt-hashed passwords, a role, groups) and collection read grants.

Both live in one SQLite file in the data directory and are managed with `rathaus users ...` and
`rathaus collections ...`. The web app only *reads* them: logging in, and deciding which
collections a request may search.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.sqlite_util import open_sqlite, utc_now
from core.errors import AccountError

ROLES = ("staff", "admin", "developer")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_NAME_CHAR = re.compile(r"[A-Za-z0-9._@-]")
NAME_MAX = 64
NAME_RULE_DE = ("1 bis 64 Zeichen aus Buchstaben A–Z (ohne Umlaute und ß), Ziffern und . _ - @, "
                "am Anfang ein Buchstabe oder eine Ziffer")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY, password TEXT NOT NULL, role TEXT NOT NULL,
    groups TEXT NOT NULL, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS collections (
    name TEXT PRIMARY KEY, groups TEXT NOT NULL, created TEXT NOT NULL);
"""
EXTERNAL_PASSWORD = "!extern"  # no scrypt hash: no password matches it
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}  # RFC 7914 parameters; ~50 ms per check here


@dataclass(frozen=True)
class User:
    name: str
    role: str
    groups: tuple[str, ...] = ()

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def can_manage_documents(self) -> bool:
        return self.role == "admin"

    @property
    def can_use_prompt_lab(self) -> bool:
        return self.role in ("developer", "admin")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **_SCRYPT)
    return "scrypt${n}${r}${p}${salt}${digest}".format(
        **_SCRYPT, salt=base64.b64encode(salt).decode(), digest=base64.b64encode(digest).decode())


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt),
                                n=int(n), r=int(r), p=int(p), dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def check_password(name: str, password: str, min_length: int) -> None:
    """The minimum policy: long enough, not the user name, not one kind of character only."""
    kinds = sum(any(test(c) for c in password)
                for test in (str.isalpha, str.isdigit, lambda c: not c.isalnum()))
    if len(password) < min_length:
        raise AccountError(f"Das Passwort muss mindestens {min_length} Zeichen lang sein",
                           f"password shorter than {min_length}")
    if len(name) >= 3 and name.lower() in password.lower():
        raise AccountError("Das Passwort darf den Benutzernamen nicht enthalten",
                           "password contains the user name")
    if kinds < 2:
        raise AccountError("Das Passwort braucht mindestens zwei Zeichenarten (Buchstaben, "
                           "Ziffern, Sonderzeichen)", "password uses one kind of character")


def parse_groups(text: str | Iterable[str] | None) -> tuple[str, ...]:
    """"G1, G2" or ["G1", "G2"] -> ("G1", "G2"): trimmed, de-duplicated, order kept."""
    if text is None:
        return ()
    items = text.split(",") if isinstance(text, str) else list(text)
    groups = tuple(dict.fromkeys(g.strip() for g in items if g and g.strip()))
    for group in groups:
        if not _NAME.match(group):
            raise AccountError(f"Ungültiger Gruppenname: {group!r}",
                               f"invalid group name {group!r}")
    return groups


def name_problem(name: str) -> str | None:
    """Which part of the name rule `name` breaks, in German; None for a valid name."""
    if _NAME.match(name or ""):
        return None
    if not name:
        return "der Name ist leer"
    if len(name) > NAME_MAX:
        return f"der Name ist länger als {NAME_MAX} Zeichen"
    for char in name:
        if not _NAME_CHAR.match(char):
            shown = "ein Leerzeichen" if char == " " else (
                f"das Zeichen „{char}“" if char.isprintable() else
                f"das Steuerzeichen U+{ord(char):04X}")
            return f"der Name enthält {shown}"
    return f"der Name beginnt mit „{name[0]}“"


def check_name(name: str, what: str) -> str:
    problem = name_problem(name)
    if problem is not None:
        raise AccountError(f"Ungültiger Name für {what}: {name!r} – {problem} "
                           f"(erlaubt: {NAME_RULE_DE})",
                           f"invalid {what} name {name!r}")
    return name


class AccountStore:
    """Users and collection grants in `<data_dir>/access.sqlite3`."""

    def __init__(self, path: Path) -> None:
        self._lock = threading.Lock()
        self._conn = open_sqlite(path, _SCHEMA)

    # ------------------------------------------------------------------ users
    def add_user(self, name: str, password: str, role: str = "staff",
                 groups: Sequence[str] = ()) -> User:
        check_name(name, "Benutzer")
        if role not in ROLES:
            raise AccountError(f"Unbekannte Rolle {role!r} (erlaubt: {', '.join(ROLES)})",
                               f"unknown role {role!r}")
        if not password:
            raise AccountError("Das Passwort darf nicht leer sein", "empty password")
        groups = parse_groups(groups)
        try:
            with self._lock, self._conn:
                self._conn.execute("INSERT INTO users VALUES (?, ?, ?, ?, ?)",
                                   (name, hash_password(password), role, json.dumps(groups),
                                    utc_now()))
        except sqlite3.IntegrityError as exc:
            raise AccountError(f"Benutzer {name!r} gibt es schon", f"user {name!r} exists") from exc
        return User(name, role, groups)

    def add_external_user(self, name: str, groups: Sequence[str] = ()) -> User:
        """A user known from the single sign-on proxy: role staff, no password (the local login
        can never succeed for them). An existing user is returned unchanged."""
        check_name(name, "Benutzer")
        with self._lock, self._conn:
            self._conn.execute("INSERT OR IGNORE INTO users VALUES (?, ?, 'staff', ?, ?)",
                               (name, EXTERNAL_PASSWORD, json.dumps(parse_groups(groups)),
                                utc_now()))
        return self.require_user(name)

    def set_groups(self, name: str, groups: Sequence[str]) -> None:
        self._change("UPDATE users SET groups = ? WHERE name = ?",
                     (json.dumps(parse_groups(groups)), name), name)

    def set_password(self, name: str, password: str) -> None:
        if not password:
            raise AccountError("Das Passwort darf nicht leer sein", "empty password")
        self._change("UPDATE users SET password = ? WHERE name = ?",
                     (hash_password(password), name), name)

    def remove_user(self, name: str) -> None:
        self._change("DELETE FROM users WHERE name = ?", (name,), name)

    def _change(self, sql: str, args: tuple, name: str) -> None:
        with self._lock, self._conn:
            changed = self._conn.execute(sql, args).rowcount
        if not changed:
            raise AccountError(f"Benutzer {name!r} gibt es nicht", f"no user {name!r}")

    def user(self, name: str) -> User | None:
        with self._lock:
            row = self._conn.execute("SELECT name, role, groups FROM users WHERE name = ?",
                                     (name,)).fetchone()
        return User(row[0], row[1], tuple(json.loads(row[2]))) if row else None

    def require_user(self, name: str) -> User:
        found = self.user(name)
        if found is None:
            raise AccountError(f"Benutzer {name!r} gibt es nicht", f"no user {name!r}")
        return found

    def users(self) -> list[User]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT name, role, groups FROM users ORDER BY name").fetchall()
        return [User(r[0], r[1], tuple(json.loads(r[2]))) for r in rows]

    def authenticate(self, name: str, password: str) -> User | None:
        """The user when the password matches; None otherwise (same cost for unknown names)."""
        with self._lock:
            row = self._conn.execute("SELECT password FROM users WHERE name = ?",
                                     (name or "",)).fetchone()
        stored = row[0] if row else _DUMMY_HASH
        if verify_password(password or "", stored) and row:
            return self.user(name)
        return None

    # ------------------------------------------------------------------ collections
    def grant(self, collection: str, groups: Sequence[str] | str) -> tuple[str, ...]:
        """Only these groups may read `collection` (an empty list: everyone logged in)."""
        check_name(collection, "Sammlung")
        parsed = parse_groups(groups)
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT INTO collections VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
                "groups = excluded.groups", (collection, json.dumps(parsed), utc_now()))
        return parsed

    def grants(self) -> dict[str, tuple[str, ...]]:
        """Every collection created or granted here -> its reader groups (empty = everyone)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT name, groups FROM collections ORDER BY name").fetchall()
        return {r[0]: tuple(json.loads(r[1])) for r in rows}

    def close(self) -> None:
        self._conn.close()


def readable(user: User | None, collections: Iterable[str],
             grants: dict[str, tuple[str, ...]]) -> list[str]:
    """The collections `user` may read. None (a local operator on the CLI) and admins read
    everything; others read collections without a grant and those granted to a group of theirs."""
    names = sorted(set(collections))
    if user is None or user.is_admin:
        return names
    mine = set(user.groups)
    return [c for c in names if not grants.get(c) or mine & set(grants[c])]


_DUMMY_HASH = hash_password(secrets.token_hex(8))
