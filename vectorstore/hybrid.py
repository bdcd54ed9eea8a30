"""Hybrid retrieval: dense (Chroma) + German BM25, fused by weighted reciprocal rank, with
named norms looked up directly and an optional cross-encoder reranker."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from legal.references import find_references
from vectorstore.dense import DenseRetriever
from vectorstore.filters import RetrievalFilter
from vectorstore.lexical.keyword_index import KeywordIndex
from vectorstore.norm_lookup import NormLookup
from vectorstore.results import SearchResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HybridConfig:
    """Fusion knobs; every switch exists so that its contribution can be measured."""

    use_dense: bool = True
    use_keyword: bool = True
    use_norm_lookup: bool = True
    fusion: str = "rrf"  # "rrf": reciprocal rank; "score": BM25/max + dense_weight * cosine
    dense_weight: float = 2.0
    keyword_weight: float = 1.0
    rrf_k: int = 10
    sentence_weight: float = 0.0  # small-to-big: chunks ranked by their best sentence
    question_weight: float = 0.0  # the interrogative clause of a case, as further lists
    candidates: int = 50  # per retriever, before fusion
    dense_candidates: bool = True  # False: dense only re-ranks what BM25 found


class Reranker(Protocol):
    def rerank(self, query: str, results: list[SearchResult]) -> list[SearchResult]: ...


class UnitRanker(Protocol):
    def rank(self, query: str, k: int, flt: RetrievalFilter) -> list[tuple[str, float]]: ...


class HybridRetriever:
    """`retrieve(query, k, filter)` -> fused results, best first."""

    def __init__(self, dense: DenseRetriever | None, keyword: KeywordIndex,
                 config: HybridConfig = HybridConfig(), reranker: Reranker | None = None,
                 units: UnitRanker | None = None) -> None:
        self.dense = dense
        self.keyword = keyword
        self.config = config
        self.reranker = reranker
        self.units = units
        self.norms = NormLookup(keyword.mirror, keyword.analyzer)

    def retrieve(self, query: str, k: int, flt: RetrievalFilter = RetrievalFilter(),
                 dense_query: str | None = None, focus_query: str | None = None
                 ) -> list[SearchResult]:
        """`dense_query`: what the embedder is asked (default the query), e.g. the question
        without the name of the Gemeinde the filter already stands for. `focus_query`: the
        interrogative clause of a question told as a case (legal/questions.py), searched as
        further lists weighted by `question_weight` (rrf only)."""
        if flt.empty_result:
            return []
        cfg = self.config
        pool = max(cfg.candidates, k)
        fused: dict[str, float] = {}
        dense_scores: dict[str, float] = {}
        keyword_scores: dict[str, float] = {}
        by_id: dict[str, SearchResult] = {}
        keyword_ranked: list[str] = []
        dense_lists: list[list[str]] = []
        focus = focus_query if cfg.question_weight > 0 and cfg.fusion == "rrf" else None
        focus_lists: list[tuple[float, list[str]]] = []
        if cfg.use_dense and self.dense is not None:
            texts = list(dict.fromkeys([query, dense_query or query]))
            rankings = self._dense_rankings([*texts, *([focus] if focus else [])], pool, flt,
                                            by_id, dense_scores, scored=len(texts))
            dense_lists = rankings[:len(texts)]
            if focus:
                focus_lists.append((cfg.question_weight * cfg.dense_weight / len(dense_lists),
                                    rankings[-1]))
        if cfg.use_keyword:
            for chunk_id, score in self.keyword.search(query, pool, flt):
                keyword_scores[chunk_id] = score
                keyword_ranked.append(chunk_id)
            if not cfg.dense_candidates and keyword_ranked:
                dense_lists = [[i for i in r if i in keyword_scores] for r in dense_lists]
                dense_scores = {i: dense_scores[i] for r in dense_lists for i in r}
            if focus:
                focus_lists.append((cfg.question_weight * cfg.keyword_weight,
                                    [i for i, _ in self.keyword.search(focus, pool, flt)]))
        unit_ranked: list[str] = []
        if cfg.sentence_weight > 0 and self.units is not None and cfg.fusion == "rrf":
            unit_ranked = [i for i, _ in self.units.rank(dense_query or query, pool, flt)]
        if cfg.fusion == "rrf":
            share = cfg.dense_weight / max(1, len(dense_lists))
            for weight, ranking in ([(share, r) for r in dense_lists]
                                    + [(cfg.keyword_weight, keyword_ranked),
                                       (cfg.sentence_weight, unit_ranked), *focus_lists]):
                for rank, chunk_id in enumerate(ranking):
                    fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (cfg.rrf_k + rank + 1)
        else:
            self._score_fusion(dense_query or query, fused, dense_scores, keyword_scores)
        ranked = sorted(fused, key=fused.__getitem__, reverse=True)
        if cfg.use_norm_lookup:
            pinned = self._named_norms(query, flt, ranked, by_id)
            ranked = pinned + [i for i in ranked if i not in set(pinned)]
            top = fused[ranked[len(pinned)]] if len(ranked) > len(pinned) else 1.0
            for chunk_id in pinned:
                fused[chunk_id] = max(fused.get(chunk_id, 0.0), top) + 1e-3
        results = self._materialise(ranked[: max(k, 20) if self.reranker else k], by_id, fused,
                                    dense_scores, keyword_scores)
        if self.reranker is not None:
            results = self.reranker.rerank(query, results)
        return results[:k]

    def _dense_rankings(self, texts: list[str], pool: int, flt: RetrievalFilter,
                        by_id: dict[str, SearchResult], scores: dict[str, float], scored: int
                        ) -> list[list[str]]:
        """Chunk ids the embedder ranks for each text (embedded together), allowed by the
        filter; keeps each hit and, for the first `scored` texts (the question, not a case's
        clause), its best cosine."""
        assert self.dense is not None
        rankings = []
        for n, hits in enumerate(self.dense.retrieve_many(texts, pool, flt.chroma_where())):
            ranking = []
            for hit in hits:  # the store applied the filter inside the query
                by_id.setdefault(hit.chunk_id, hit)
                if n < scored:
                    scores[hit.chunk_id] = max(hit.score, scores.get(hit.chunk_id, -1.0))
                ranking.append(hit.chunk_id)
            rankings.append(ranking)
        return rankings

    def _score_fusion(self, query: str, fused: dict[str, float], dense: dict[str, float],
                      keyword: dict[str, float]) -> None:
        """BM25 normalised to the best hit, plus a small dense bonus.

        For a weak embedder: with the English MiniLM, dense ranks were near-random on German
        paraphrases (hit@5 0.08 on the dev set) and rank fusion let them push good BM25 hits
        out; as a bonus on the cosine they only break ties. Multilingual e5
        measured best with "rrf" (bench/ablation.py).
        """
        cfg = self.config
        top = max(keyword.values(), default=0.0) or 1.0
        if self.dense is not None and cfg.use_dense:
            missing = [i for i in keyword if i not in dense]
            dense.update(self.dense.similarities(query, missing))
        for chunk_id in set(dense) | set(keyword):
            fused[chunk_id] = (cfg.keyword_weight * keyword.get(chunk_id, 0.0) / top
                               + cfg.dense_weight * dense.get(chunk_id, 0.0))

    def _named_norms(self, query: str, flt: RetrievalFilter, ranked: Sequence[str],
                     by_id: dict[str, SearchResult]) -> list[str]:
        refs = find_references(query)
        if not refs:
            return []
        pinned: list[str] = []
        likely_docs: list[str] | None = None
        for ref in refs:
            docs = self.norms.documents_for(ref.law, flt) if ref.law else []
            if not docs:
                if likely_docs is None:  # the documents normal retrieval points at
                    stored = self.keyword.mirror.chunks(list(ranked[:10]))
                    likely_docs = list(dict.fromkeys(stored[i].metadata.get("doc")
                                                     for i in ranked[:10] if i in stored))
                docs = likely_docs[:3]
            pinned.extend(i for i in self.norms.chunk_ids(ref, docs) if i not in pinned)
        return pinned

    def _materialise(self, ids: Sequence[str], by_id: dict[str, SearchResult],
                     fused: dict[str, float], dense_scores: dict[str, float],
                     keyword_scores: dict[str, float]) -> list[SearchResult]:
        stored = self.keyword.mirror.chunks([i for i in ids if i not in by_id])
        results = []
        for chunk_id in ids:
            if chunk_id in by_id:
                result = by_id[chunk_id]
            elif chunk_id in stored:
                row = stored[chunk_id]
                result = SearchResult.from_store(chunk_id, row.text, row.metadata, 0.0)
            else:
                continue
            result.score = fused.get(chunk_id, 0.0)
            result.dense_score = dense_scores.get(chunk_id)
            result.keyword_score = keyword_scores.get(chunk_id)
            results.append(result)
        return results
