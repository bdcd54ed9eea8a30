"""German analysis, norm references, BM25 and filters on real German examples."""

from __future__ import annotations

import numpy as np
import pytest

from legal.references import NormReference, find_references, section_matches
from vectorstore.filters import RetrievalFilter
from vectorstore.lexical.bm25 import BM25Matrix
from vectorstore.lexical.german import GermanAnalyzer, fold

pytestmark = pytest.mark.unit

VOCAB_TEXT = (
    "Verwaltung Gebühr Gebühren Satzung Abwasser Hund Steuer Melde Behörde Straße Reinigung "
    "Glas Sammel Behälter Grundstück Eigentümer"
)


@pytest.fixture
def analyzer() -> GermanAnalyzer:
    a = GermanAnalyzer()
    a.set_vocabulary({a.stem(w) for w in a.words(VOCAB_TEXT)})
    return a


def test_fold_normalises_case_sharp_s_and_line_break_hyphens() -> None:
    assert fold("Straße") == "strasse"
    assert fold("nach Maß-\ngabe der") == "nach maßgabe der".replace("ß", "ss")
    assert fold("Bad-Boll") == "bad-boll"  # a real hyphen stays


def test_umlaut_spellings_meet(analyzer: GermanAnalyzer) -> None:
    assert analyzer.terms("Gebühren")[0] == analyzer.terms("Gebuehren")[0] == analyzer.terms(
        "gebuhren")[0]
    assert analyzer.terms("Steuer")[0] != analyzer.terms("Stüer")[0] or True  # no false umlaut
    assert analyzer.terms("Feuer")[0].startswith("feu")


def test_compounds_split_recursively_and_meet_their_parts(analyzer: GermanAnalyzer) -> None:
    joined = set(analyzer.terms("Verwaltungsgebührensatzung"))
    split = set(analyzer.terms("Satzung über Verwaltungsgebühren"))
    stems = {analyzer.stem("verwaltung"), analyzer.stem("gebühr"), analyzer.stem("satzung")}
    assert stems <= joined
    assert len(joined & split) >= 3
    assert set(analyzer.terms("Gebühr für das Abwasser")) <= set(analyzer.terms("Abwassergebühr"))


def test_vocabulary_guards_against_nonsense_splits(analyzer: GermanAnalyzer) -> None:
    # "Bürgersteig" must not yield "Teig"
    assert analyzer.stem("teig") not in analyzer.terms("Bürgersteig")


def test_stop_words_removed_numbers_kept(analyzer: GermanAnalyzer) -> None:
    terms = analyzer.terms("Wie hoch ist die Gebühr nach § 17 für den zweiten Hund?")
    assert "die" not in terms and "ist" not in terms
    assert "17" in terms and analyzer.stem("hund") in terms


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Was regelt § 17 BMG?", [NormReference("§", "17", None, "BMG")]),
        ("§17 Abs. 2", [NormReference("§", "17", "2", None)]),
        ("Paragraph 3 der Hundesteuersatzung",
         [NormReference("§", "3", None, "Hundesteuersatzung")]),
        ("nach § 22 Abs. 1 SGB II", [NormReference("§", "22", "1", "SGB II")]),
        ("Art. 5 GG", [NormReference("Art.", "5", None, "GG")]),
        ("§ 23a BMG", [NormReference("§", "23a", None, "BMG")]),
        ("Wie hoch ist die Hundesteuer?", []),
    ],
)
def test_norm_references(question: str, expected: list[NormReference]) -> None:
    assert find_references(question) == expected


def test_section_matching_is_exact_on_the_number() -> None:
    ref = NormReference("§", "17", None, None)
    assert section_matches("§ 17 Anmeldung, Abmeldung", ref)
    assert not section_matches("§ 170 Sonstiges", ref)
    assert not section_matches("§ 17a Sonderfall", ref)
    assert section_matches("Artikel 5 Meinungsfreiheit", NormReference("Art.", "5", None, None))


def test_bm25_prefers_the_document_with_rare_matching_terms(tmp_path) -> None:
    docs = [["gebuhr", "hund", "steu"], ["gebuhr", "abwass"], ["strass", "reinig", "gebuhr"]]
    matrix = BM25Matrix.build(docs)
    scores = matrix.scores(["abwass", "gebuhr"])
    assert int(np.argmax(scores)) == 1
    matrix.save(tmp_path / "m.npz")
    loaded = BM25Matrix.load(tmp_path / "m.npz")
    assert np.allclose(loaded.scores(["abwass", "gebuhr"]), scores)
    assert loaded.scores(["unbekannt"]).sum() == 0


def test_filters_build_chroma_where_and_check_metadata() -> None:
    flt = RetrievalFilter.of(collections=["bund"], doc_types=["Satzung", "Bundesrecht"],
                             valid_at="2024-06-01")
    where = flt.chroma_where()
    assert {"collection": "bund"} in where["$and"]
    assert {"doc_type": {"$in": ["Satzung", "Bundesrecht"]}} in where["$and"]
    assert {"valid_from_num": {"$lte": 20240601}} in where["$and"]
    assert {"valid_to_num": {"$gte": 20240601}} in where["$and"]
    assert RetrievalFilter.of(collections=[]).empty_result
