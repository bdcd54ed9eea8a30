"""Evaluation harness: retrieval hit@k / MRR@10 per question type on a JSONL question file.

Hit rule (shared with the question set's README): a retrieved chunk is a hit when its `doc` is a
gold doc and at least 80 % of the word tokens (lower-cased, split on non-word characters,
length >= 2) of the gold `evidence_normalized` occur in the chunk's tokens. Unanswerable
questions are excluded from hit metrics.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import AssistantError
from vectorstore.results import SearchResult

HIT_THRESHOLD = 0.8
DEEP_K = 20  # the reader reads deeper than the top 5: the gold's rank is looked for this far
_WORD = re.compile(r"\W+")


def word_tokens(text: str) -> list[str]:
    return [t for t in _WORD.split(text.lower()) if len(t) >= 2]


@dataclass
class Question:
    id: str
    type: str
    question: str
    answer: str | None
    gold: list[tuple[str, str]]  # (doc file name, evidence_normalized)

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"


def load_questions(path: Path) -> list[Question]:
    """Read the dev/hidden-set schema; a broken line is an error naming file and line."""
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            docs = item.get("doc")
            evidence = item.get("evidence_normalized") or item.get("evidence")
            docs = docs if isinstance(docs, list) else ([docs] if docs else [])
            evidence = evidence if isinstance(evidence, list) else ([evidence] if evidence else [])
            gold = [(Path(d).name, " ".join(e.split())) for d, e in zip(docs, evidence)]
            questions.append(Question(str(item["id"]), item.get("type", "factual"),
                                      item["question"], item.get("answer"), gold))
        except (ValueError, KeyError, TypeError) as exc:
            raise AssistantError(f"Fragedatei fehlerhaft: {path.name}, Zeile {number}",
                                 f"{path}:{number}: {exc}") from exc
    return questions


def is_hit(result_doc: str, result_text: str, gold: Iterable[tuple[str, str]]) -> bool:
    tokens = set(word_tokens(result_text))
    for doc, evidence in gold:
        if Path(result_doc).name != doc:
            continue
        needed = word_tokens(evidence)
        if needed and sum(t in tokens for t in needed) / len(needed) >= HIT_THRESHOLD:
            return True
    return False


def is_gold_sentence(doc: str, sentence: str, gold: Iterable[tuple[str, str]]) -> bool:
    """A sentence of a gold document that holds the gold evidence (80 % of its tokens), or
    that the evidence holds (80 % of the sentence's tokens, at least 4): evidence is often a
    whole Absatz of several sentences, and any of them points the reader to it."""
    if is_hit(doc, sentence, gold):
        return True
    tokens = word_tokens(sentence)
    if len(tokens) < 4:
        return False
    for gold_doc, evidence in gold:
        if Path(doc).name == gold_doc:
            inside = set(word_tokens(evidence))
            if sum(t in inside for t in tokens) / len(tokens) >= HIT_THRESHOLD:
                return True
    return False


def first_hit_rank(results: Sequence[SearchResult], gold: Sequence[tuple[str, str]]) -> int | None:
    for rank, result in enumerate(results, start=1):
        if is_hit(result.doc, result.text, gold):
            return rank
    return None


@dataclass
class QuestionResult:
    question: Question
    results: list[SearchResult]
    seconds: float
    rank: int | None = None
    answer: dict[str, Any] | None = None
    reading: dict[str, Any] = field(default_factory=dict)  # where the gold got lost, if it did

    def to_json(self) -> dict[str, Any]:
        """One line of `rathaus eval --out` (keys are a contract)."""
        answer = self.answer or {}
        return {
            "id": self.question.id,
            "question": self.question.question,
            "retrieved": [
                {"doc": r.doc, "section": r.section, "page": r.page, "text": r.text,
                 "score": round(r.score, 6)} for r in self.results
            ],
            "answer": answer.get("answer"),
            "refused": answer.get("refused"),
            "citations": answer.get("citations"),
            **self.reading,
        }


@dataclass
class EvalSummary:
    metrics: dict[str, Any] = field(default_factory=dict)
    by_type: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {**self.metrics, "by_type": self.by_type}


def _retrieval_metrics(rows: Sequence[QuestionResult]) -> dict[str, Any]:
    scored = [r for r in rows if r.question.answerable and r.question.gold]
    n = len(scored)

    def hit_at(k: int) -> float:
        return round(sum(1 for r in scored if r.rank and r.rank <= k) / n, 4) if n else 0.0

    mrr = round(sum(1 / r.rank for r in scored if r.rank and r.rank <= 10) / n, 4) if n else 0.0
    return {"n": n, "hit_at_1": hit_at(1), "hit_at_5": hit_at(5), "hit_at_10": hit_at(10),
            "hit_at_20": hit_at(DEEP_K), "mrr_at_10": mrr}


def summarise(rows: Sequence[QuestionResult]) -> EvalSummary:
    summary = EvalSummary(metrics=_retrieval_metrics(rows))
    latencies = sorted(r.seconds * 1000 for r in rows)
    if latencies:
        summary.metrics["latency_ms_p50"] = round(statistics.median(latencies), 1)
        summary.metrics["latency_ms_p95"] = round(
            latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 1)
    for qtype in sorted({r.question.type for r in rows}):
        subset = [r for r in rows if r.question.type == qtype]
        summary.by_type[qtype] = (_retrieval_metrics(subset) if subset[0].question.answerable
                                  else {"n": len(subset)})
    return summary


def run_retrieval_eval(
    questions: Sequence[Question],
    retrieve: Callable[[str, int], list[SearchResult]],
    k: int = 10,
) -> list[QuestionResult]:
    """Each question is retrieved `DEEP_K` deep (for hit@20; the top k of a deeper retrieval
    are the same passages, since every retriever draws a larger candidate pool), and its row
    keeps the top `k`."""
    rows = []
    for question in questions:
        started = time.perf_counter()
        results = retrieve(question.question, max(k, DEEP_K))
        row = QuestionResult(question, results[:k], time.perf_counter() - started)
        row.rank = first_hit_rank(results, question.gold) if question.gold else None
        rows.append(row)
    return rows
