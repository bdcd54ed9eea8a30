"""Figures with their units, and what a question asks for, read off German grammar."""

from __future__ import annotations

import pytest

from legal.figures import (
    AnswerType,
    FigureKind,
    answer_types,
    find_figures,
    matches_type,
    states_figure,
)
from legal.questions import asks_for_figure, asks_yes_no

pytestmark = pytest.mark.unit

A = AnswerType


def kinds(text: str) -> list[tuple[str, FigureKind]]:
    return [(f.text, f.kind) for f in find_figures(text)]


def test_figures_carry_their_unit_and_kind() -> None:
    assert kinds("Die Steuer beträgt im Kalenderjahr für jeden Hund 165,00 €.") == [
        ("165,00 €", FigureKind.AMOUNT)]
    assert kinds("(3) Die Höhe des Zwangsgeldes beträgt bis zu 25\u00a0000 Euro.") == [
        ("25\u00a0000 Euro", FigureKind.AMOUNT)]
    assert kinds("montags bis freitags bis 7.00 Uhr, samstags bis 8.00 Uhr") == [
        ("7.00 Uhr", FigureKind.TIME), ("8.00 Uhr", FigureKind.TIME)]
    assert kinds("zwischen 22.00 und 8.00 Uhr") == [("22.00", FigureKind.TIME),
                                                    ("8.00 Uhr", FigureKind.TIME)]
    assert kinds("mindestens 1,50 m breit, 20 m³ je Jahr, um 10 Prozent") == [
        ("1,50 m", FigureKind.MEASURE), ("20 m³", FigureKind.MEASURE),
        ("10 Prozent", FigureKind.SHARE)]
    assert kinds("am 01.03.2020 oder am 1. März 2021") == [
        ("01.03.2020", FigureKind.DATE), ("1. März 2021", FigureKind.DATE)]


def test_periods_need_a_number_word_or_ordinal_before_their_unit() -> None:
    assert kinds("verjährt nach fünf Jahren; innerhalb einer Woche") == [
        ("fünf Jahren", FigureKind.PERIOD), ("einer Woche", FigureKind.PERIOD)]
    assert kinds("bis zum Ablauf des fünften auf die Verkündung dieses Gesetzes folgenden "
                 "Kalenderjahres")[0][1] is FigureKind.PERIOD
    assert kinds("Die Gebühr wird für jeden Monat erhoben.") == []  # "Monat" alone: no figure


def test_references_markers_and_citations_are_not_figures() -> None:
    values = [f.value for f in find_figures("gem. Abs. 3 nach Satz 1 900,00 € und (2) 5 Hunde")]
    assert values == ["900", "5"]  # "Satz 1 900,00 €" is a reference and an amount
    assert not states_figure("§ 9 Abs. 1 Satz 2 und 3 gilt entsprechend [3].")
    assert not states_figure("In den Baugebieten nach den §§ 2 bis 4 sind Räume zulässig.")
    assert kinds("| 14.1 | Kirchenaustritt | 35,00 € / Vorgang |") == [
        ("35,00 €", FigureKind.AMOUNT)]  # the row number is no count


@pytest.mark.parametrize(("text", "expected"), [
    ("Die Gebühr beträgt 5,00 € [1].", True),
    ("Der Antrag muss binnen drei Monaten gestellt werden.", True),
    ("Die Zahlungsfrist beträgt einer Woche.", True),
    ("Innerhalb dreier Tage.", True),
    ("Bis zum Ablauf des fünften Kalenderjahres nach der Verkündung [1].", True),
    ("§ 9 Abs. 1 Satz 2 und 3 gilt entsprechend [3].", False),
    ("Die Erlaubnis ist ein unbefristeter Aufenthaltstitel [1].", False),
    ("In den Baugebieten nach den §§ 2 bis 4 sind Räume zulässig.", False),
])
def test_a_figure_is_an_amount_duration_or_date_not_a_reference(text: str, expected: bool) -> None:
    assert states_figure(text) is expected


@pytest.mark.parametrize(("question", "expected"), [
    ("Wie hoch ist die Hundesteuer für einen Hund?", {A.AMOUNT}),
    ("Was kostet eine Ersatzmarke?", {A.AMOUNT}),
    ("Welche Gebühr verlangt die Gemeinde?", {A.AMOUNT}),
    ("Bis wann muss ich morgens den Gehweg räumen?", {A.DATE, A.TIME, A.PERIOD}),
    ("Innerhalb welcher Frist muss der Antrag gestellt werden?", {A.PERIOD}),
    ("Wie lange darf der Container stehen?", {A.PERIOD}),
    ("Wie oft wird der Müll abgeholt?", {A.COUNT}),
    ("Nach wie vielen Jahren verjährt der Anspruch?", {A.PERIOD}),
    ("Zu welchen Zeiten darf man Altglas einwerfen?", {A.TIME}),
    ("Ab wie viel Uhr gilt die Nachtruhe?", {A.TIME}),
    ("Wie breit muss der Weg geräumt werden?", {A.MEASURE}),
    ("Aus wie vielen Personen besteht der Ausschuss?", {A.AMOUNT, A.COUNT, A.MEASURE}),
    ("Wer muss den Gehweg räumen?", {A.BODY}),
    ("Welche Behörde ist zuständig?", {A.BODY}),
    ("Darf ein Wirt Wasser teurer verkaufen als Bier?", {A.YES_NO}),
    ("Ein Landwirt will am Samstagabend Gülle fahren. Ist das erlaubt?", {A.YES_NO}),
    ("In welcher Form wird das Vorkaufsrecht ausgeübt?", {A.PROCEDURE}),
    ("Unter welcher Voraussetzung muss er den Müll nicht abgeben?", {A.CONDITION}),
    ("Was gilt für Grabsteine?", {A.OPEN}),
])
def test_the_question_form_tells_what_is_asked(question: str, expected: set) -> None:
    assert answer_types(question) == expected


def test_only_the_interrogative_clauses_of_a_scenario_count() -> None:
    story = ("Ein Bürger hat vor drei Monaten 200 € gezahlt und will wissen, wie es weitergeht. "
             "Darf die Gemeinde das Geld behalten?")
    assert answer_types(story) == {A.YES_NO}
    both = "Nach wie vielen Jahren verjährt die Gebühr, und ab wann wird gezählt?"
    assert answer_types(both) == {A.PERIOD, A.DATE, A.TIME}
    assert asks_for_figure("Wie hoch ist die Steuer?") and not asks_for_figure("Wer zahlt?")
    assert asks_yes_no("Darf man Hunde mitnehmen?") and not asks_yes_no("Wer darf das?")


def test_a_sentence_matches_the_asked_type_only_with_the_right_kind_of_figure() -> None:
    amount = answer_types("Wie hoch ist die Hundesteuer?")
    assert matches_type("Die Steuer beträgt für jeden Hund 165,00 €.", amount)
    assert not matches_type("Die Gemeinde erhebt die Hundesteuer nach dieser Satzung.", amount)
    assert not matches_type("Die Steuer ist bis zum 1. Juli fällig.", amount)  # a date, no €
    time = answer_types("Bis wann muss der Gehweg geräumt sein?")
    assert matches_type("Die Gehwege müssen bis 7.00 Uhr geräumt sein.", time)
    assert not matches_type("Die Gehwege sind zu räumen und zu streuen.", time)
    body = answer_types("Wer muss räumen?")
    assert matches_type("Die Straßenanlieger sind verpflichtet, die Gehwege zu räumen.", body)
    yes_no = answer_types("Darf man Streusalz verwenden?")
    assert matches_type("Auftauende Streumittel dürfen nicht verwendet werden.", yes_no)
    assert not matches_type("Der Gehweg ist 1,50 m breit.", yes_no)
    assert not matches_type("Die Steuer beträgt 165,00 €.", answer_types("Was gilt?"))
