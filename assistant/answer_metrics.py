"""Answer-quality metrics for `rathaus eval` (without --retrieval-only)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from assistant.evaluation import QuestionResult, is_hit

_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_DURATION = re.compile(
    r"\b(ein|eine|einen|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|zwölf|vierzehn|"
    r"\d+)\s+(tag|tage|tagen|woche|wochen|monat|monate|monaten|jahr|jahre|jahren|stunde|"
    r"stunden|uhr)\b", re.IGNORECASE)


def key_facts(gold_answer: str) -> set[str]:
    """Numbers, amounts and durations of a gold answer — what a correct answer must state."""
    facts = {m.group(0).replace(".", "").replace(",00", "") for m in _NUMBER.finditer(gold_answer)}
    facts |= {f"{m.group(1).lower()} {m.group(2).lower()[:4]}" for m in _DURATION.finditer(gold_answer)}
    return {f for f in facts if f}


def _has_facts(answer: str, facts: set[str]) -> bool:
    normalised = answer.replace(".", "").replace(",00", "")
    durations = {f"{m.group(1).lower()} {m.group(2).lower()[:4]}" for m in _DURATION.finditer(answer)}
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
