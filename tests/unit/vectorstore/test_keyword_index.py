"""The German keyword index: writes, filters, deletions, the § look-up queries, generations,
and concurrent readers while a writer works."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.suites.concurrency import while_writing
from legal.references import find_references
from vectorstore.filters import RetrievalFilter
from vectorstore.lexical.keyword_index import KeywordIndex
from vectorstore.norm_lookup import NormLookup

pytestmark = pytest.mark.unit


def meta(doc: str, section: str, position: int, collection: str = "allgemein",
         **extra) -> dict:
    return {"doc": doc, "title": extra.pop("title", doc), "section": section,
            "position": position, "collection": collection, "doc_type": "Satzung",
            "path": f"/akten/{doc}", **extra}


@pytest.fixture
def index(tmp_path: Path):
    keyword = KeywordIndex(tmp_path / "kw")
    keyword.on_upsert(
        ["h1", "h2", "s1", "v1"],
        ["Die Hundesteuer beträgt jährlich 120 Euro für den ersten Hund.",
         "Für Kampfhunde beträgt die Steuer 600 Euro.",
         "Die Gehwege sind bei Schneefall zu räumen.",
         "Das Zwangsgeld beträgt bis zu 25 000 Euro."],
        [meta("hundesteuer.md", "§ 5 Steuersatz", 5),
         meta("hundesteuer.md", "§ 6 Kampfhunde", 6),
         meta("streupflicht.md", "§ 3 Räumen", 3, collection="bauamt"),
         meta("bund_VwVG.md", "§ 11 Zwangsgeld", 11,
              title="Verwaltungs-Vollstreckungsgesetz (VwVG)", valid_from_num=20200101)])
    keyword.flush()
    yield keyword
    keyword.close()


def test_search_ranks_by_german_terms(index: KeywordIndex) -> None:
    hits = index.search("Wie hoch ist die Steuer für Kampfhunde?", 3)
    assert hits[0][0] == "h2"
    assert index.search("Schnee räumen Gehweg", 1)[0][0] == "s1"  # stems and compounds


def test_filters_mask_inside_the_query(index: KeywordIndex) -> None:
    assert {i for i, _ in index.search("Euro", 10, RetrievalFilter.of(collections=["bauamt"]))
            } == set()
    assert {i for i, _ in index.search("Euro", 10,
                                       RetrievalFilter.of(exclude_docs=["hundesteuer.md"]))
            } == {"v1"}
    assert {i for i, _ in index.search("Euro", 10, RetrievalFilter.of(valid_at="2019-06-01"))
            } == {"h1", "h2"}


def test_deletions_and_clearing_take_effect_after_flush(index: KeywordIndex) -> None:
    before = index.generation()
    index.on_delete(["h2"])
    index.flush()
    assert index.generation() == before + 1
    assert "h2" not in {i for i, _ in index.search("Kampfhunde Steuer", 5)}
    index.clear()
    index.flush()
    assert index.mirror.count() == 0 and index.search("Steuer", 5) == []


def test_the_catalog_and_section_chunks_serve_the_norm_lookup(index: KeywordIndex) -> None:
    catalog = {row.doc: row for row in index.mirror.catalog()}
    assert catalog["bund_VwVG.md"].title == "Verwaltungs-Vollstreckungsgesetz (VwVG)"
    assert catalog["streupflicht.md"].collection == "bauamt"
    assert [row.id for row in index.mirror.section_chunks(["hundesteuer.md"])] == ["h1", "h2"]
    assert {row.doc for row in index.mirror.catalog(RetrievalFilter.of(
        collections=["bauamt"], exclude_docs=["other.md"]))} == {"streupflicht.md"}
    assert index.mirror.catalog(RetrievalFilter.of(collections=[])) == []
    lookup = NormLookup(index.mirror, index.analyzer)
    ref = find_references("Was regelt § 11 VwVG?")[0]
    docs = lookup.documents_for(ref.law, RetrievalFilter())
    assert docs == ["bund_VwVG.md"] and lookup.chunk_ids(ref, docs) == ["v1"]
    assert lookup.documents_for(ref.law, RetrievalFilter.of(collections=["bauamt"])) == []


def test_readers_and_a_writer_share_the_index_without_errors(index: KeywordIndex) -> None:
    """Gradio serves questions on worker threads while an upload is being indexed."""
    lookup = NormLookup(index.mirror, index.analyzer)
    ref = find_references("§ 5 der Hundesteuersatzung")[0]

    def read(_slot: int) -> None:
        index.search("Steuer Hund Euro", 5)
        docs = lookup.documents_for(ref.law, RetrievalFilter()) if ref.law else []
        lookup.chunk_ids(ref, docs or ["hundesteuer.md"])
        index.mirror.catalog()

    def write() -> None:
        for batch in range(20):
            ids = [f"neu{batch}-{n}" for n in range(10)]
            index.on_upsert(ids, [f"Gebühr Nummer {batch} {n} für Hunde" for n in range(10)],
                            [meta(f"neu{batch}.md", f"§ {n} Gebühr", n) for n in range(10)])
            index.flush()
            if batch % 3 == 2:
                index.on_delete(ids[:5])
                index.flush()

    _, errors, rounds = while_writing(write, read)
    assert errors == [] and min(rounds) > 0
    assert index.mirror.count() == 4 + 20 * 10 - 6 * 5
