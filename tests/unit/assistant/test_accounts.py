"""Users, password hashing, collection grants, audit log and feedback store (SQLite, no models)."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from assistant.identity.accounts import (
    AccountStore,
    User,
    parse_groups,
    readable,
    verify_password,
)
from assistant.records.audit import AuditEntry, AuditLog
from assistant.records.feedback import Feedback, FeedbackStore
from core.errors import AccountError

pytestmark = pytest.mark.unit


def test_passwords_are_salted_scrypt_hashes_and_verified(tmp_path: Path) -> None:
    store = AccountStore(tmp_path / "access.sqlite3")
    store.add_user("anna", "Sommer2026!", "staff", ["bauamt"])
    store.add_user("bob", "Sommer2026!", "admin")
    with sqlite3.connect(tmp_path / "access.sqlite3") as db:
        hashes = dict(db.execute("SELECT name, password FROM users"))
    assert all(h.startswith("scrypt$") and "Sommer2026" not in h for h in hashes.values())
    assert hashes["anna"] != hashes["bob"]  # salted
    assert store.authenticate("anna", "Sommer2026!") == User("anna", "staff", ("bauamt",))
    assert store.authenticate("anna", "sommer2026!") is None
    assert store.authenticate("niemand", "Sommer2026!") is None
    store.set_password("anna", "Winter2027?")
    assert store.authenticate("anna", "Sommer2026!") is None
    assert store.authenticate("anna", "Winter2027?") is not None
    assert not verify_password("x", "md5$abc")


def test_user_commands_reject_bad_input(tmp_path: Path) -> None:
    store = AccountStore(tmp_path / "access.sqlite3")
    store.add_user("anna", "pw")
    with pytest.raises(AccountError, match="gibt es schon"):
        store.add_user("anna", "pw")
    with pytest.raises(AccountError, match="Rolle"):
        store.add_user("carl", "pw", role="chef")
    with pytest.raises(AccountError, match="Ungültiger Name"):
        store.add_user("carl meier", "pw")
    with pytest.raises(AccountError, match="gibt es nicht"):
        store.remove_user("niemand")
    store.remove_user("anna")
    assert store.users() == []
    assert parse_groups(" bauamt, leitung ,bauamt,") == ("bauamt", "leitung")


def test_readable_collections_follow_grants() -> None:
    grants = {"intern": ("bauamt",), "offen": ()}
    names = ["allgemein", "intern", "offen"]
    assert readable(User("anna", "staff"), names, grants) == ["allgemein", "offen"]
    assert readable(User("bea", "staff", ("bauamt",)), names, grants) == names
    assert readable(User("ida", "admin"), names, grants) == names
    assert readable(None, names, grants) == names  # local operator on the CLI


def test_audit_log_is_append_only_hashes_questions_on_request_and_exports(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.sqlite3", store_questions=False, retention_days=30)
    log.record(AuditEntry("anna", "allgemein", "Wie hoch ist die Hundesteuer?",
                          ["Hundesteuersatzung, § 5"], "llamacpp", "answer_completion@2", False))
    [entry] = list(log.entries(date.today()))
    assert entry["question"] is None and len(entry["question_sha256"]) == 64
    assert entry["sources"] == ["Hundesteuersatzung, § 5"] and entry["user"] == "anna"
    assert list(log.entries(date.today() + timedelta(days=1))) == []
    with sqlite3.connect(tmp_path / "audit.sqlite3") as db:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("UPDATE audit SET user = 'x'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("DELETE FROM audit")


def test_audit_retention_purges_only_old_entries(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "audit.sqlite3"
    log = AuditLog(path, retention_days=30)
    monkeypatch.setattr("assistant.records.audit.utc_now", lambda: "2020-01-01T00:00:00+00:00")
    log.record(AuditEntry("alt", "*", "alt", [], "extractive", "p@1", False))
    monkeypatch.undo()
    log.record(AuditEntry("anna", "*", "neu", [], "extractive", "p@1", False))
    assert log.purge() == 1
    assert [e["user"] for e in log.entries()] == ["anna"]


def test_feedback_is_stored_with_comment(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    store.add(Feedback("anna", "Frage?", "Antwort [1]", -1, " falscher Paragraph ", "llamacpp",
                       "answer_completion@2", ["[1] Satzung § 5"]))
    [row] = store.all()
    assert row["rating"] == -1 and row["comment"] == "falscher Paragraph"
    assert row["citations"] == ["[1] Satzung § 5"]
    with pytest.raises(ValueError):
        store.add(Feedback("anna", "F", "A", 0, "", "x", "p@1", []))
