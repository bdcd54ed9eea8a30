"""The product as installed: with no embedding setting, `rathaus` indexes and searches with
EmbeddingGemma (installed by both set-up commands), and e5 refuses that index."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.integration.cli import rathaus

pytestmark = [pytest.mark.integration, pytest.mark.slow]
DATA = Path(__file__).resolve().parents[1] / "data" / "reader"


def test_the_default_embedder_indexes_and_finds_a_paraphrase(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(DATA, docs)
    data = tmp_path / "data"
    ingested = rathaus("ingest", "-q", str(docs), data_dir=data, default_embedder=True)
    assert ingested.returncode == 0, ingested.stderr
    question = "Bis zu welcher Uhrzeit am Morgen muss der Bürgersteig vom Schnee frei sein?"
    found = rathaus("search", question, "--json", data_dir=data, default_embedder=True)
    assert found.returncode == 0, found.stderr
    first = json.loads(found.stdout)["results"][0]
    assert first["doc"] == "gemeinde_Lindenau_Satzung_Gehwegreinigung.md", first
    other = rathaus("search", question, "--json", data_dir=data)  # tests' e5
    assert other.returncode != 0 and "rathaus reindex" in other.stderr, other.stderr
