"""`rathaus backup` while `rathaus serve` runs, `rathaus restore` into an empty data directory
(embedded Chroma and a `chroma run` server): the same questions return the same passages."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import tarfile
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.integration.cli import cli_env, free_port, rathaus, wait_for_http

pytestmark = [pytest.mark.integration, pytest.mark.slow]

QUESTIONS = ["Wie hoch darf das Zwangsgeld sein?", "Wann muss der Gehweg geräumt werden?",
             "Hundesteuer für einen Kampfhund"]


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _passages(data: Path, **env: str) -> list[list[tuple[str, str, str]]]:
    return [[(r["doc"], r["section"], r["text"]) for r in json.loads(
        _ok(rathaus("search", q, "--json", data_dir=data, **env)))["results"]]
        for q in QUESTIONS]


def _state(data: Path, **env: str) -> dict:
    return {"status": json.loads(_ok(rathaus("status", "--json", data_dir=data, **env))),
            "users": _ok(rathaus("users", "list", "--json", data_dir=data, **env)),
            "audit": _ok(rathaus("audit", "export", data_dir=data, **env)),
            "passages": _passages(data, **env)}


def test_backup_while_serving_restores_the_same_answers(tmp_path: Path, shared_corpus: Path,
                                                        chroma_server: int) -> None:
    data = tmp_path / "data"
    _ok(rathaus("ingest", "-q", str(shared_corpus / "bund_VwVG.md"),
                str(shared_corpus / "gemeinde_BadBoll_Satzung_Streupflicht.md"), data_dir=data))
    _ok(rathaus("ingest", "-q", "-c", "intern",
                str(shared_corpus / "gemeinde_BadBoll_Satzung_Erhebung_Hundesteuer.md"),
                data_dir=data))
    _ok(rathaus("users", "add", "anna", "--password", "Amsel-Passwort-1", data_dir=data))
    _ok(rathaus("ask", QUESTIONS[0], data_dir=data, RATHAUS_LLM__BACKEND="extractive"))
    (data / "prompts").mkdir(exist_ok=True)
    (data / "prompts" / "eigene_notiz.txt").write_text("Hausinterne Prompt-Notiz")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(port)], cwd=tmp_path,
        env=cli_env(data, RATHAUS_LLM__BACKEND="extractive"),
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/login", proc, "rathaus serve")
        _log_in(port, "anna", "Amsel-Passwort-1")
        archive = tmp_path / "sicherung.tar.gz"
        made = _ok(rathaus("backup", "--out", str(archive), data_dir=data))
        assert "Vektoren" in made and archive.is_file()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    original = _state(data)
    assert _sessions(data / "sessions.sqlite3") == 1
    with tarfile.open(archive) as packed:  # in the backup, for an investigation
        assert "backup/data/sessions.sqlite3" in packed.getnames()

    restored = tmp_path / "neu" / "data"
    restored.parent.mkdir()
    _ok(rathaus("restore", str(archive), data_dir=restored))
    assert _state(restored) == original
    assert (restored / "prompts" / "eigene_notiz.txt").read_text() == "Hausinterne Prompt-Notiz"
    assert rathaus("audit", "verify", data_dir=restored).returncode == 0
    assert not (restored / "sessions.sqlite3").exists()  # dropped on purpose: log in anew

    server = {"RATHAUS_CHROMA__HOST": "127.0.0.1", "RATHAUS_CHROMA__PORT": str(chroma_server),
              "RATHAUS_CHROMA__COLLECTION": "wiederhergestellt"}
    on_server = tmp_path / "server" / "data"
    on_server.parent.mkdir()
    _ok(rathaus("restore", str(archive), data_dir=on_server, **server))
    assert _passages(on_server, **server) == original["passages"]

    again = rathaus("restore", str(archive), data_dir=restored)
    assert again.returncode == 1 and "nicht leer" in again.stderr


def _log_in(port: int, name: str, password: str) -> None:
    form = urllib.parse.urlencode({"username": name, "password": password}).encode()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", form, timeout=30) as reply:
        assert json.loads(reply.read())["success"] is True


def _sessions(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
    finally:
        conn.close()
