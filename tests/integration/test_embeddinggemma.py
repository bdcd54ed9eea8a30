"""EmbeddingGemma as the embedder, on a small real index: the real 300M model (installed by
`scripts/install.sh --test` with `rathaus models install embeddinggemma`), real Chroma, at 768
and at a truncated 256 dimensions. No fake: these load and run the pinned weights."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from assistant.wiring import build_services
from core.config import Settings
from core.errors import StoreError
from vectorstore.embedders.gemma import EmbeddingGemmaEmbedder, installed_dir, verified_model_dir

pytestmark = [pytest.mark.integration, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
MODEL_DIR = Path(os.environ.get("RATHAUS_TEST_EMBEDDINGGEMMA", installed_dir()))
DATA = ROOT / "tests" / "data" / "reader"


@pytest.fixture(scope="module")
def gemma_model() -> Path:
    if not (MODEL_DIR / "model.safetensors").is_file():
        pytest.fail(f"EmbeddingGemma missing at {MODEL_DIR}: run scripts/install.sh --test")
    return verified_model_dir(MODEL_DIR)


@pytest.fixture(scope="module", params=[256, 768])
def gemma_index(request, tmp_path_factory, gemma_model: Path, shared_corpus: Path):
    """The invented Lindenau Satzungen and the real Hundesteuersatzung, embedded by
    EmbeddingGemma; sentence vectors at first reading (keeps the module short)."""
    data = tmp_path_factory.mktemp(f"gemma{request.param}") / "data"
    settings = Settings(data_dir=data, embedding={
        "backend": "embeddinggemma", "model": str(gemma_model), "dimensions": request.param},
        reader={"embed_at_ingest": False})
    svc = build_services(settings, llm_backend=None)
    report = svc.documents.ingest(
        [DATA, shared_corpus / "gemeinde_BadBoll_Satzung_Erhebung_Hundesteuer.md"], "allgemein")
    assert report.ok, report.failed
    yield request.param, svc
    svc.close()


def test_the_index_holds_vectors_of_the_configured_size(gemma_index) -> None:
    dimensions, svc = gemma_index
    embedder = svc.components.embedder
    assert isinstance(embedder, EmbeddingGemmaEmbedder)
    assert embedder.identity == f"embeddinggemma-300m@{dimensions}"
    assert len(embedder.embed_query("Pferdesteuer")) == dimensions
    assert embedder.query_prefix.startswith("task: search result")  # the model's own prompts
    assert embedder.document_prefix.startswith("title: none")


def test_queries_embedded_together_match_each_alone(gemma_index) -> None:
    """A question and its clause share one forward pass; padding must not change either."""
    _, svc = gemma_index
    embedder = svc.components.embedder
    texts = [f"Wie lange gilt die Räumpflicht in Lindenau, Fall {n}?" for n in (1, 2)] + [
        "Wann?"]
    together = np.asarray(embedder.embed_queries(texts))
    for text, vector in zip(texts, together, strict=True):
        alone = embedder.model.encode([embedder.query_prefix + text], normalize_embeddings=True)
        assert float(vector @ alone[0]) > 0.999, text
    assert embedder.embed_query(texts[2]) == together[2].tolist()  # kept, not re-embedded


def test_a_paraphrase_finds_the_rule_by_meaning(gemma_index) -> None:
    """Dense alone (no shared word with the heading): the Gehweg rule for a "Bürgersteig"."""
    _, svc = gemma_index
    hits = svc.components.retriever.dense.retrieve(
        "Bis zu welcher Uhrzeit am Morgen muss der Bürgersteig vom Schnee befreit sein?", 3,
        None)
    assert hits and hits[0].doc == "gemeinde_Lindenau_Satzung_Gehwegreinigung.md", hits[0]


def test_the_reader_states_the_amount(gemma_index) -> None:
    _, svc = gemma_index
    answer = svc.asking.ask("Wie hoch ist die Pferdesteuer für ein Pferd in Lindenau?")
    assert not answer.refused and "84,00 €" in answer.answer
    assert answer.citations[0].section == "§ 5 Steuersatz"


@pytest.mark.parametrize("gemma_index", [256], indirect=True)
def test_another_embedder_refuses_the_index_until_reindex(gemma_index, embedder) -> None:
    """Runs last for its index: afterwards the index holds e5 vectors."""
    _, svc = gemma_index
    e5 = build_services(Settings(data_dir=svc.settings.data_dir), embedder=embedder,
                        llm_backend=None)
    try:
        with pytest.raises(StoreError, match="rathaus reindex"):
            e5.asking.search("Pferdesteuer", k=3)
        e5.documents.reindex_all()
        assert e5.asking.search("Pferdesteuer Steuersatz", k=1)[0].doc == \
            "gemeinde_Lindenau_Satzung_Pferdesteuer.md"
    finally:
        e5.close()
