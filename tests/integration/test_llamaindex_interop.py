"""The product's retriever and answer pipeline inside llama-index pipelines (real index)."""

from __future__ import annotations

import pytest
from llama_index.core.llms import MockLLM
from llama_index.core.postprocessor import SimilarityPostprocessor
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.response_synthesizers.no_text import NoText
from llama_index.core.tools import QueryEngineTool

from assistant.identity.accounts import User
from assistant.llamaindex_interop import RathausQueryEngine, RathausRetriever
from core.errors import AccountError

pytestmark = pytest.mark.integration


@pytest.fixture
def extractive(make_services, indexed_subset):
    """Services on the session's indexed subset with extractive answers."""
    return make_services(indexed_subset.settings.data_dir, llm_backend=None)


def test_the_retriever_composes_with_llama_index_postprocessors(extractive) -> None:
    retriever = RathausRetriever(extractive.asking, k=5)
    raw = retriever.retrieve("Wie hoch darf das Zwangsgeld sein?")
    cutoff = sorted(n.score for n in raw)[len(raw) // 2]
    engine = RetrieverQueryEngine(
        retriever=retriever,
        node_postprocessors=[SimilarityPostprocessor(similarity_cutoff=cutoff)],
        # NoText hands back the nodes; its LLM is never called
        response_synthesizer=NoText(llm=MockLLM()))
    response = engine.query("Wie hoch darf das Zwangsgeld sein?")
    kept = response.source_nodes
    assert 0 < len(kept) < len(raw) and all(n.score >= cutoff for n in kept)
    top = raw[0]
    assert top.node.metadata["doc"] == "bund_VwVG.md"
    assert top.node.metadata["citation"].startswith("bund_VwVG.md, § 11")
    assert "path" not in top.node.get_content(metadata_mode="llm")


def test_the_retriever_keeps_the_users_rights(make_services, extractive, tmp_path) -> None:
    extractive.access.grant("allgemein", "leitung")
    try:
        anna = User("anna", "staff", ())
        assert RathausRetriever(extractive.asking, user=anna).retrieve("Zwangsgeld") == []
        with pytest.raises(AccountError):
            RathausRetriever(extractive.asking, user=anna,
                             collections=["allgemein"]).retrieve("Zwangsgeld")
    finally:  # the account database belongs to the session's shared index
        extractive.access.grant("allgemein", "")


def test_the_answer_engine_works_as_a_llama_index_tool(extractive) -> None:
    engine = RathausQueryEngine(extractive.asking)
    tool = QueryEngineTool.from_defaults(engine, name="rathaus",
                                         description="Satzungen und Gesetze der Gemeinde")
    output = tool.call("Wie hoch darf ein Zwangsgeld nach dem VwVG höchstens sein?")
    response = output.raw_output
    assert response.metadata["kind"] == "quote" and not response.metadata["refused"]
    cited = response.metadata["citations"][0]
    assert cited["doc"] == "bund_VwVG.md" and cited["quote"] in str(response)
    assert response.source_nodes[0].node.metadata["doc"] == "bund_VwVG.md"
    refused = engine.query("Wie funktioniert die Photosynthese bei Kakteen?")
    assert refused.metadata["refused"] and str(refused).startswith("In den vorliegenden")
    audited = [e["question"] for e in extractive.audit.entries()]
    assert "Wie funktioniert die Photosynthese bei Kakteen?" in audited
