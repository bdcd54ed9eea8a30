"""Questions naming a Gemeinde leave out another Gemeinde's Satzungen (vectorstore/scope.py)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from vectorstore.lexical.keyword_index import KeywordIndex
from vectorstore.scope import PlaceFinder, find_places

pytestmark = pytest.mark.unit


def _chunk(doc: str, doc_type: str, text: str, title: str = "") -> tuple[str, str, dict]:
    return (f"{doc}-{abs(hash(text))}", text, {"doc": doc, "doc_type": doc_type, "title": title,
                                               "collection": "allgemein", "path": f"/c/{doc}"})


def _index(tmp_path: Path, chunks: list[tuple[str, str, dict]]) -> KeywordIndex:
    index = KeywordIndex(tmp_path / "kw")
    ids, texts, metas = zip(*chunks)
    index.on_upsert(ids, texts, metas)
    index.flush()
    return index


def _corpus() -> list[tuple[str, str, dict]]:
    chunks = []
    for place, docs in (("BadBoll", ("Hundesteuer", "Friedhof", "Abwasser")),
                        ("Linsengericht", ("Hundesteuer", "Friedhof", "Strassenreinigung"))):
        for topic in docs:
            doc = f"gemeinde_{place}_Satzung_{topic}.md"
            chunks.append(_chunk(doc, "Satzung", f"Die Satzung über {topic} gilt für die "
                                 "Friedhofsverwaltung und den Gemeinderat."))
    chunks.append(_chunk("bund_BGB.md", "Bundesrecht", "Der Friedhof und die Hundesteuer "
                         "sind im Bürgerlichen Gesetzbuch nicht geregelt.", "BGB"))
    chunks.append(_chunk("bund_PStG.md", "Bundesrecht", "Das Sonderstandesamt in Bad Arolsen.",
                         "PStG"))
    chunks.append(_chunk("blaupause_chatbot.md", "Blaupause", "Ein Chatbot für Bürgeranfragen."))
    chunks.append(_chunk("bund_BauGB.md", "Bundesrecht", "Bauleitpläne der Gemeinde.", "BauGB"))
    chunks.append(_chunk("bund_VwGO.md", "Bundesrecht", "Die Klage ist zu erheben.", "VwGO"))
    return chunks


def test_place_terms_are_names_of_several_documents_and_rare_elsewhere(tmp_path: Path) -> None:
    scopes = find_places(_index(tmp_path, _corpus()))
    assert {"boll", "linsengericht"} <= set(scopes.places)
    assert len(scopes.places["linsengericht"]) == 3
    # "bad" (also a word of a law's text) belongs to Bad Boll's name but does not name it alone
    assert "bad" not in scopes.places and scopes.aliases["bad"] == scopes.places["boll"]
    assert "friedhof" not in scopes.places  # names two documents, occurs in others' text


def test_question_naming_a_gemeinde_leaves_out_the_other_ones_satzungen(tmp_path: Path) -> None:
    index = _index(tmp_path, _corpus())
    finder = PlaceFinder(index)
    out = finder.out_of_scope(
        index.query_terms("Hundesteuer für einen Kampfhund in Linsengericht?"))
    assert out == {f"gemeinde_BadBoll_Satzung_{t}.md" for t in ("Hundesteuer", "Friedhof",
                                                                 "Abwasser")}
    both = finder.out_of_scope(index.query_terms("Friedhof in Bad Boll und Linsengericht"))
    assert both == set()  # a comparison keeps both places
    assert finder.out_of_scope(index.query_terms("Wie hoch ist die Hundesteuer?")) == set()
    assert finder.out_of_scope(index.query_terms("Gebühr für das Bad im See?")) == set()
    # "satzung" names every Satzung here; the more specific place decides
    assert finder.out_of_scope(index.query_terms("Satzung in Linsengericht")) == out


def test_federal_law_and_other_types_stay_in_scope(tmp_path: Path) -> None:
    index = _index(tmp_path, _corpus())
    out = PlaceFinder(index).out_of_scope(index.query_terms("Ein Bürger in Bad Boll klagt"))
    assert out and all(d.startswith("gemeinde_Linsengericht") for d in out)


def test_the_embedder_is_asked_without_the_named_place(tmp_path: Path) -> None:
    index = _index(tmp_path, _corpus())
    scopes = PlaceFinder(index).scopes()
    terms = index.analyzer.terms
    assert scopes.without_places("Wann muss man in Bad Boll Schnee räumen?", terms) == (
        "Wann muss man in Schnee räumen?")
    assert scopes.without_places("Was kostet ein Bad im See?", terms) == (
        "Was kostet ein Bad im See?")  # no place named: nothing taken out
    assert scopes.without_places("Bad Boll?", terms) == "Bad Boll?"  # nothing would be left


def test_places_are_found_anew_after_the_index_changes(tmp_path: Path) -> None:
    index = _index(tmp_path, _corpus())
    finder = PlaceFinder(index)
    assert "musterstadt" not in finder.scopes().places
    extra = [_chunk(f"gemeinde_Musterstadt_Satzung_{t}.md", "Satzung", f"Regeln über {t}.")
             for t in ("Markt", "Parken", "Bad")]
    ids, texts, metas = zip(*extra)
    index.on_upsert(ids, texts, metas)
    index.flush()
    assert "musterstadt" in finder.scopes().places


def test_scopes_tolerate_a_sources_list_naming_every_place() -> None:
    class Names:
        def generation(self) -> int:
            return 1

        def document_names(self):
            return {f"d{i}": ("Satzung", frozenset({"boll"})) for i in range(3)} | {
                "SOURCES.md": ("Sonstiges", frozenset({"sources"}))}

        def term_documents(self, term: str) -> Counter:
            return Counter({"d0": 30, "d1": 30, "d2": 30, "SOURCES.md": 2})

    assert "boll" in find_places(Names()).places


def test_a_law_typed_gesetz_is_federal_law_here_too_and_bound_to_no_place(tmp_path: Path) -> None:
    """`type: Gesetz` ranks as Bundesrecht in answers, so the place scope must not take three
    such laws that share a word in their names for a Gemeinde."""
    chunks = [_chunk(f"bund_Hessen{topic}.md", "Gesetz", f"Das Gesetz über {topic}.")
              for topic in ("Wahlen", "Schulen", "Steuern")]
    scopes = find_places(_index(tmp_path, _corpus() + chunks))
    assert "hess" not in scopes.places  # the stem of "Hessen"
    as_satzungen = [_chunk(doc, "Satzung", text) for _, text, meta in chunks
                    for doc in [meta["doc"]]]
    assert "hess" in find_places(_index(tmp_path / "s", _corpus() + as_satzungen)).places
