"""The small SQLite files of an installation (users, audit, feedback): opened one way."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path


def open_sqlite(path: Path, schema: str) -> sqlite3.Connection:
    """A connection shared by the web app's threads (callers serialise writes with a lock),
    with `schema` applied idempotently."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, check_same_thread=False)
    with conn:
        conn.executescript(schema)
    return conn


def utc_now() -> str:
    """Timestamps as ISO 8601 UTC seconds: sortable as text, readable in exports."""
    return datetime.now(UTC).isoformat(timespec="seconds")
