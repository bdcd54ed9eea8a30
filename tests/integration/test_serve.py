"""`rathaus serve` answers through its HTTP API on 127.0.0.1 (the browser tests come later)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.cli import cli_env, free_port, rathaus, wait_for_http

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_served_page_answers_with_citations(tmp_path: Path, shared_corpus: Path) -> None:
    data = tmp_path / "data"
    assert rathaus("ingest", "-q", str(shared_corpus / "bund_VwVG.md"), data_dir=data).returncode == 0
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui", "serve", "--port", str(port)], cwd=tmp_path,
        env=cli_env(data, RATHAUS_LLM__BACKEND="extractive"),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for_http(url, proc, "rathaus serve")
        from gradio_client import Client

        answer_html, sources_html = Client(url, verbose=False).predict(
            "Wie hoch darf das Zwangsgeld sein?", api_name="/run")
        assert "[1]" in answer_html
        assert "25 000 Euro" in " ".join((sources_html + answer_html).split())  # NBSP in the law
        assert "bund_VwVG.md" in sources_html and "§ 11" in sources_html
    finally:
        proc.terminate()
        proc.wait(timeout=30)
