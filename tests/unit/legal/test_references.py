"""One grammar of § / Art. references: found in questions, headings and answers alike."""

from __future__ import annotations

import pytest

from legal.references import (
    NormReference,
    find_references,
    heading_reference,
    reference_labels,
    section_matches,
    split_reference_heading,
    starts_with_reference,
    strip_numbering,
)
from legal.text import absatz_numbers

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("heading", "label"), [
    ("§ 5 Steuersatz", "§ 5"), ("§5 Höhe der Steuer", "§ 5"), ("§§ 5 Steuersatz", "§ 5"),
    ("§ 17a Meldepflicht", "§ 17a"), ("§ 17 a Meldepflicht", "§ 17a"),
    ("Art. 5 Meinungsfreiheit", "Art. 5"), ("Artikel 5 Meinungsfreiheit", "Art. 5"),
    ("Art und Maß der Nutzung", None), ("Allgemeines", None), ("§ 5 Abs. 2", "§ 5"),
])
def test_a_heading_has_one_label_however_it_is_spelled(heading: str, label: str | None) -> None:
    assert heading_reference(heading) == label
    assert starts_with_reference(heading) is (label is not None)


def test_a_section_matches_its_number_only() -> None:
    ref = NormReference("§", "17", None, None)
    assert section_matches("§ 17 Anmeldung, Abmeldung", ref)
    assert not section_matches("§ 170 Sonstiges", ref)
    assert not section_matches("§ 17a Sonderfall", ref)
    assert not section_matches(None, ref)


def test_references_in_a_question_keep_absatz_and_the_law() -> None:
    assert find_references("Was steht in § 17 Abs. 2 BMG?") == [
        NormReference("§", "17", "2", "BMG")]
    assert find_references("Paragraph 3 der Hundesteuersatzung") == [
        NormReference("§", "3", None, "Hundesteuersatzung")]
    both = find_references("Gelten § 5 und § 6 der Satzung?")
    assert [r.law for r in both] == ["Satzung", "Satzung"]


def test_labels_in_running_text_and_headings_split_from_their_words() -> None:
    assert reference_labels("nach § 3 Abs. 2 und Art. 5 sowie §§ 7a") == ["§ 3", "Art. 5", "§ 7a"]
    assert split_reference_heading("§ 3 Hundesteuer") == ("§ 3", "Hundesteuer")
    assert split_reference_heading("Die Steuer") is None
    assert strip_numbering("§ 3 Steuerpflicht") == "Steuerpflicht"
    assert strip_numbering("IV. Gebühren") == "Gebühren"


def test_absatz_numbers_are_read_at_line_starts() -> None:
    assert absatz_numbers("(1) Die Steuer …\n**(2)** Sie wird …\nsiehe (3) unten") == {"1", "2"}


def test_a_titles_abbreviation_is_its_trailing_parenthesis() -> None:
    from legal.references import title_abbreviation

    assert title_abbreviation("Verwaltungs-Vollstreckungsgesetz (VwVG)") == "VwVG"
    assert title_abbreviation("Sozialgesetzbuch (SGB) Zwölftes Buch (XII) - Sozialhilfe - "
                              "(Artikel 1 des Gesetzes vom 27. Dezember 2003) (SGB 12)") == "SGB 12"
    assert title_abbreviation("Gesetz über den Aufenthalt (AufenthG 2004) in der Fassung") == (
        "AufenthG 2004")
    assert title_abbreviation("Hundesteuersatzung der Gemeinde Bad Boll") is None
