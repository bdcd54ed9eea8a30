"""The audit log's hash chain: edits, deletions anywhere, and forged checkpoints are found;
a retention purge keeps the rest verifiable."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from assistant.records.audit import AuditEntry, AuditLog


def _log(tmp_path: Path, monkeypatch, old: int = 0, new: int = 4) -> AuditLog:
    log = AuditLog(tmp_path / "audit.sqlite3", retention_days=30)
    monkeypatch.setattr("assistant.records.audit.utc_now", lambda: "2020-01-01T00:00:00+00:00")
    for i in range(old):
        log.record(AuditEntry("alt", "allgemein", f"alte Frage {i}", [], "extractive", "p@1",
                              False))
    monkeypatch.undo()
    for i in range(new):
        log.record(AuditEntry("anna", "allgemein", f"Frage {i}", ["VwVG, § 11"], "llamacpp",
                              "answer_chat@2", i % 2 == 0))
    log.record_event("login_locked", "anna", "127.0.0.1")
    return log


def _tamper(tmp_path: Path, *statements: str) -> None:
    """What someone with write access to the file could do, triggers notwithstanding."""
    with sqlite3.connect(tmp_path / "audit.sqlite3") as db:
        db.execute("DROP TRIGGER audit_no_update")
        db.execute("DROP TRIGGER audit_no_delete")
        for statement in statements:
            db.execute(statement)


def test_an_untouched_log_verifies(tmp_path: Path, monkeypatch) -> None:
    log = _log(tmp_path, monkeypatch)
    report = log.verify()
    assert report.ok and report.checked == 5
    assert [e["event"] for e in log.entries()] == ["ask"] * 4 + ["login_locked"]


@pytest.mark.parametrize(("statement", "finding"), [
    ("UPDATE audit SET question = 'harmlos' WHERE id = 2", "Eintrag 2: Inhalt"),
    ("UPDATE audit SET refused = 1 WHERE id = 4", "Eintrag 4: Inhalt"),
    ("DELETE FROM audit WHERE id = 3", "Eintrag 4: Verkettung"),
    ("DELETE FROM audit WHERE id = 5", "Einträge am Ende"),
    ("DELETE FROM audit WHERE id = 1", "Eintrag 2: Verkettung"),
    ("UPDATE anchor SET row_id = 4 WHERE kind = 'head'", "nicht gültig signiert"),
])
def test_tampering_is_detected(tmp_path: Path, monkeypatch, statement: str, finding: str) -> None:
    log = _log(tmp_path, monkeypatch)
    _tamper(tmp_path, statement)
    report = log.verify()
    assert not report.ok and any(finding in p for p in report.problems), report.problems


def test_a_rehashed_row_is_caught_by_the_signed_head(tmp_path: Path, monkeypatch) -> None:
    """Editing the last row and recomputing its hash still breaks the signed checkpoint."""
    from assistant.records.audit import row_hash

    log = _log(tmp_path, monkeypatch)
    with sqlite3.connect(tmp_path / "audit.sqlite3") as db:
        db.row_factory = sqlite3.Row
        last = dict(db.execute("SELECT * FROM audit ORDER BY id DESC LIMIT 1").fetchone())
    last["user"] = "jemand"
    _tamper(tmp_path, f"UPDATE audit SET user = 'jemand', hash = '{row_hash(last)}' "
                      f"WHERE id = {last['id']}")
    assert not log.verify().ok


def test_retention_purge_keeps_the_chain_verifiable(tmp_path: Path, monkeypatch) -> None:
    log = _log(tmp_path, monkeypatch, old=3, new=2)
    assert log.purge() == 3
    report = log.verify()
    assert report.ok and report.checked == 3, report.problems
    _tamper(tmp_path, "DELETE FROM audit WHERE id = 4")  # the first row after the purge
    assert not log.verify().ok


def test_a_log_from_before_the_chain_is_sealed_on_open(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, "
                   "user TEXT NOT NULL, collection TEXT NOT NULL, question TEXT, question_sha256 "
                   "TEXT NOT NULL, sources TEXT NOT NULL, backend TEXT NOT NULL, prompt TEXT NOT "
                   "NULL, refused INTEGER NOT NULL)")
        db.execute("INSERT INTO audit (time, user, collection, question, question_sha256, sources, "
                   "backend, prompt, refused) VALUES ('2099-01-01T00:00:00+00:00', 'anna', "
                   "'allgemein', 'Frage', 'x', '[]', 'extractive', 'p@1', 0)")
    log = AuditLog(path)
    log.record(AuditEntry("bea", "allgemein", "neu", [], "extractive", "p@1", False))
    report = log.verify()
    assert report.ok and report.checked == 2
