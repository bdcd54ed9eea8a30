"""One ingest at a time: a second one waits for the running one (an upload that meets a folder
sync goes through afterwards), and gives up with IngestBusy only after the configured wait."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from core.errors import IngestBusy
from ingest.pipeline import IngestPipeline


def _pipeline(lock: Path, wait: float) -> IngestPipeline:
    return IngestPipeline(manifest=None, store=None, embedder=None, chunker=lambda: None,
                          ocr=None, lock_path=lock, max_file_bytes=1, doc_type_rules={},
                          lock_wait_seconds=wait)


def _hold(lock: Path, seconds: float, held: threading.Event) -> threading.Thread:
    def run() -> None:
        with _pipeline(lock, 0).exclusive():
            held.set()
            time.sleep(seconds)

    thread = threading.Thread(target=run)
    thread.start()
    held.wait(5)
    return thread


def test_a_second_ingest_waits_for_the_running_one(tmp_path: Path) -> None:
    lock = tmp_path / "ingest.lock"
    holder = _hold(lock, 0.6, threading.Event())
    started = time.monotonic()
    with _pipeline(lock, 10).exclusive():
        waited = time.monotonic() - started
    holder.join()
    assert 0.3 < waited < 10


def test_it_gives_up_after_the_configured_wait(tmp_path: Path) -> None:
    lock = tmp_path / "ingest.lock"
    holder = _hold(lock, 1.5, threading.Event())
    with pytest.raises(IngestBusy, match="bereits eine Indexierung"):
        with _pipeline(lock, 0.3).exclusive():
            pass
    holder.join()
