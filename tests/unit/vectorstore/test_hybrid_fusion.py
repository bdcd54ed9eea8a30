"""Hybrid fusion on a real keyword index: the arithmetic of rank and score fusion, filters,
and named norms pinned first. The dense side is a scripted ranking (no model in unit tests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from vectorstore.filters import RetrievalFilter
from vectorstore.hybrid import HybridConfig, HybridRetriever
from vectorstore.lexical.keyword_index import KeywordIndex
from vectorstore.results import SearchResult

pytestmark = pytest.mark.unit

CHUNKS = {
    "a": ("hundesteuer.md", "§ 5 Steuersatz",
          "Die Hundesteuer beträgt für einen Kampfhund 600 Euro."),
    "b": ("hundesteuer.md", "§ 6 Ermäßigung", "Die Steuer ermäßigt sich für Blindenhunde."),
    "c": ("streupflicht.md", "§ 3 Umfang", "Gehwege sind bei Glätte zu bestreuen."),
    "d": ("gebuehren.md", "§ 2 Gebühr", "Für die Hundemarke wird eine Gebühr erhoben."),
}


def meta(chunk_id: str, collection: str = "allgemein") -> dict:
    doc, section, _ = CHUNKS[chunk_id]
    return {"doc": doc, "title": doc.removesuffix(".md").title(), "section": section,
            "collection": collection, "doc_type": "Satzung", "path": f"/akten/{doc}",
            "position": int(section.split()[1])}


@pytest.fixture
def keyword(tmp_path: Path) -> KeywordIndex:
    index = KeywordIndex(tmp_path / "kw")
    ids = list(CHUNKS)
    index.on_upsert(ids, [CHUNKS[i][2] for i in ids],
                    [meta(i, "intern" if i == "d" else "allgemein") for i in ids])
    index.flush()
    yield index
    index.close()


def _collection_of(where: dict | None) -> str | None:
    """The collection a `where` clause with a single collection restricts to (the fake store
    understands no more; the store contract tests check real stores)."""
    clauses = (where or {}).get("$and", [where] if where else [])
    return next((c["collection"] for c in clauses if isinstance(c.get("collection"), str)), None)


class ScriptedDense:
    """Returns fixed rankings per query text and fixed cosines (like DenseRetriever); filters
    by collection inside the query, as a store does."""

    def __init__(self, rankings: dict[str, list[tuple[str, float]]]) -> None:
        self.rankings = rankings
        self.asked: list[str] = []
        self.batches: list[list[str]] = []  # texts embedded together
        self.wheres: list[dict | None] = []

    def retrieve(self, query: str, k: int, where=None) -> list[SearchResult]:
        self.asked.append(query)
        self.wheres.append(where)
        ranking = self.rankings.get(query, self.rankings.get("*", []))
        hits = [SearchResult.from_store(i, CHUNKS[i][2], meta(i, "intern" if i == "d" else
                                                                "allgemein"), score)
                for i, score in ranking]
        wanted = _collection_of(where)
        return [h for h in hits if wanted in (None, h.metadata["collection"])][:k]

    def retrieve_many(self, queries: list[str], k: int, where=None) -> list[list[SearchResult]]:
        self.batches.append(list(queries))
        return [self.retrieve(query, k, where) for query in queries]

    def similarities(self, query: str, chunk_ids: list[str]) -> dict[str, float]:
        scores = dict(self.rankings.get("*", []))
        return {i: scores.get(i, 0.0) for i in chunk_ids}


def test_rank_fusion_adds_weighted_reciprocal_ranks(keyword: KeywordIndex) -> None:
    dense = ScriptedDense({"*": [("b", 0.9), ("a", 0.8)]})
    cfg = HybridConfig(fusion="rrf", dense_weight=2.0, keyword_weight=1.0, rrf_k=10,
                       use_norm_lookup=False)
    results = HybridRetriever(dense, keyword, cfg).retrieve("Hundesteuer Kampfhund", 3)
    keyword_ranked = [i for i, _ in keyword.search("Hundesteuer Kampfhund", 50)]
    assert keyword_ranked[0] == "a"
    expected = {i: 0.0 for i in CHUNKS}
    for rank, chunk_id in enumerate(["b", "a"]):
        expected[chunk_id] += 2.0 / (10 + rank + 1)
    for rank, chunk_id in enumerate(keyword_ranked):
        expected[chunk_id] += 1.0 / (10 + rank + 1)
    assert [r.chunk_id for r in results] == sorted(
        (i for i in expected if expected[i]), key=expected.__getitem__, reverse=True)[:3]
    for result in results:
        assert result.score == pytest.approx(expected[result.chunk_id])
    first, second = results[:2]  # dense weighs double: its first place beats BM25's
    assert first.chunk_id == "b" and first.dense_score == 0.9
    assert second.chunk_id == "a" and second.dense_score == 0.8 and second.keyword_score > 0


def test_a_second_dense_query_shares_the_dense_weight(keyword: KeywordIndex) -> None:
    dense = ScriptedDense({"Hundesteuer in Nordheim": [("b", 0.9)],
                           "Hundesteuer": [("c", 0.7)]})
    cfg = HybridConfig(fusion="rrf", dense_weight=2.0, keyword_weight=0.0, rrf_k=10,
                       use_norm_lookup=False)
    results = HybridRetriever(dense, keyword, cfg).retrieve(
        "Hundesteuer in Nordheim", 4, dense_query="Hundesteuer")
    assert dense.asked == ["Hundesteuer in Nordheim", "Hundesteuer"]
    scores = {r.chunk_id: r.score for r in results}
    assert scores["b"] == pytest.approx(1.0 / 11) and scores["c"] == pytest.approx(1.0 / 11)


def test_score_fusion_normalises_bm25_and_adds_the_weighted_cosine(keyword: KeywordIndex) -> None:
    dense = ScriptedDense({"*": [("a", 0.5), ("b", 0.25)]})
    cfg = HybridConfig(fusion="score", dense_weight=0.2, keyword_weight=1.0,
                       use_norm_lookup=False)
    results = HybridRetriever(dense, keyword, cfg).retrieve("Kampfhund Steuer", 4)
    bm25 = dict(keyword.search("Kampfhund Steuer", 50))
    best = max(bm25.values())
    for result in results:
        cosine = {"a": 0.5, "b": 0.25}.get(result.chunk_id, 0.0)
        assert result.score == pytest.approx(bm25.get(result.chunk_id, 0.0) / best
                                             + 0.2 * cosine)


def test_the_filter_holds_for_both_retrievers(keyword: KeywordIndex) -> None:
    dense = ScriptedDense({"*": [("d", 0.99), ("a", 0.5)]})
    retriever = HybridRetriever(dense, keyword, HybridConfig(use_norm_lookup=False))
    open_to_all = retriever.retrieve("Gebühr Hundemarke", 4,
                                     RetrievalFilter.of(collections=["allgemein"]))
    assert open_to_all and "d" not in {r.chunk_id for r in open_to_all}
    assert dense.wheres[-1] == {"collection": "allgemein"}  # the store filters, once
    everything = retriever.retrieve("Gebühr Hundemarke", 4)
    assert everything[0].chunk_id == "d"


def test_a_named_norm_is_pinned_first(keyword: KeywordIndex) -> None:
    dense = ScriptedDense({"*": [("a", 0.9), ("b", 0.8), ("c", 0.1)]})
    retriever = HybridRetriever(dense, keyword, HybridConfig())
    results = retriever.retrieve("Was regelt § 3 der Satzung über die Streupflicht?", 3)
    assert results[0].chunk_id == "c"
    assert results[0].score > results[1].score


def test_a_cases_interrogative_clause_adds_weighted_lists(keyword: KeywordIndex) -> None:
    """The clause is searched by both retrievers; its lists count `question_weight` of theirs,
    and with weight 0 it is not even asked."""
    story, clause = "Ein Halter hat einen Kampfhund.", "Wann gibt es eine Ermäßigung?"
    dense = ScriptedDense({f"{story} {clause}": [("a", 0.9)], clause: [("b", 0.8)]})
    cfg = HybridConfig(fusion="rrf", dense_weight=2.0, keyword_weight=1.0, rrf_k=10,
                       use_norm_lookup=False, question_weight=0.5)
    results = HybridRetriever(dense, keyword, cfg).retrieve(f"{story} {clause}", 4,
                                                            focus_query=clause)
    assert dense.batches == [[f"{story} {clause}", clause]]  # one forward pass for both
    scores = {r.chunk_id: r.score for r in results}
    assert {r.chunk_id: r.dense_score for r in results}["b"] is None  # the clause's cosine
    # is not the question's
    keyword_full = [i for i, _ in keyword.search(f"{story} {clause}", 50)]
    keyword_clause = [i for i, _ in keyword.search(clause, 50)]
    assert keyword_clause[0] == "b"
    expected_b = (0.5 * 2.0 / 11 + 0.5 * 1.0 / 11
                  + (1.0 / (11 + keyword_full.index("b")) if "b" in keyword_full else 0.0))
    assert scores["b"] == pytest.approx(expected_b)
    off = ScriptedDense(dense.rankings)
    HybridRetriever(off, keyword, HybridConfig(fusion="rrf", use_norm_lookup=False)).retrieve(
        f"{story} {clause}", 4, focus_query=clause)
    assert off.asked == [f"{story} {clause}"]


class ScriptedUnits:
    def __init__(self, ranking: list[tuple[str, float]]) -> None:
        self.ranking = ranking

    def rank(self, query: str, k: int, flt: RetrievalFilter) -> list[tuple[str, float]]:
        return self.ranking[:k]


def test_small_to_big_list_is_fused_with_its_weight(keyword: KeywordIndex) -> None:
    cfg = HybridConfig(fusion="rrf", use_dense=False, use_norm_lookup=False,
                       sentence_weight=3.0, rrf_k=10)
    results = HybridRetriever(None, keyword, cfg, units=ScriptedUnits([("c", 0.7)])).retrieve(
        "Hundesteuer Kampfhund", 2)
    assert results[0].chunk_id == "c"  # 3/11 beats BM25's first place (1/11)
    assert results[0].score == pytest.approx(3.0 / 11)


def test_fusion_modes_are_an_enum_settings_spell_as_strings() -> None:
    from vectorstore.hybrid import Fusion

    assert HybridConfig(fusion="score").fusion is Fusion.SCORE
    assert HybridConfig().fusion is Fusion.RRF
    with pytest.raises(ValueError):
        HybridConfig(fusion="borda")
