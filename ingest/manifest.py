"""SQLite manifest of what is indexed: path, content hash, chunk ids, status.

It is the journal that makes ingestion incremental and crash-safe: a document is marked
`pending` (with the chunk ids about to be written) before Chroma is touched and `indexed` after;
a `pending` row found later is rolled back and the file processed again.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

_VERSION_COLUMNS = ("norm_key", "starts", "ends", "effective_from", "effective_to",
                    "superseded_by")
INDEXED = "indexed"
DUPLICATE = "duplicate"
FAILED = "failed"
NEEDS_OCR = "needs_ocr"
PENDING = "pending"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    collection   TEXT NOT NULL,
    path         TEXT NOT NULL,
    doc          TEXT NOT NULL,
    content_hash TEXT,
    status       TEXT NOT NULL,
    chunk_ids    TEXT NOT NULL DEFAULT '[]',
    old_chunk_ids TEXT NOT NULL DEFAULT '[]',
    title        TEXT,
    doc_type     TEXT,
    reason       TEXT,
    duplicate_of TEXT,
    size         INTEGER,
    ocr          INTEGER NOT NULL DEFAULT 0,
    updated_at   REAL NOT NULL,
    PRIMARY KEY (collection, path)
);
CREATE INDEX IF NOT EXISTS documents_hash ON documents (content_hash);
CREATE INDEX IF NOT EXISTS documents_norm ON documents (collection, norm_key);
CREATE INDEX IF NOT EXISTS documents_status ON documents (status);
"""


@dataclass
class DocumentRecord:
    """One row of the manifest."""

    collection: str
    path: str
    doc: str
    status: str
    content_hash: str | None = None
    chunk_ids: list[str] = field(default_factory=list)
    old_chunk_ids: list[str] = field(default_factory=list)
    title: str | None = None
    doc_type: str | None = None
    reason: str | None = None
    duplicate_of: str | None = None
    size: int | None = None
    ocr: bool = False
    updated_at: float = 0.0
    # versions of a norm (ingest/versions.py): the norm it belongs to, the dates the file
    # declares (ISO), and the interval in force after its neighbours are considered
    norm_key: str | None = None
    starts: str | None = None
    ends: str | None = None
    effective_from: str | None = None
    effective_to: str | None = None
    superseded_by: str | None = None


class Manifest:
    """Small DAO over the manifest database; every write is its own committed transaction."""

    def __init__(self, db_path: Path) -> None:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        self.db_path = db_path
        self._conn = sqlite3.connect(db_path, timeout=30, isolation_level=None,
                                     check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._migrate()
        self._conn.executescript(_SCHEMA)

    def _migrate(self) -> None:
        """Manifests from before versions get the version columns (empty: a file on its own)."""
        self._conn.executescript(_SCHEMA.split("CREATE INDEX")[0])
        have = {row[1] for row in self._conn.execute("PRAGMA table_info(documents)")}
        for column in _VERSION_COLUMNS:
            if column not in have:
                self._conn.execute(f"ALTER TABLE documents ADD COLUMN {column} TEXT")

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    @staticmethod
    def _record(row: sqlite3.Row) -> DocumentRecord:
        data = dict(row)
        data["chunk_ids"] = json.loads(data["chunk_ids"] or "[]")
        data["old_chunk_ids"] = json.loads(data["old_chunk_ids"] or "[]")
        data["ocr"] = bool(data["ocr"])
        return DocumentRecord(**data)

    def get(self, collection: str, path: str) -> DocumentRecord | None:
        row = self._conn.execute(
            "SELECT * FROM documents WHERE collection=? AND path=?", (collection, path)
        ).fetchone()
        return self._record(row) if row else None

    def put(self, record: DocumentRecord) -> None:
        record.updated_at = time.time()
        self._conn.execute(
            """INSERT OR REPLACE INTO documents (collection, path, doc, content_hash, status,
               chunk_ids, old_chunk_ids, title, doc_type, reason, duplicate_of, size, ocr,
               updated_at, norm_key, starts, ends, effective_from, effective_to, superseded_by)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            (record.collection, record.path, record.doc, record.content_hash, record.status,
             json.dumps(record.chunk_ids), json.dumps(record.old_chunk_ids), record.title,
             record.doc_type, record.reason, record.duplicate_of, record.size, int(record.ocr),
             record.updated_at, record.norm_key, record.starts, record.ends,
             record.effective_from, record.effective_to, record.superseded_by),
        )

    def delete(self, collection: str, path: str) -> None:
        self._conn.execute("DELETE FROM documents WHERE collection=? AND path=?",
                           (collection, path))

    def records(
        self, *, collection: str | None = None, status: str | None = None
    ) -> list[DocumentRecord]:
        query, args = "SELECT * FROM documents WHERE 1=1", []
        if collection is not None:
            query += " AND collection=?"
            args.append(collection)
        if status is not None:
            query += " AND status=?"
            args.append(status)
        return [self._record(r) for r in self._conn.execute(query + " ORDER BY path", args)]

    def with_hash(self, content_hash: str) -> list[DocumentRecord]:
        rows = self._conn.execute(
            "SELECT * FROM documents WHERE content_hash=? AND status=?", (content_hash, INDEXED)
        )
        return [self._record(r) for r in rows]

    def duplicates_of(self, collection: str, path: str) -> list[DocumentRecord]:
        rows = self._conn.execute(
            "SELECT * FROM documents WHERE collection=? AND duplicate_of=? AND status=?",
            (collection, path, DUPLICATE),
        )
        return [self._record(r) for r in rows]

    def pending_paths(self) -> list[str]:
        rows = self._conn.execute("SELECT path FROM documents WHERE status=?", (PENDING,))
        return [r["path"] for r in rows]

    def collections(self) -> list[str]:
        rows = self._conn.execute("SELECT DISTINCT collection FROM documents ORDER BY collection")
        return [r["collection"] for r in rows]
