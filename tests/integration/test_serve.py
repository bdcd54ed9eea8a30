"""`rathaus serve` through its HTTP API on 127.0.0.1 (the browser tests are in tests/e2e)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.cli import cli_env, free_port, rathaus, wait_for_http

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_serve_refuses_to_start_without_users(tmp_path: Path) -> None:
    result = rathaus("serve", "--port", str(free_port()), data_dir=tmp_path / "data")
    assert result.returncode == 2
    assert "rathaus users add" in result.stderr


def test_anonymous_mode_answers_with_citations(tmp_path: Path, shared_corpus: Path) -> None:
    data = tmp_path / "data"
    vwvg = str(shared_corpus / "bund_VwVG.md")
    assert rathaus("ingest", "-q", vwvg, data_dir=data).returncode == 0
    assert rathaus("collections", "grant", "geheim", "--groups", "leitung",
                   data_dir=data).returncode == 0
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(port)], cwd=tmp_path,
        env=cli_env(data, RATHAUS_LLM__BACKEND="extractive", RATHAUS_WEB__ALLOW_ANONYMOUS="true"),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for_http(url, proc, "rathaus serve")
        from gradio_client import Client

        client = Client(url, verbose=False)
        chat, _, sources, _ = client.predict("Wie hoch darf das Zwangsgeld sein?", [],
                                             "Alle meine Sammlungen", api_name="/ask")
        answer = chat[-1]["content"][0]["text"]
        assert "[1]" in answer
        assert "25 000 Euro" in " ".join(sources.split())  # NBSP in the law
        assert "bund_VwVG.md" in sources and "§ 11" in sources
        with pytest.raises(Exception, match="Keine Leserechte"):  # anonymous has no groups
            client.predict("Wie hoch darf das Zwangsgeld sein?", [], "geheim", api_name="/ask")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    audit = rathaus("audit", "export", data_dir=data).stdout
    assert '"user": "anonym"' in audit


def test_a_prompt_labor_run_is_audited(tmp_path: Path, shared_corpus: Path) -> None:
    """The Prompt-Labor answers through the same service as the chat, so it is audited too."""
    from assistant.answer.prompting import PromptLibrary
    from core.config import Settings

    data = tmp_path / "data"
    vwvg = str(shared_corpus / "bund_VwVG.md")
    assert rathaus("ingest", "-q", vwvg, data_dir=data).returncode == 0
    assert rathaus("users", "add", "dev", "--password", "Dachs-Passwort-4", "--role", "developer",
                   data_dir=data).returncode == 0
    name, _, version = Settings().answer.prompt_chat.partition("@")
    template = PromptLibrary().source(name, int(version))
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(port)], cwd=tmp_path,
        env=cli_env(data, RATHAUS_LLM__BACKEND="extractive"),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for_http(url, proc, "rathaus serve")
        from gradio_client import Client

        client = Client(url, auth=("dev", "Dachs-Passwort-4"), verbose=False)
        answer, verdict, _, _ = client.predict(template, "Wie hoch darf das Zwangsgeld sein?",
                                               "Alle meine Sammlungen", api_name="/lab_run")
        assert "Zwangsgeld" in answer and verdict["Backend"] == "extractive"
        assert verdict["Zitate"][0]["doc"] == "bund_VwVG.md"
        # the Prompt-Labor shows what the reader ranked, with each sentence's signals
        best = verdict["Sätze (bester zuerst)"][0]
        assert "25 000 Euro" in best["Satz"] and best["Antworttyp"] == 1.0
        assert f"**{best['Satz']}**" in answer  # highlighted as in the chat
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    entries = [json.loads(line) for line in
               rathaus("audit", "export", data_dir=data).stdout.splitlines()]
    asked = [e for e in entries if e["event"] == "ask"]
    assert [(e["user"], e["question"]) for e in asked] == [
        ("dev", "Wie hoch darf das Zwangsgeld sein?")]
    assert asked[0]["sources"] and asked[0]["sources"][0].startswith("bund_VwVG.md")
    assert [(e["user"], e["detail"]) for e in entries if e["event"] == "login"] == [
        ("dev", "127.0.0.1")]


def test_login_lockout_session_and_logout_over_http(tmp_path: Path) -> None:
    """50 wrong passwords lock the account; the right one is refused until the lockout ends;
    logout ends the session on the server; lockout and logins are audited in the chain."""
    import time

    import httpx

    data = tmp_path / "data"
    assert rathaus("users", "add", "anna", "--password", "Amsel-Passwort-1",
                   data_dir=data).returncode == 0
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(port)], cwd=tmp_path,
        env=cli_env(data, RATHAUS_LLM__BACKEND="extractive",
                    RATHAUS_WEB__LOGIN_LOCKOUT_MINUTES="0.1"),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + "/login", proc, "rathaus serve")
        assert httpx.get(url + "/").headers["location"] == "/login"  # no session, no app
        answers = [httpx.post(url + "/login", data={"username": "anna",
                                                    "password": f"falsch-{i}"})
                   for i in range(50)]
        assert {a.status_code for a in answers} == {401}
        assert "Zu viele" in answers[-1].json()["detail"]
        locked_at = time.monotonic()
        right = {"username": "anna", "password": "Amsel-Passwort-1"}
        refused = httpx.post(url + "/login", data=right)
        assert refused.status_code == 401 and "Zu viele" in refused.json()["detail"]
        time.sleep(max(0.0, 6.5 - (time.monotonic() - locked_at)))
        accepted = httpx.post(url + "/login", data=right)
        assert accepted.status_code == 200, accepted.text
        session = {"rathaus_session": accepted.cookies["rathaus_session"]}
        assert httpx.get(url + "/", cookies=session).status_code == 200
        assert httpx.get(url + "/config", cookies=session).status_code == 200
        httpx.get(url + "/logout", cookies=session)
        assert httpx.get(url + "/", cookies=session).headers["location"] == "/login"
        assert httpx.get(url + "/config", cookies=session).status_code == 401
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    events = [json.loads(line)["event"] for line in
              rathaus("audit", "export", data_dir=data).stdout.splitlines()]
    assert events == ["login_locked_user", "login", "logout"]
    verified = rathaus("audit", "verify", data_dir=data)
    assert verified.returncode == 0 and "3 Einträge geprüft" in verified.stdout
