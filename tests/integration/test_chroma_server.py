"""The scale-out path: the same CLI against a real `chroma run` server on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.cli import free_port, rathaus

pytestmark = pytest.mark.integration


def test_ingest_and_search_through_chroma_server(tmp_path: Path, chroma_server: int,
                                                 shared_corpus: Path) -> None:
    data = tmp_path / "data"
    env = {"RATHAUS_CHROMA__HOST": "127.0.0.1", "RATHAUS_CHROMA__PORT": str(chroma_server),
           "RATHAUS_CHROMA__COLLECTION": "cli_through_server"}
    docs = [str(shared_corpus / "bund_VwVG.md"),
            str(shared_corpus / "gemeinde_BadBoll_Satzung_Streupflicht.md")]
    result = rathaus("ingest", "-q", *docs, data_dir=data, **env)
    assert result.returncode == 0, result.stderr
    assert not (data / "chroma").exists(), "embedded store used although a server is configured"
    found = json.loads(rathaus("search", "Wer muss bei Glatteis streuen?", "--json", "--k", "3",
                               data_dir=data, **env).stdout)
    assert found["results"]
    assert {"doc", "title", "section", "page", "text", "score"} <= set(found["results"][0])
    assert found["results"][0]["level"]  # added with versions (issue 15)
    assert any(r["doc"] == "gemeinde_BadBoll_Satzung_Streupflicht.md" for r in found["results"])
    again = rathaus("ingest", "-q", *docs, data_dir=data, **env)
    assert "2 unverändert" in again.stdout


def test_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    result = rathaus("search", "Hundesteuer", data_dir=tmp_path / "data",
                     RATHAUS_CHROMA__HOST="127.0.0.1", RATHAUS_CHROMA__PORT=str(free_port()))
    assert result.returncode == 1
    assert "Chroma" in result.stderr and "nicht erreichbar" in result.stderr
