"""SIGKILL in the middle of an ingest: the next run completes the job, nothing is duplicated."""

from __future__ import annotations

import signal
import sqlite3
import time
from pathlib import Path

import pytest

from ingest.manifest import INDEXED, PENDING
from tests.integration.cli import rathaus_popen

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def indexed_count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM documents WHERE status=?",
                                (INDEXED,)).fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def test_sigkill_mid_ingest_then_rerun(tmp_path: Path, corpus_subset: Path, make_services) -> None:
    data = tmp_path / "data"
    proc = rathaus_popen("ingest", "-q", str(corpus_subset), data_dir=data,
                         RATHAUS_EMBEDDING__BATCH_SIZE="8")
    db = data / "manifest.sqlite3"
    deadline = time.time() + 300
    while indexed_count(db) < 1 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "ingest finished before it could be killed: " + proc.stderr.read()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    killed_at = indexed_count(db)
    assert 1 <= killed_at < 5

    svc = make_services(data)
    report = svc.documents.ingest([corpus_subset], "allgemein")
    assert report.ok
    assert len(report.unchanged) + len(report.indexed) == 5
    assert len(report.unchanged) >= 1  # work done before the kill is kept
    assert not svc.documents.records(status=PENDING)

    ids = [row["id"] for row in svc.components.store.iter_all()]
    assert len(ids) == len(set(ids)), "a chunk is stored twice"
    manifest_ids = sorted(i for r in svc.documents.records(status=INDEXED) for i in r.chunk_ids)
    assert sorted(ids) == manifest_ids

    # the result equals a clean ingest of the same files
    clean = make_services(tmp_path / "clean", reader={"embed_at_ingest": False})  # chunks only
    clean.documents.ingest([corpus_subset], "allgemein")
    assert clean.documents.status()["chunks"] == svc.documents.status()["chunks"] == len(ids)
