"""Shared fixtures: paths to the shared corpus and a deterministic token counter for unit tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    corpus = SHARED / "corpus"
    if not corpus.is_dir():
        pytest.fail(f"shared corpus missing at {corpus} (CI lays ../shared beside the checkout)")
    return corpus


def word_tokens(texts):
    """Unit-test stand-in for a tokenizer: ~1 token per 4 characters of every word."""
    return [sum(max(1, len(w) // 4) for w in t.split()) for t in texts]


@pytest.fixture
def count_tokens():
    return word_tokens
