"""Which day a question is about, and the version intervals of a norm."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant.versions.as_of import question_as_of
from core.errors import AssistantError
from ingest.documents import LoadedDocument, PageText
from ingest.versions import (
    Version,
    declared_version,
    effective_validity,
    norm_key,
)
from legal.dates import in_force_date, parse_date

TODAY = date(2026, 12, 3)


@pytest.mark.parametrize("question, start, end, rest", [
    ("Wie hoch war die Hundesteuer am 1. März 2020?", "2020-03-01", "2020-03-01",
     "Wie hoch war die Hundesteuer ?"),
    ("Was galt zum 15.06.2022 für den zweiten Hund?", "2022-06-15", "2022-06-15",
     "Was galt für den zweiten Hund?"),
    ("Wie hoch war die Steuer im Jahr 2019?", "2019-01-01", "2019-12-31",
     "Wie hoch war die Steuer ?"),
    ("Stand 2021-04-01: Gebühr?", "2021-04-01", "2021-04-01", ": Gebühr?"),
    ("Wie hoch ist die Hundesteuer?", "2026-12-03", "2026-12-03",
     "Wie hoch ist die Hundesteuer?"),
])
def test_dates_in_questions(question: str, start: str, end: str, rest: str) -> None:
    when = question_as_of(question, TODAY)
    assert (when.start.isoformat(), when.end.isoformat()) == (start, end)
    assert when.question == rest
    assert when.named == (start != "2026-12-03")


def test_before_the_change_and_the_callers_date_wins() -> None:
    assert question_as_of("Was galt vor der Änderung?", TODAY).before_change
    assert question_as_of("Was sagte die frühere Fassung?", TODAY).before_change
    when = question_as_of("Wie hoch war sie am 1. März 2020?", TODAY, given="2018-05-02")
    assert when.start == date(2018, 5, 2) and when.label() == "02.05.2018"
    with pytest.raises(AssistantError):
        question_as_of("x", TODAY, given="gestern")
    assert question_as_of("Gilt § 2030 BGB?", TODAY).named is False  # not a year


def test_dates_and_in_force_clauses() -> None:
    assert parse_date("2024-01-01") == date(2024, 1, 1)
    assert parse_date("1. Januar 2024") == parse_date("01.01.2024") == date(2024, 1, 1)
    assert parse_date("Januar 2025") == date(2025, 1, 1)
    assert parse_date("31.02.2024") is None and parse_date("bald") is None
    assert in_force_date("Diese Satzung tritt am 1. Januar 2024, die Änderungssatzung am "
                         "1. Januar 2025 in Kraft.") == date(2024, 1, 1)
    assert in_force_date("Sie tritt mit Wirkung vom 01.04.2021 in Kraft.") == date(2021, 4, 1)
    assert in_force_date("tritt am Tage nach ihrer Bekanntmachung in Kraft") is None


def test_norm_keys() -> None:
    assert norm_key({"norm_id": "Hundesteuer-BB"}, "x") == norm_key({"fassung_von":
                                                                     "hundesteuer-bb"}, "y")
    assert norm_key({"kommune": "Bad Boll"}, "Satzung  über X") == norm_key(
        {"kommune": "bad boll", "title": "Satzung über x"}, None)
    assert norm_key({"title": "Satzung über X"}, None) is None  # no Kommune: on its own


def test_a_version_without_an_end_ends_when_the_next_starts() -> None:
    versions = [Version("b.md", "n", date(2024, 1, 1), None),
                Version("a.md", "n", date(2019, 1, 1), None),
                Version("c.md", "n", date(2010, 1, 1), date(2012, 12, 31)),
                Version("x.md", None, None, None), Version("undated.md", "n", None, None)]
    got = effective_validity(versions)
    assert (got["a.md"].valid_to, got["a.md"].superseded_by) == (date(2023, 12, 31), "b.md")
    assert got["c.md"].valid_to == date(2012, 12, 31)  # a declared end stays
    assert got["b.md"].valid_to is None and got["x.md"].valid_from is None
    assert got["undated.md"] == got["x.md"]


def test_an_in_force_clause_only_dates_a_version_of_a_norm(tmp_path: Path) -> None:
    text = [PageText("§ 99 Inkrafttreten\nDieser Paragraph tritt am 1. Januar 2030 in Kraft.")]
    law = declared_version(tmp_path / "bund_x.md", LoadedDocument(text, "Gesetz X", {}))
    assert law.starts is None  # a law's clause about one § must not hide the law until 2030
    bylaw = declared_version(tmp_path / "s.md", LoadedDocument(
        text, "Satzung", {"kommune": "Bad Boll"}))
    assert bylaw.starts == date(2030, 1, 1)


def test_sections_line_up_by_number_and_figures_pair_old_with_new() -> None:
    from assistant.versions.compare import PREAMBLE, figure_changes, section_key

    assert section_key("§ 5 Steuersatz") == section_key("§5 Höhe der Steuer") == "§ 5"
    assert section_key("§ 5a Sonderfälle") == "§ 5a" and section_key("Art. 3 Abs") == "Art. 3"
    assert section_key(None) == PREAMBLE
    old = "beträgt 108,00 € je Hund, für Kampfhunde 612,00 €; bis 7.00 Uhr; 1,00 Meter; 612,00 €"
    new = "beträgt 165,00 € je Hund, für Kampfhunde 900,00 €; bis 7.00 Uhr; 1,20 Meter; 900,00 €"
    assert figure_changes(old, new) == [("108,00 €", "165,00 €"), ("612,00 €", "900,00 €"),
                                        ("1,00 Meter", "1,20 Meter")]
    assert figure_changes("binnen 14 Tagen", "binnen 14 Tagen schriftlich") == []
    assert figure_changes("binnen 14 Tagen", "binnen eines Monats") == [
        ("14 Tagen", "eines Monats")]
