"""Hybrid retrieval: dense (Chroma) + German BM25, fused by weighted reciprocal rank, with
named norms looked up directly and an optional cross-encoder reranker."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from legal.references import find_references
from vectorstore.dense import DenseRetriever
from vectorstore.filters import RetrievalFilter
from vectorstore.lexical.keyword_index import KeywordIndex
from vectorstore.norm_lookup import NormLookup
from vectorstore.results import SearchResult

log = logging.getLogger(__name__)


class Fusion(StrEnum):
    """How the ranked lists become one ranking (`retrieval.fusion`)."""

    RRF = "rrf"  # weighted reciprocal rank over every list
    SCORE = "score"  # BM25 / best BM25 + dense_weight * cosine (for a weak embedder)


@dataclass
class Candidates:
    """What the retrievers found for one question, before fusion."""

    dense_lists: list[list[str]] = field(default_factory=list)  # per dense query text
    dense_scores: dict[str, float] = field(default_factory=dict)  # best cosine per chunk
    keyword_ranked: list[str] = field(default_factory=list)
    keyword_scores: dict[str, float] = field(default_factory=dict)
    unit_ranked: list[str] = field(default_factory=list)  # small-to-big: by best sentence
    focus_lists: list[tuple[float, list[str]]] = field(default_factory=list)  # (weight, ids)
    by_id: dict[str, SearchResult] = field(default_factory=dict)  # dense hits as found


@dataclass(frozen=True)
class HybridConfig:
    """Fusion knobs; every switch exists so that its contribution can be measured."""

    use_dense: bool = True
    use_keyword: bool = True
    use_norm_lookup: bool = True
    fusion: Fusion = Fusion.RRF
    dense_weight: float = 2.0
    keyword_weight: float = 1.0
    rrf_k: int = 10
    sentence_weight: float = 0.0  # small-to-big: chunks ranked by their best sentence
    question_weight: float = 0.0  # the interrogative clause of a case, as further lists
    candidates: int = 50  # per retriever, before fusion
    dense_candidates: bool = True  # False: dense only re-ranks what BM25 found

    def __post_init__(self) -> None:
        object.__setattr__(self, "fusion", Fusion(self.fusion))  # settings give the string


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
        found = self._candidates(query, pool, flt, dense_query or query, focus_query)
        if cfg.fusion is Fusion.RRF:
            fused = self._fuse_ranks(found)
        else:
            fused = self._fuse_scores(dense_query or query, found)
        by_id, dense_scores, keyword_scores = found.by_id, found.dense_scores, found.keyword_scores
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

    def _candidates(self, query: str, pool: int, flt: RetrievalFilter, dense_query: str,
                    focus_query: str | None) -> Candidates:
        """Every list the configuration asks for: dense (question and Gemeinde-free form,
        embedded together), BM25, small-to-big and a case's interrogative clause."""
        cfg = self.config
        found = Candidates()
        rrf = cfg.fusion is Fusion.RRF
        focus = focus_query if cfg.question_weight > 0 and rrf else None
        if cfg.use_dense and self.dense is not None:
            texts = list(dict.fromkeys([query, dense_query]))
            rankings = self._dense_rankings([*texts, *([focus] if focus else [])], pool, flt,
                                            found.by_id, found.dense_scores, scored=len(texts))
            found.dense_lists = rankings[:len(texts)]
            if focus:
                found.focus_lists.append(
                    (cfg.question_weight * cfg.dense_weight / len(found.dense_lists),
                     rankings[-1]))
        if cfg.use_keyword:
            for chunk_id, score in self.keyword.search(query, pool, flt):
                found.keyword_scores[chunk_id] = score
                found.keyword_ranked.append(chunk_id)
            if not cfg.dense_candidates and found.keyword_ranked:
                found.dense_lists = [[i for i in r if i in found.keyword_scores]
                                     for r in found.dense_lists]
                found.dense_scores = {i: found.dense_scores[i]
                                      for r in found.dense_lists for i in r}
            if focus:
                found.focus_lists.append((cfg.question_weight * cfg.keyword_weight,
                                          [i for i, _ in self.keyword.search(focus, pool, flt)]))
        if cfg.sentence_weight > 0 and self.units is not None and rrf:
            found.unit_ranked = [i for i, _ in self.units.rank(dense_query, pool, flt)]
        return found

    def _fuse_ranks(self, found: Candidates) -> dict[str, float]:
        """Fusion.RRF: each list adds weight / (rrf_k + rank); the dense weight is shared by
        the dense lists."""
        cfg = self.config
        fused: dict[str, float] = {}
        share = cfg.dense_weight / max(1, len(found.dense_lists))
        for weight, ranking in ([(share, r) for r in found.dense_lists]
                                + [(cfg.keyword_weight, found.keyword_ranked),
                                   (cfg.sentence_weight, found.unit_ranked),
                                   *found.focus_lists]):
            for rank, chunk_id in enumerate(ranking):
                fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (cfg.rrf_k + rank + 1)
        return fused

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

    def _fuse_scores(self, query: str, found: Candidates) -> dict[str, float]:
        """Fusion.SCORE: BM25 normalised to the best hit, plus a small dense bonus.

        For a weak embedder: with the English MiniLM, dense ranks were near-random on German
        paraphrases (hit@5 0.08 on the dev set) and rank fusion let them push good BM25 hits
        out; as a bonus on the cosine they only break ties. Multilingual e5
        measured best with "rrf" (bench/ablation.py).
        """
        cfg = self.config
        dense, keyword = found.dense_scores, found.keyword_scores
        top = max(keyword.values(), default=0.0) or 1.0
        if self.dense is not None and cfg.use_dense:
            missing = [i for i in keyword if i not in dense]
            dense.update(self.dense.similarities(query, missing))
        return {chunk_id: cfg.keyword_weight * keyword.get(chunk_id, 0.0) / top
                + cfg.dense_weight * dense.get(chunk_id, 0.0)
                for chunk_id in set(dense) | set(keyword)}

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
