"""The eval hit rule and metrics, on hand-made results with known answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.evaluation.harness import (
    first_hit_rank,
    is_hit,
    load_questions,
    run_retrieval_eval,
    summarise,
)
from vectorstore.results import SearchResult

pytestmark = pytest.mark.unit

EVIDENCE = "(3) Die Höhe des Zwangsgeldes beträgt bis zu 25 000 Euro."


def result(doc: str, text: str) -> SearchResult:
    return SearchResult("id", doc, "", None, None, text, 1.0, "c", "", {})


def test_hit_needs_gold_doc_and_80_percent_of_tokens() -> None:
    gold = [("bund_VwVG.md", EVIDENCE)]
    assert is_hit("bund_VwVG.md", "§ 11 Zwangsgeld\n(3) Die Höhe des Zwangsgeldes beträgt bis "
                                  "zu\n25 000 Euro. (4) Weiteres.", gold)
    assert not is_hit("bund_OWiG.md", EVIDENCE, gold)  # right text, wrong document
    assert not is_hit("bund_VwVG.md", "Die Höhe des Zwangsgeldes", gold)  # too little


def test_metrics_and_unanswerable_exclusion(tmp_path: Path) -> None:
    lines = [
        {"id": "Q1", "type": "factual", "question": "a", "answer": "x", "doc": "bund_VwVG.md",
         "evidence_normalized": EVIDENCE},
        {"id": "Q2", "type": "multi_passage", "question": "b", "answer": "y",
         "doc": ["a.md", "pdf/b.pdf"], "evidence_normalized": ["alpha beta gamma", "delta eps"]},
        {"id": "Q3", "type": "unanswerable", "question": "c", "answer": "NICHT_IM_KORPUS",
         "doc": None, "evidence_normalized": None},
    ]
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines))
    questions = load_questions(path)
    assert questions[1].gold == [("a.md", "alpha beta gamma"), ("b.pdf", "delta eps")]
    canned = {
        "a": [result("x.md", "nichts"), result("bund_VwVG.md", EVIDENCE)],
        "b": [result("b.pdf", "delta eps zeta")],
        "c": [result("x.md", "irgendwas")],
    }
    rows = run_retrieval_eval(questions, lambda q, k: canned[q], k=10)
    assert [r.rank for r in rows] == [2, 1, None]
    summary = summarise(rows)
    assert summary.metrics["n"] == 2
    assert summary.metrics["hit_at_1"] == 0.5 and summary.metrics["hit_at_5"] == 1.0
    assert summary.metrics["mrr_at_10"] == 0.75
    assert summary.by_type["unanswerable"] == {"n": 1}
    out = rows[0].to_json()
    # a --retrieval-only row: the contract's keys (reading outcomes come with answers)
    assert set(out) == {"id", "question", "retrieved", "answer", "refused", "citations"}
    assert set(out["retrieved"][0]) == {"doc", "section", "page", "text", "score"}
    assert first_hit_rank([], questions[0].gold) is None


def test_broken_question_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "kaputt.jsonl"
    path.write_text('{"id": "1", "question": "ok"}\n{kein json\n')
    from core.errors import AssistantError

    with pytest.raises(AssistantError) as info:
        load_questions(path)
    assert "Zeile 2" in info.value.message_de


def test_answer_metrics_tell_checked_answers_from_quotes() -> None:
    from assistant.evaluation.harness import Question, QuestionResult
    from assistant.evaluation.metrics import answer_metrics

    def row(kind: str, answerable: bool, text: str, quote: str) -> QuestionResult:
        question = Question("Q", "factual" if answerable else "unanswerable", "?",
                            "Bis zu 25 000 Euro." if answerable else "NICHT_IM_KORPUS",
                            [("bund_VwVG.md", EVIDENCE)] if answerable else [])
        citations = [] if kind == "refusal" else [
            {"n": 1, "doc": "bund_VwVG.md", "section": None, "page": None, "quote": quote}]
        answer = {"answer": text, "refused": kind == "refusal", "citations": citations,
                  "grounded": kind == "checked", "backend": "llamacpp", "kind": kind}
        return QuestionResult(question, [], 0.0, answer=answer)

    rows = [row("checked", True, "Höchstens 25 000 Euro [1].", EVIDENCE),
            row("quote", True, "„Weiteres.“ [1]", "Weiteres."),
            row("refusal", False, "keine Angabe", ""),
            row("checked", False, "Es sind 5 Euro [1].", "Weiteres.")]
    metrics = answer_metrics(rows)
    assert metrics["grounded_rate"] == round(2 / 3, 4)  # the quote is not a checked answer
    assert metrics["answers_by_kind"] == {"checked": 2, "quote": 1, "refusal": 1}
    assert metrics["refusal_accuracy"] == 0.5 and metrics["unanswerable_with_checked_answer"] == 1
    assert metrics["citation_precision"] == 0.5 and metrics["key_facts_rate"] == 0.5
    assert metrics["checked_key_facts_rate"] == 1.0


def test_every_miss_is_a_retrieval_miss_or_a_reading_miss() -> None:
    from assistant.answer.citations import Citation
    from assistant.answer.reading import SentenceReader, SentenceScorer
    from assistant.answer.result import Answer, AnswerKind
    from assistant.evaluation.harness import Question, QuestionResult
    from assistant.evaluation.metrics import reading_metrics, reading_outcome
    from core.config import ReaderSettings
    from tests.fakes import WordVectors
    from vectorstore.lexical.german import GermanAnalyzer

    analyzer = GermanAnalyzer()
    reader = SentenceReader(vectors=WordVectors(analyzer.terms), terms=analyzer.terms,
                            query_terms=analyzer.query_terms, idf=lambda _t: 1.0,
                            scorer=SentenceScorer(ReaderSettings().weights))
    gold_source = SearchResult("g", "bund_VwVG.md", "VwVG", "§ 11", None,
                               "(2) Anderes.\n\n" + EVIDENCE, 1.0, "c", "", {})
    other = result("bund_OWiG.md", "(1) Die Geldbuße beträgt mindestens fünf Euro.")
    question = Question("Q", "factual", "Wie hoch darf das Zwangsgeld sein?",
                        "Bis zu 25 000 Euro.", [("bund_VwVG.md", EVIDENCE)])

    def answer(sources, shown: str) -> Answer:
        reading = reader.read(question.question, sources)
        quote = Citation.of(1, sources[0], shown)
        return Answer(f"„{shown}“ [1]", AnswerKind.QUOTE, (quote,), tuple(sources),
                      "extractive", "p", reading=reading)

    read_right = reading_outcome(question, answer([gold_source], EVIDENCE))
    assert read_right == {"gold_in_candidates": True, "gold_sentence_rank": 1,
                          "gold_shown_first": True, "gold_shown": True, "key_facts_stated": True}
    misread = reading_outcome(question, answer([gold_source], "(2) Anderes."))
    assert misread["gold_in_candidates"] and not misread["gold_shown"]
    not_found = reading_outcome(question, answer([other], other.text))
    assert not not_found["gold_in_candidates"] and not_found["gold_sentence_rank"] is None
    rows = [QuestionResult(question, [], 0.0, reading=r) for r in (read_right, misread, not_found)]
    metrics = reading_metrics(rows)
    assert (metrics["retrieval_misses"], metrics["reading_misses"]) == (1, 1)
    assert metrics["gold_shown_first_rate"] == round(1 / 3, 4)
    assert reading_outcome(Question("U", "unanswerable", "?", "NICHT_IM_KORPUS", []),
                           answer([other], other.text)) == {}


def test_gold_beyond_the_top_k_counts_for_hit_at_20(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"id": "Q1", "type": "factual", "question": "a", "answer": "x",
                                "doc": "bund_VwVG.md", "evidence_normalized": EVIDENCE}))
    asked: list[int] = []

    def retrieve(query: str, k: int) -> list:
        asked.append(k)
        return [result("x.md", "nichts")] * 14 + [result("bund_VwVG.md", EVIDENCE)]

    rows = run_retrieval_eval(load_questions(path), retrieve, k=10)
    assert asked == [20] and len(rows[0].results) == 10 and rows[0].rank == 15
    metrics = summarise(rows).metrics
    assert metrics["hit_at_10"] == 0.0 and metrics["hit_at_20"] == 1.0
    assert metrics["mrr_at_10"] == 0.0
