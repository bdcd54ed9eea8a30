"""Which day a question asks about: today, unless it names a date, a year, or the time before
the last change.

"Wie hoch war die Hundesteuer am 1. März 2020?" asks about 2020-03-01; "im Jahr 2019" about the
whole year (every version in force at some time in 2019); "vor der Änderung" about the day
before the version in force today began (resolved once that version is known).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from legal.dates import find_date, find_year, german, parse_date
from legal.questions import before_change


@dataclass(frozen=True)
class AsOf:
    """The days a question is about: `start`..`end` (one day when equal); `before_change`:
    the day before today's version began, to be resolved from the version found."""

    start: date
    end: date
    before_change: bool = False
    named: bool = False  # the date came from the question or the caller, not "today"
    question: str = ""  # the question without the words that name the date

    @property
    def is_range(self) -> bool:
        return self.start != self.end

    def label(self) -> str:
        if self.is_range:
            return f"{german(self.start)}–{german(self.end)}"
        return german(self.start)

    @classmethod
    def day(cls, day: date, question: str, named: bool = True) -> AsOf:
        return cls(day, day, named=named, question=question)


def question_as_of(question: str, today: date, given: str | None = None) -> AsOf:
    """The caller's date (`--as-of`, the chat's date field, the API's `as_of`) wins; else the
    question's date, year or "vor der Änderung"; else today."""
    if given:
        day = parse_date(given)
        if day is None:
            from core.errors import AssistantError

            raise AssistantError(f"Ungültiges Datum: {given!r} (z. B. 2020-03-01 oder 1.3.2020)",
                                 f"invalid as-of date {given!r}")
        return AsOf(day, day, named=True, question=question)
    named = find_date(question)
    if named:
        day, match = named
        return AsOf(day, day, named=True, question=_without(question, match))
    year = find_year(question)
    if year:
        number, match = year
        return AsOf(date(number, 1, 1), date(number, 12, 31), named=True,
                    question=_without(question, match))
    change = before_change(question)
    if change:
        return AsOf(today, today, before_change=True, named=True,
                    question=_without(question, change))
    return AsOf(today, today, question=question)


_LEAD = re.compile(r"\b(?:am|zum|ab|bis|seit|stand|vom)\s*$", re.IGNORECASE)


def _without(question: str, match: re.Match[str]) -> str:
    """The question minus the date phrase (and a leading "am"/"zum"), so the words that name
    the day do not count as missing evidence."""
    before = _LEAD.sub("", question[:match.start()].rstrip())
    return re.sub(r"\s+", " ", f"{before} {question[match.end():]}").strip()


def day_before(valid_from: str | None) -> date | None:
    start = parse_date(valid_from)
    return start - timedelta(days=1) if start else None
