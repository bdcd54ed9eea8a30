"""The grounding check: facts must stand in the cited excerpt, figures next to the key terms."""

from __future__ import annotations

import pytest

from assistant.answer.grounding import check_claims, figures, hard_facts
from vectorstore.lexical.german import GermanAnalyzer

pytestmark = pytest.mark.unit

ANALYZER = GermanAnalyzer()
TERMS = ANALYZER.terms
# Bad Boll, Hundesteuersatzung § 5 Abs. 1 and 2, verbatim
STEUERSATZ = (
    "(1) Die Steuer beträgt im Kalenderjahr für jeden Hund 165,00 €. Für das Halten eines "
    "Kampfhundes gem. Abs. 3 beträgt der Steuersatz abweichend von Satz 1 900,00 €. (2) Hält ein "
    "Hundehalter im Gemeindegebiet mehrere Hunde, so erhöht sich der nach Abs. 1 geltende "
    "Steuersatz für den zweiten und jeden weiteren Hund auf 330,00 €, für den zweiten und "
    "jeden weiteren Kampfhund beträgt diese je 900,00 €.")
MARKEN = "(6) Bei Verlust wird eine Ersatzmarke gegen eine Gebühr von 5,00 € ausgehändigt."
KAMPFHUND = "Wie hoch ist die Hundesteuer für einen Kampfhund?"


def check(sentence: str, question: str, cited=(1,), sources=None):
    return check_claims([(sentence, list(cited))], sources or {1: STEUERSATZ}, TERMS,
                        key_terms=TERMS(question))


def test_a_figure_that_belongs_to_another_case_is_rejected() -> None:
    """Both amounts stand in the cited excerpt and even in the same sentence as "Kampfhund";
    only 900,00 € stands next to it."""
    assert check("Die Hundesteuer für einen Kampfhund beträgt 900,00 € [1].", KAMPFHUND).kept
    assert not check("Die Hundesteuer für einen Kampfhund beträgt 330,00 € [1].", KAMPFHUND).kept
    assert not check("Die Hundesteuer für einen Kampfhund beträgt 165,00 € [1].", KAMPFHUND).kept


def test_figures_of_the_same_standing_all_pass() -> None:
    question = "Wie hoch ist die Hundesteuer für den zweiten Hund?"
    assert check("Für den zweiten Hund beträgt die Steuer 330,00 € [1].", question).kept
    assert not check("Für den zweiten Hund beträgt die Steuer 165,00 € [1].", question).kept


def test_invented_numbers_and_references_are_removed() -> None:
    result = check_claims(
        [("Die Steuer beträgt für jeden Hund 165,00 € im Kalenderjahr.", [1]),
         ("Für einen Kampfhund sind es 1.200,00 €.", [1]),
         ("Das regelt § 7 der Satzung.", [1]),
         ("Eine Ersatzmarke kostet 5,00 €.", [])],
        {1: STEUERSATZ, 2: MARKEN}, TERMS, key_terms=TERMS("Was kostet die Hundesteuer?"))
    assert [(c.sentence[:20], c.supporting, c.cited) for c in result.kept] == [
        ("Die Steuer beträgt f", [1], True), ("Eine Ersatzmarke kos", [2], False)]
    assert result.removed == ["Für einen Kampfhund sind es 1.200,00 €.",
                              "Das regelt § 7 der Satzung."]


def test_a_wrong_citation_is_not_repaired() -> None:
    """A sentence true of excerpt 2 but cited as [1] misleads the reader: removed."""
    result = check_claims([("Eine Ersatzmarke kostet 5,00 €.", [1])], {1: STEUERSATZ, 2: MARKEN},
                          TERMS)
    assert not result.kept


def test_numbers_written_with_non_breaking_spaces() -> None:
    source = {1: "(3) Die Höhe des Zwangsgeldes beträgt bis zu 25\u00a0000 Euro."}
    question = "Wie hoch darf das Zwangsgeld sein?"
    assert check("Das Zwangsgeld beträgt höchstens 25 000 Euro [1].", question,
                 sources=source).kept
    assert not check("Das Zwangsgeld beträgt höchstens 50 000 Euro [1].", question,
                     sources=source).kept


def test_references_are_not_figures() -> None:
    assert [v for _, _, v in figures("gem. Abs. 3 nach Satz 1 900,00 € und (2) 5 Hunde")] == [
        "900", "5"]
    assert hard_facts("Nach § 5 sind es zwei Wochen und 25 000 Euro.") == ["5", "25000", "§5",
                                                                          "zwei"]
