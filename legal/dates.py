"""German dates, one grammar: "1. Januar 2024", "1.1.2024", "2024-01-01", "Januar 2025"; the day
number the stores compare (20240101, with 0 and 99991231 as open ends); and the German form
staff read ("01.01.2024").

Front matter, "tritt am … in Kraft" clauses, a question's "am 1. März 2020" and the stored
interval in force all go through here, so a date reads the same at ingest and at question time.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

MONTHS = {"januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "april": 4, "mai": 5,
          "juni": 6, "juli": 7, "august": 8, "september": 9, "oktober": 10, "november": 11,
          "dezember": 12}
MONTH = "|".join(MONTHS)
DAY_MONTH_YEAR = rf"(\d{{1,2}})\.\s*(?:({MONTH})|(\d{{1,2}})\.)\s*(\d{{4}})"
_DAY_IN_TEXT = re.compile(rf"\b{DAY_MONTH_YEAR}\b", re.IGNORECASE)
_ISO = r"(\d{4})-(\d{2})-(\d{2})"
_ISO_IN_TEXT = re.compile(rf"\b{_ISO}\b")
_ISO_START = re.compile(rf"^{_ISO}")
_IN_FORCE = re.compile(rf"tritt\s+(?:am|mit\s+Wirkung\s+vom)\s+{DAY_MONTH_YEAR}[^\n]{{0,200}}?"
                       r"in\s+Kraft", re.IGNORECASE)
_YEAR_IN_TEXT = re.compile(r"\b(?:im\s+jahre?|in\s+dem\s+jahr|jahr|anno|in|für)\s+"
                           r"((?:19|20)\d{2})\b", re.IGNORECASE)
_NUMERIC = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_WORDED = re.compile(rf"^(?:(\d{{1,2}})\.\s*)?({MONTH})\s+(\d{{4}})$", re.IGNORECASE)

OPEN_START = 0  # the stored day number of "in force since always"
OPEN_END = 99991231  # … and of "in force until further notice"


def safe_date(year: int, month: int, day: int) -> date | None:
    """A date, or None for the 31st of February."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _day_month_year(match: re.Match[str], first: int = 1) -> date | None:
    day, month_name, month_number, year = match.group(first, first + 1, first + 2, first + 3)
    month = MONTHS[month_name.lower()] if month_name else int(month_number)
    return safe_date(int(year), month, int(day))


def parse_date(value: Any) -> date | None:
    """A date from front matter or a setting: ISO (`2024-01-01`), German (`1.1.2024`,
    `1. Januar 2024`), or a month (`Januar 2025` -> its first day)."""
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    iso = _ISO_START.match(text)
    if iso:
        return safe_date(int(iso[1]), int(iso[2]), int(iso[3]))
    numeric = _NUMERIC.match(text)
    if numeric:
        return safe_date(int(numeric[3]), int(numeric[2]), int(numeric[1]))
    worded = _WORDED.match(text)
    if worded:
        return safe_date(int(worded[3]), MONTHS[worded[2].lower()], int(worded[1] or 1))
    return None


def find_date(text: str) -> tuple[date, re.Match[str]] | None:
    """The first valid day a text names ("am 1. März 2020", "1.3.2020", "2020-03-01"), with
    where it stands."""
    for pattern, worded in ((_DAY_IN_TEXT, True), (_ISO_IN_TEXT, False)):
        for match in pattern.finditer(text):
            day = _day_month_year(match) if worded else parse_date(match.group(0))
            if day is not None:
                return day, match
    return None


def find_year(text: str) -> tuple[int, re.Match[str]] | None:
    """A year a text names as a time ("im Jahr 2019", "für 2020"), with where it stands."""
    match = _YEAR_IN_TEXT.search(text)
    return (int(match.group(1)), match) if match else None


def in_force_date(text: str) -> date | None:
    """The date of the first "tritt am 1. Januar 2024 in Kraft" clause, if any."""
    match = _IN_FORCE.search(text)
    return _day_month_year(match) if match else None


def day_number(value: Any, default: int = OPEN_START) -> int:
    """The number the stores compare: '2024-03-01' / 1.3.2024 -> 20240301; `default` when
    there is no valid date (Chroma compares numbers, not strings)."""
    day = parse_date(value)
    return int(day.strftime("%Y%m%d")) if day else default


def german(day: date) -> str:
    """01.03.2024: how staff read a date."""
    return f"{day:%d.%m.%Y}"
