"""The sentence reader on real e5, real Chroma and the bundled Qwen: the sentence that states
the rule is shown at once, with and without the model; thin evidence is refused.

Invented test data (tests/data/reader/, Gemeinde "Lindenau") beside real corpus files, so the
reader has to pick among neighbours: § 1 names the tax and § 5 holds the amounts; the Satzung
on Gehwege names four times of day; the Hundesteuer and Streupflicht of Bad Boll name theirs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.answer.result import Preview
from assistant.wiring import build_services
from core.config import Settings
from tests.integration.cli import rathaus

pytestmark = [pytest.mark.integration, pytest.mark.slow]
DATA = Path(__file__).resolve().parents[1] / "data" / "reader"
NOISE = ["gemeinde_BadBoll_Satzung_Erhebung_Hundesteuer.md",
         "gemeinde_BadBoll_Satzung_Streupflicht.md", "bund_VwVG.md"]
TAX = "Wie hoch ist die Pferdesteuer für ein Pferd in Lindenau?"
UNTIL = "Bis wann muss ich in Lindenau werktags morgens den Gehweg räumen?"
UNANSWERABLE = "Was kostet in Lindenau ein Parkausweis für Anwohner?"


@pytest.fixture(scope="module")
def reader_index(tmp_path_factory, shared_corpus: Path, embedder):
    """The invented Satzungen and three real ones, indexed once for the module."""
    data = tmp_path_factory.mktemp("reader") / "data"
    svc = build_services(Settings(data_dir=data), embedder=embedder, llm_backend=None)
    report = svc.documents.ingest([DATA, *(shared_corpus / n for n in NOISE)], "allgemein")
    assert report.ok, report.failed
    yield svc
    svc.close()


def services_with(make_services, indexed, backend):
    return make_services(indexed.settings.data_dir, llm_backend=backend)


def test_ingest_stores_the_sentences_the_reader_needs(reader_index) -> None:
    """Asked after ingest, no sentence has to be embedded at question time."""
    sentences = reader_index.components.sentence_vectors
    assert sentences.count() > 50
    before = sentences.embedded
    reader_index.asking.ask(TAX)
    assert sentences.embedded == before


def test_how_high_states_the_amount_not_the_paragraph_naming_the_tax(reader_index) -> None:
    events: list = []
    answer = reader_index.asking.ask(TAX, on_token=events.append)
    assert answer.kind == "quote" and not answer.refused
    first = answer.citations[0]
    assert first.section == "§ 5 Steuersatz" and first.absatz == "1"
    assert first.sentence == "(1) Die Steuer beträgt im Kalenderjahr für jedes Pferd 84,00 €."
    assert "84,00 €" in answer.answer and "Die Gemeinde erhebt" not in answer.answer
    assert isinstance(events[0], Preview) and events[0].passage == first  # shown at once


def test_until_when_picks_the_time_of_the_rule_asked_about(reader_index) -> None:
    answer = reader_index.asking.ask(UNTIL)
    first = answer.citations[0]
    assert first.doc == "gemeinde_Lindenau_Satzung_Gehwegreinigung.md", first
    assert first.absatz == "2" and "werktags bis 7.30 Uhr" in (first.sentence or "")


def test_unanswerable_question_with_keyword_hits_is_refused(reader_index) -> None:
    answer = reader_index.asking.ask(UNANSWERABLE)
    assert answer.refused and answer.kind == "refusal" and answer.refusal_reason == "evidence"
    assert answer.sources and not answer.citations  # the nearest sources are still listed


def test_with_the_model_the_amount_is_stated_and_the_fundstelle_stays(
        make_services, reader_index, embedded_llm) -> None:
    svc = services_with(make_services, reader_index, embedded_llm)
    answer = svc.asking.ask(TAX)
    assert not answer.refused and answer.backend == "llamacpp" and answer.draft
    assert "84,00" in answer.answer, (answer.kind, answer.draft, answer.notes)
    assert any(c.sentence and "84,00 €" in c.sentence and c.absatz == "1"
               for c in answer.citations)
    assert len(answer.rendered_prompt) < 1200  # the model reads a few sentences, not passages


def test_ask_json_shows_the_fundstelle_with_absatz_and_sentence(reader_index) -> None:
    result = rathaus("ask", TAX, "--json", data_dir=reader_index.settings.data_dir,
                     RATHAUS_LLM__BACKEND="extractive")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    first = answer["citations"][0]
    assert first["absatz"] == "1" and "84,00 €" in first["sentence"]
    assert answer["evidence"] > 0 and answer["sentences"][0]["n"] == first["n"]
    text = rathaus("ask", TAX, data_dir=reader_index.settings.data_dir,
                   RATHAUS_LLM__BACKEND="extractive").stdout
    assert "Fundstelle (wörtlich)" in text and "Abs. 1" in text and "»(1) Die Steuer" in text


def test_sentence_vectors_are_filled_for_an_older_index_and_leave_with_their_document(
        tmp_path: Path, make_services) -> None:
    """An index built without stored sentences (before the store existed, or with
    `reader.embed_at_ingest: false`) is filled by the code `rathaus serve` runs at start;
    removing a document removes its sentences."""
    tax = DATA / "gemeinde_Lindenau_Satzung_Pferdesteuer.md"
    older = make_services(tmp_path / "data", reader={"embed_at_ingest": False})
    assert older.documents.ingest([tax], "allgemein").ok
    assert older.documents.fill_sentence_vectors() == 0  # first reading embeds them
    assert older.components.sentence_vectors.count() == 0
    svc = make_services(tmp_path / "data")
    sentences = svc.components.sentence_vectors
    filled = svc.documents.fill_sentence_vectors()
    assert filled == sentences.count() > 10
    assert svc.documents.fill_sentence_vectors() == 0  # nothing twice
    assert svc.documents.remove("allgemein", str(tax))
    assert sentences.count() == 0


def test_a_reindex_keeps_the_readers_sentence_vectors(tmp_path: Path, make_services) -> None:
    """The reader's vectors (e5) do not depend on the retrieval embedder: `rathaus reindex`
    after a model change reuses them instead of embedding every sentence again."""
    svc = make_services(tmp_path / "data")
    sentences = svc.components.sentence_vectors
    assert svc.documents.ingest([DATA], "allgemein").ok
    stored, embedded = sentences.count(), sentences.embedded
    assert stored > 10 and embedded > 10
    [(collection, report)] = svc.documents.reindex_all()
    assert collection == "allgemein" and report.ok
    assert sentences.embedded == embedded  # none embedded again
    assert sentences.count() == stored
    assert sentences.chunk_ids() == svc.components.keyword.mirror.ids()
