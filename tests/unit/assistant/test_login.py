"""Login abuse: lockout per user and per address, audited; sessions expire and end at logout;
the password policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.identity.access import AccessService
from assistant.identity.accounts import AccountStore
from assistant.identity.login import LoginPolicy, LoginRefused, LoginService
from assistant.identity.sessions import SessionStore, token_digest
from assistant.records.audit import AuditLog
from core.errors import AccountError

RIGHT = "Rathaus-2026!"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def setup(tmp_path: Path):
    access = AccessService(AccountStore(tmp_path / "access.sqlite3"), list,
                           default_collection="allgemein")
    access.add_user("anna", RIGHT)
    access.add_user("bea", RIGHT)
    audit = AuditLog(tmp_path / "audit.sqlite3")
    clock = Clock()
    policy = LoginPolicy(max_failures_per_user=5, max_failures_per_address=20,
                         lockout_seconds=900, session_idle_seconds=3600,
                         session_max_seconds=8 * 3600)
    return LoginService(access, audit, policy, SessionStore(tmp_path / "sessions.sqlite3"),
                        clock=clock), audit, clock


def test_fifty_wrong_passwords_lock_the_account_until_the_lockout_ends(setup) -> None:
    login, audit, clock = setup
    messages = set()
    for attempt in range(50):
        with pytest.raises(LoginRefused) as refused:
            login.login("anna", f"falsch-{attempt}", f"10.0.0.{attempt % 7}")
        messages.add(refused.value.message_de)
    assert any("Zu viele" in m for m in messages)
    with pytest.raises(LoginRefused, match="Zu viele"):
        login.login("anna", RIGHT, "10.0.0.99")  # the right password, still locked
    locks = [e for e in audit.entries() if e["event"] == "login_locked_user"]
    assert len(locks) == 1 and locks[0]["user"] == "anna"
    clock.now += 899
    with pytest.raises(LoginRefused):
        login.login("anna", RIGHT, "10.0.0.99")
    clock.now += 2
    assert login.session_user(login.login("anna", RIGHT, "10.0.0.99")) == "anna"
    assert audit.verify().ok


def test_one_address_trying_many_names_is_locked(setup) -> None:
    login, audit, _ = setup
    for attempt in range(20):
        with pytest.raises(LoginRefused):
            login.login(f"name{attempt}", "falsch-passwort", "192.0.2.7")
    with pytest.raises(LoginRefused, match="Zu viele"):
        login.login("bea", RIGHT, "192.0.2.7")
    assert login.session_user(login.login("bea", RIGHT, "192.0.2.8")) == "bea"
    assert [e["event"] for e in audit.entries()].count("login_locked_address") == 1


def test_sessions_expire_when_idle_or_old_and_logout_ends_them(setup) -> None:
    login, audit, clock = setup
    token = login.login("anna", RIGHT, "10.0.0.1")
    clock.now += 3500
    assert login.session_user(token) == "anna"  # used: the idle timer starts again
    clock.now += 3601
    assert login.session_user(token) is None
    old = login.login("anna", RIGHT, "10.0.0.1")
    for _ in range(9):
        clock.now += 3000
        assert login.session_user(old) == "anna"  # in use for 7.5 h
    clock.now += 3000
    assert login.session_user(old) is None  # used 50 min ago, but older than 8 h in all
    token = login.login("anna", RIGHT, "10.0.0.1")
    login.logout(token, "10.0.0.1")
    assert login.session_user(token) is None
    assert "logout" in [e["event"] for e in audit.entries()]


def test_a_removed_user_loses_the_session(setup) -> None:
    login, _, _ = setup
    token = login.login("bea", RIGHT, "10.0.0.1")
    login.access.remove_user("bea")
    assert login.session_user(token) is None


@pytest.mark.parametrize(("password", "reason"), [
    ("kurz-1", "mindestens 10"), ("anna-Passwort-1", "Benutzernamen"),
    ("nurbuchstabenlang", "zwei Zeichenarten"), ("1234567890123", "zwei Zeichenarten"),
])
def test_password_policy(setup, password: str, reason: str) -> None:
    login, _, _ = setup
    with pytest.raises(AccountError, match=reason):
        login.access.set_password("anna", password)


def test_sessions_survive_a_restart_and_only_the_token_digest_is_stored(setup,
                                                                        tmp_path: Path) -> None:
    login, audit, clock = setup
    token = login.login("anna", RIGHT, "10.0.0.1")
    gone = login.login("bea", RIGHT, "10.0.0.2")
    login.logout(gone, "10.0.0.2")
    raw = b"".join(f.read_bytes() for f in tmp_path.glob("sessions.sqlite3*"))  # with the WAL
    assert token.encode() not in raw and token_digest(token).encode() in raw
    restarted = LoginService(login.access, audit, login.policy,
                             SessionStore(tmp_path / "sessions.sqlite3"), clock=clock)
    assert restarted.session_user(token) == "anna"
    assert restarted.session_user(gone) is None  # logged out before the restart
    clock.now += 3601
    again = LoginService(login.access, audit, login.policy,
                         SessionStore(tmp_path / "sessions.sqlite3"), clock=clock)
    assert again.session_user(token) is None  # idle past the limit, restart or not


def test_removing_a_user_or_changing_the_password_ends_all_their_sessions(setup) -> None:
    login, _, _ = setup
    tokens = [login.login("anna", RIGHT, f"10.0.0.{n}") for n in range(3)]
    kept = login.login("bea", RIGHT, "10.0.0.9")
    assert login.end_sessions_of("anna") == 3
    assert [login.session_user(t) for t in tokens] == [None, None, None]
    assert login.session_user(kept) == "bea"


def test_expired_sessions_are_purged_at_the_next_login(setup) -> None:
    login, _, clock = setup
    for n in range(4):
        login.login("anna", RIGHT, f"10.0.0.{n}")
    clock.now += 3601
    login.login("bea", RIGHT, "10.0.0.9")
    assert login.sessions.count() == 1
