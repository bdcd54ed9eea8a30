"""Answer-quality metrics for `rathaus eval` (without --retrieval-only)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from assistant.answer.result import Answer
from assistant.evaluation.harness import Question, QuestionResult, is_gold_sentence, is_hit
from legal.figures import FigureKind, find_figures

_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")  # the key-fact measure as first defined; kept
# apart from legal.figures so its figures stay comparable across sessions


def _durations(text: str) -> set[str]:
    """"fünf jahr", "3 mona": periods and times as a count and the start of their unit."""
    return {f"{f.text.split()[0].lower()} {f.unit.lower()[:4]}"
            for f in find_figures(text, counts=False)
            if f.kind in (FigureKind.PERIOD, FigureKind.TIME) and len(f.text.split()) == 2}


def key_facts(gold_answer: str) -> set[str]:
    """Numbers, amounts and durations of a gold answer — what a correct answer must state."""
    facts = {m.group(0).replace(".", "").replace(",00", "") for m in _NUMBER.finditer(gold_answer)}
    facts |= _durations(gold_answer)
    return {f for f in facts if f}


def _has_facts(answer: str, facts: set[str]) -> bool:
    normalised = answer.replace(".", "").replace(",00", "")
    durations = _durations(answer)
    return all(f in normalised or f in durations for f in facts)


def has_key_facts(answer: str, gold_answer: str) -> bool:
    """Does `answer` state every key fact of the gold answer?"""
    return _has_facts(answer, key_facts(gold_answer))


def answer_metrics(rows: Sequence[QuestionResult]) -> dict[str, Any]:
    """Refusals, citation precision and key facts; `grounded_rate` is the share of given
    answers that are checked model answers (a verbatim quote is not), so it can fall."""
    unanswerable = [r for r in rows if not r.question.answerable]
    answerable = [r for r in rows if r.question.answerable]
    refused_ok = sum(1 for r in unanswerable if r.answer and r.answer["refused"])
    false_refusals = sum(1 for r in answerable if r.answer and r.answer["refused"])
    cited = [(r, c) for r in answerable if r.answer and not r.answer["refused"]
             for c in r.answer["citations"]]
    precise = sum(1 for r, c in cited if is_hit(c["doc"], c["quote"], r.question.gold))
    with_facts = [r for r in answerable if r.question.answer and key_facts(r.question.answer)]
    facts_ok = sum(1 for r in with_facts if r.answer and not r.answer["refused"]
                   and _has_facts(r.answer["answer"], key_facts(r.question.answer)))
    answered = [r for r in rows if r.answer and not r.answer["refused"]]
    grounded = sum(1 for r in answered if r.answer["grounded"])
    kinds = {kind: sum(1 for r in rows if r.answer and r.answer.get("kind") == kind)
             for kind in ("checked", "quote", "refusal")}
    checked_right = [r for r in answerable if r.answer and r.answer.get("kind") == "checked"]
    checked_facts = [r for r in checked_right if r.question.answer and key_facts(r.question.answer)]
    return {
        "refusal_accuracy": round(refused_ok / len(unanswerable), 4) if unanswerable else None,
        "false_refusal_rate": round(false_refusals / len(answerable), 4) if answerable else None,
        "citation_precision": round(precise / len(cited), 4) if cited else None,
        "key_facts_rate": round(facts_ok / len(with_facts), 4) if with_facts else None,
        "grounded_rate": round(grounded / len(answered), 4) if answered else None,
        "answers_by_kind": kinds,
        "unanswerable_with_checked_answer": sum(
            1 for r in unanswerable if r.answer and r.answer.get("kind") == "checked"),
        "checked_key_facts_rate": round(sum(
            1 for r in checked_facts if _has_facts(r.answer["answer"], key_facts(
                r.question.answer))) / len(checked_facts), 4) if checked_facts else None,
        "backends": sorted({r.answer["backend"] for r in answered}),
    }


def reading_outcome(question: Question, answer: Answer) -> dict[str, Any]:
    """Where an answerable question's gold evidence got to: retrieved among the sources the
    reader read, the rank of its first sentence in the reader's order, shown as the first
    Fundstelle (or first citation), shown at all; and whether the answer states the key facts.
    A miss is then a retrieval miss (not among the candidates) or a reading miss."""
    if not question.answerable:
        return {}
    gold = question.gold
    ranked = answer.reading.ranked if answer.reading else ()
    rank = next((i for i, s in enumerate(ranked, start=1)
                 if is_gold_sentence(s.candidate.source.doc, s.sentence, gold)), None)
    shown = [is_hit(c.doc, c.quote, gold) for c in answer.citations] if not answer.refused else []
    facts = key_facts(question.answer or "")
    return {
        "gold_in_candidates": any(is_hit(s.doc, s.text, gold) for s in answer.sources),
        "gold_sentence_rank": rank,
        "gold_shown_first": bool(shown and shown[0]),
        "gold_shown": any(shown),
        "key_facts_stated": (not answer.refused and _has_facts(answer.answer, facts))
        if facts else None,
    }


def reading_metrics(rows: Sequence[QuestionResult]) -> dict[str, Any]:
    """Rates of the reading outcomes over the answerable questions, and each miss counted as
    a retrieval miss (gold not among the candidates) or a reading miss (among them, not
    shown)."""
    seen = [r.reading for r in rows if r.reading]
    if not seen:
        return {}
    n = len(seen)

    def rate(test) -> float:
        return round(sum(1 for x in seen if test(x)) / n, 4)

    return {
        "gold_in_candidates_rate": rate(lambda x: x["gold_in_candidates"]),
        "gold_sentence_top1_rate": rate(lambda x: x["gold_sentence_rank"] == 1),
        "gold_sentence_top3_rate": rate(lambda x: (x["gold_sentence_rank"] or 99) <= 3),
        "gold_shown_first_rate": rate(lambda x: x["gold_shown_first"]),
        "gold_shown_rate": rate(lambda x: x["gold_shown"]),
        "retrieval_misses": sum(1 for x in seen if not x["gold_in_candidates"]),
        "reading_misses": sum(1 for x in seen if x["gold_in_candidates"] and not x["gold_shown"]),
    }
