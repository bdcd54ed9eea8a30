"""Resolve follow-up questions ("Und für den zweiten Hund?") against the recent chat history."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_FOLLOW_UP_START = re.compile(
    r"^\s*(und|aber|also|was ist mit|wie ist es mit|wie sieht es|gilt das|gilt dies|auch|"
    r"dann|und wenn|was, wenn|was wenn|wie viel|wieviel|bis wann)\b", re.IGNORECASE)
_PRONOUNS = re.compile(
    r"\b(dafür|dazu|davon|darauf|dort|dies|diese[rsmn]?|das|es|er|sie|ihn|ihm)\b", re.IGNORECASE)
MAX_WORDS_FOLLOW_UP = 9


@dataclass(frozen=True)
class Turn:
    question: str
    answer: str = ""


def is_follow_up(question: str) -> bool:
    words = question.split()
    if len(words) > MAX_WORDS_FOLLOW_UP:
        return False
    return bool(_FOLLOW_UP_START.search(question) or _PRONOUNS.search(question))


def resolve_question(question: str, history: Sequence[Turn], max_turns: int = 3) -> str:
    """The retrieval query: the question itself, or — for a short follow-up — the previous
    question it refers to plus the follow-up (bounded to the last `max_turns` turns)."""
    recent = list(history)[-max_turns:] if max_turns else []
    if not recent or not is_follow_up(question):
        return question
    return f"{recent[-1].question} {question}"
