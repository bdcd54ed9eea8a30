"""Nothing leaves the machine: `rathaus ingest`, `search` and `ask` (every embedded backend) run
under an audit hook that records each outbound connection and name lookup of the process
(tests/egress_guard.py). The browser session of `rathaus serve` is checked in tests/e2e."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.cli import EGRESS_GUARD, bare_env
from tests.pdfmaker import make_text_pdf

pytestmark = pytest.mark.integration

GUARD = EGRESS_GUARD


def guarded(log: Path, *args: str, data_dir: Path, **extra: str
            ) -> subprocess.CompletedProcess[str]:
    """`rathaus ARGS` under the guard, with none of the offline switches set from outside:
    the product has to set them itself."""
    env = bare_env(data_dir, **extra)
    return subprocess.run([sys.executable, str(GUARD), str(log), "-m", "cli", *args],
                          capture_output=True, text=True, timeout=900, env=env,
                          cwd=data_dir.parent)


def recorded(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_the_guard_sees_an_outbound_connection(tmp_path: Path) -> None:
    """Proof that the test below can fail: a connection to TEST-NET-1 is recorded."""
    log = tmp_path / "egress.jsonl"
    code = ("import socket; s = socket.socket(); s.settimeout(0.2); "
            "s.connect_ex(('192.0.2.1', 80)); socket.getaddrinfo('example.org', 443) "
            "if False else None")
    subprocess.run([sys.executable, str(GUARD), str(log), "-c", code], check=True, timeout=30)
    assert [(e["event"], e["host"]) for e in recorded(log)] == [("socket.connect", "192.0.2.1")]


def test_ingest_search_and_ask_with_every_embedded_backend_stay_local(
        tmp_path: Path, shared_corpus: Path, gguf_path: Path) -> None:
    data = tmp_path / "data"
    log = tmp_path / "egress.jsonl"
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "bund_VwVG.md").write_bytes((shared_corpus / "bund_VwVG.md").read_bytes())
    make_text_pdf(docs / "satzung.pdf", ["Satzung über Gebühren\n\n§ 1 Gebühr\n\n"
                                         "(1) Die Gebühr beträgt 17,50 Euro."])
    runs = [guarded(log, "ingest", "-q", str(docs), data_dir=data),
            guarded(log, "search", "Zwangsgeld Höhe", "--json", data_dir=data)]
    for backend in ("extractive", "llamacpp"):
        runs.append(guarded(log, "ask", "Wie hoch darf das Zwangsgeld sein?", "--json",
                            data_dir=data, RATHAUS_LLM__BACKEND=backend,
                            RATHAUS_LLM__LLAMACPP_MODEL=str(gguf_path)))
    for run in runs:
        assert run.returncode == 0, (run.args, run.stderr[-2000:])
    backends = [json.loads(run.stdout)["backend"] for run in runs[2:]]
    assert backends[0] == "extractive" and all("llamacpp" in b for b in backends[1:]), backends
    assert recorded(log) == []
