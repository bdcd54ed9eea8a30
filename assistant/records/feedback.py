"""Staff feedback (👍/👎 plus an optional comment) on answers, kept for prompt developers."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.sqlite_util import open_sqlite, utc_now

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, user TEXT NOT NULL,
    question TEXT NOT NULL, answer TEXT NOT NULL, rating INTEGER NOT NULL, comment TEXT NOT NULL,
    backend TEXT NOT NULL, prompt TEXT NOT NULL, citations TEXT NOT NULL);
"""


@dataclass(frozen=True)
class Feedback:
    user: str
    question: str
    answer: str
    rating: int  # +1 or -1
    comment: str
    backend: str
    prompt: str
    citations: Sequence[str]


class FeedbackStore:
    def __init__(self, path: Path) -> None:
        self._lock = threading.Lock()
        self._conn = open_sqlite(path, _SCHEMA)

    def add(self, item: Feedback) -> None:
        if item.rating not in (1, -1):
            raise ValueError(f"rating must be +1 or -1, got {item.rating}")
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT INTO feedback (time, user, question, answer, rating, comment, backend, "
                "prompt, citations) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (utc_now(), item.user,
                 item.question, item.answer, item.rating, item.comment.strip(), item.backend,
                 item.prompt, json.dumps(list(item.citations), ensure_ascii=False)))

    def all(self) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT time, user, question, answer, rating, comment, backend, prompt, citations "
                "FROM feedback ORDER BY id").fetchall()
        keys = ("time", "user", "question", "answer", "rating", "comment", "backend", "prompt")
        return [dict(zip(keys, r[:8]), citations=json.loads(r[8])) for r in rows]

    def close(self) -> None:
        self._conn.close()
