"""A restart of `rathaus serve` (an update, a crash) keeps every valid session: staff ask the
next question in the page they had open, without logging in again. A session that expired
while the server was down is refused after the restart.

Runs last in the e2e package (file order): it restarts the shared served app."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from tests.e2e.conftest import ServedApp
from tests.e2e.test_web_app import ask, wait_for_answer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
COOKIE = "rathaus_session"


def _cookie(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == COOKIE)


def _age(sessions_db, token: str, hours: float) -> None:
    """Move a session's creation back in time, as if the working day had passed."""
    conn = sqlite3.connect(sessions_db)
    try:
        with conn:
            changed = conn.execute(
                "UPDATE sessions SET created = created - ? WHERE token_sha256 = ?",
                (hours * 3600, hashlib.sha256(token.encode()).hexdigest())).rowcount
    finally:
        conn.close()
    assert changed == 1


def test_sessions_survive_a_restart_and_expired_ones_are_refused(open_page,
                                                                 served: ServedApp) -> None:
    staying, expiring = open_page("anna"), open_page("bea")
    expired_token = _cookie(expiring)
    served.restart(between=lambda: _age(served.data / "sessions.sqlite3", expired_token, 13))

    ask(staying, "Wie hoch darf ein Zwangsgeld nach dem Verwaltungs-Vollstreckungsgesetz sein?")
    wait_for_answer(staying)  # the page from before the restart, no new login
    assert "25 000" in staying.locator("#chat").inner_text()
    staying.reload()
    staying.wait_for_selector("#whoami:has-text('Angemeldet als anna')", timeout=60_000)

    expiring.goto(served.url)
    expiring.wait_for_selector("#username", timeout=30_000)  # back at the login page
    assert expiring.url.endswith("/login")
    assert _cookie(staying) != expired_token
