"""What a question asks for, read once: the answer types (a figure, yes or no, …), whether it
asks what changed, its interrogative clause, and how much of its weighted terms a passage holds.

Staff ask in scenarios: "Ein Bürger in Bad Boll will eine Mulde auf den Bürgersteig stellen.
Wie lange darf sie dort ohne Erlaubnis stehen?" The story sets the scene (who, where, what);
the interrogative clause says what is wanted (a duration). In German the interrogative clause
is the sentence that ends in "?". Both matter: the story names the subject ("Mulde",
"Bürgersteig"), the question its aspect ("wie lange", "ohne Erlaubnis"). Retrieval therefore
asks with the whole text and, as a further list fused beside it, with the interrogative clause
alone, so that passages on the asked aspect are not outranked by passages that merely share
the story's words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from legal.figures import FIGURE_TYPES, AnswerType, answer_types
from legal.text import split_sentences

HOLDS_QUESTION = 0.6
"""The share of the question's terms (weighted by rarity) a passage must hold to address it:
a correct sentence about the general dog tax does not answer a question about a Kampfhund."""

_CHANGED = re.compile(r"\b(?:(?:was|welche[snm]?)\b[^?]*\b(?:geändert|verändert|geändert\s+"
                      r"worden|änderungen|neu\s+geregelt)|was\s+ist\s+neu|"
                      r"(?:welche|was\s+für)\s+änderungen)\b", re.IGNORECASE)
_BEFORE_CHANGE = re.compile(
    r"\bvor\s+der\s+(?:letzten\s+|jüngsten\s+)?(?:änderung|neufassung|novellierung)|"
    r"\b(?:frühere[nrs]?|alte[nrs]?|vorherige[nrs]?|bisherige[nrs]?)\s+(?:fassung|satzung|"
    r"regelung|stand)\b", re.IGNORECASE)
_CHANGE_WORDS = re.compile(r"\b(?:hat\s+sich|haben\s+sich|wurde|wurden|ist|sind|"
                           r"geändert|verändert|änderungen|neu\s+geregelt|neu|worden)\b",
                           re.IGNORECASE)


@dataclass(frozen=True)
class Asked:
    """What one question asks for, read once and handed to every stage that needs it."""

    types: frozenset[AnswerType]

    @classmethod
    def of(cls, question: str) -> Asked:
        return cls(answer_types(question))

    @property
    def figure(self) -> bool:
        """Amounts, periods, times, dates, measures and counts expect a figure."""
        return bool(self.types & FIGURE_TYPES)

    @property
    def yes_no(self) -> bool:
        """"Darf …?", "Muss …?", "Gibt es …?": a rule answers it with yes or no."""
        return AnswerType.YES_NO in self.types


def asks_for_figure(question: str) -> bool:
    return Asked.of(question).figure


def asks_yes_no(question: str) -> bool:
    return Asked.of(question).yes_no


def asks_what_changed(question: str) -> bool:
    """"Was hat sich … geändert?", "Welche Änderungen gab es …?", "Was ist neu …?"."""
    return bool(_CHANGED.search(question))


def before_change(question: str) -> re.Match[str] | None:
    """"vor der Änderung", "die alte Fassung": the question asks about the version before
    today's (where the words stand, to take them out)."""
    return _BEFORE_CHANGE.search(question)


def topic_of(question: str) -> str:
    """The question without the words that ask for a change, for retrieval."""
    return re.sub(r"\s+", " ", _CHANGE_WORDS.sub(" ", question)).strip(" ?") or question


def interrogative_clause(question: str) -> str | None:
    """The sentence(s) ending in "?" of a question that also tells a story; None when the
    question is a single sentence or has no interrogative sentence (nothing to weight)."""
    sentences = [s.strip() for s in split_sentences(" ".join(question.split()))]
    asking = [s for s in sentences if s.endswith("?")]
    if not asking or len(asking) == len(sentences):
        return None
    return " ".join(asking)


Weight = Callable[[str], float]


def weight_of(terms: Iterable[str], weight: Weight) -> float:
    """The summed weight (rarity) of distinct terms."""
    return sum(weight(t) for t in set(terms))


def weighted_share(wanted: Iterable[str], present: Collection[str], weight: Weight) -> float:
    """The share of the wanted terms' weight that `present` holds (0 when nothing is wanted):
    the one measure of how far a passage or sentence covers a question."""
    wanted = set(wanted)
    total = weight_of(wanted, weight)
    return weight_of(wanted & set(present), weight) / total if total else 0.0
