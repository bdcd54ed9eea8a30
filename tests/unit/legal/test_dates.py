"""German dates, one grammar: parsed, found in a question, stored as a day number, shown."""

from __future__ import annotations

from datetime import date

import pytest

from legal.dates import OPEN_END, OPEN_START, day_number, find_date, german, parse_date

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("value", "day"), [
    ("2024-03-01", date(2024, 3, 1)), ("1.3.2024", date(2024, 3, 1)),
    ("1. März 2024", date(2024, 3, 1)), ("März 2024", date(2024, 3, 1)),
    ("31.2.2024", None), ("", None), ("demnächst", None), (date(2020, 1, 2), date(2020, 1, 2)),
])
def test_front_matter_dates_in_every_usual_spelling(value: object, day: date | None) -> None:
    assert parse_date(value) == day


def test_the_stored_day_number_and_its_open_ends() -> None:
    assert day_number("2024-03-01") == 20240301
    assert day_number("1.3.2024") == 20240301  # German front matter counts too
    assert day_number(None) == OPEN_START
    assert day_number("", OPEN_END) == OPEN_END
    assert OPEN_START < day_number(date(1900, 1, 1)) < day_number(date(2999, 1, 1)) < OPEN_END


def test_a_question_names_its_first_valid_day() -> None:
    found = find_date("Wie hoch war die Steuer am 31.2.2020 bzw. am 1. März 2020?")
    assert found is not None and found[0] == date(2020, 3, 1)
    found = find_date("Stand 2021-04-01?")
    assert found is not None and found[1].group(0) == "2021-04-01"
    assert find_date("Wie hoch ist die Hundesteuer?") is None
    assert german(date(2024, 3, 1)) == "01.03.2024"


def test_a_year_named_as_a_time() -> None:
    from legal.dates import find_year

    found = find_year("Wie hoch war die Hundesteuer im Jahr 2019?")
    assert found is not None and found[0] == 2019 and found[1].group(0) == "im Jahr 2019"
    assert find_year("Gilt § 2019 noch?") is None
