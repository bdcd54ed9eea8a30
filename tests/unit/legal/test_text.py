"""Sentences, Absätze, list items and table rows: the units the reader quotes."""

from __future__ import annotations

import pytest

from legal.text import readable_units, reading_units, table_rows, window

pytestmark = pytest.mark.unit

BMG = """(2) Verlangen Mandatsträger, Presse oder Rundfunk Auskunft aus dem
Melderegister über Alters- oder Ehejubiläen von Einwohnern, darf die
Meldebehörde Auskunft erteilen über

1.  Familienname,

2.  Vornamen,

Altersjubiläen im Sinne des Satzes 1 sind der 70. Geburtstag, jeder
fünfte weitere Geburtstag und ab dem 100. Geburtstag jeder folgende
Geburtstag.

(3) Adressbuchverlagen darf Auskunft erteilt werden."""


def test_an_absatz_runs_from_its_marker_to_the_next() -> None:
    units = reading_units(BMG)
    assert [u.absatz_number for u in units] == ["2", "2", "2", "2", "3"]
    assert units[3].sentence.startswith("Altersjubiläen im Sinne des Satzes 1 sind der 70.")
    assert units[3].absatz.startswith("(2) Verlangen") and "70. Geburtstag" in units[3].absatz
    assert units[4].absatz == "(3) Adressbuchverlagen darf Auskunft erteilt werden."
    # list items with two words state no rule; the reader skips them
    assert [u.sentence[:6] for u in readable_units(BMG)] == ["(2) Ve", "Alters", "(3) Ad"]


def test_list_items_on_consecutive_lines_are_read_one_by_one() -> None:
    text = ("(5) Grabmale sind bis zu folgenden Größen zulässig:\n"
            "1. Auf einstelligen Grabstätten bis zu 0,70 m² Ansichtsfläche\n"
            "2. Auf mehrstelligen Grabstätten bis zu 1,20 m² Ansichtsfläche")
    sentences = [u.sentence for u in reading_units(text)]
    assert sentences == ["(5) Grabmale sind bis zu folgenden Größen zulässig:",
                         "1. Auf einstelligen Grabstätten bis zu 0,70 m² Ansichtsfläche",
                         "2. Auf mehrstelligen Grabstätten bis zu 1,20 m² Ansichtsfläche"]


def test_a_flattened_fee_table_is_read_row_by_row() -> None:
    line = ("| **14.** | **Standesamt** | | | 14.1 | Öffentliche Leistungen im "
            "Kirchenaustrittsverfahren | 35,00 € / Vorgang | | 15.1 | Ausstellung eines "
            "Leichenpasses | 18,00 € / Vorgang |")
    assert table_rows(line) == [
        "| **14.** | **Standesamt** |",
        "| 14.1 | Öffentliche Leistungen im Kirchenaustrittsverfahren | 35,00 € / Vorgang |",
        "| 15.1 | Ausstellung eines Leichenpasses | 18,00 € / Vorgang |"]
    rows = reading_units(line)
    assert rows[1].sentence == rows[1].absatz  # a row is its own Absatz


def test_a_long_absatz_is_quoted_as_a_window_around_the_sentence() -> None:
    sentences = [f"Satz Nummer {i} sagt etwas Wichtiges über die Regel." for i in range(1, 9)]
    absatz = " ".join(sentences)
    quoted = window(absatz, sentences[4], 160)
    assert sentences[4] in quoted and len(quoted) <= 160
    assert quoted.startswith(sentences[3]) or quoted.startswith(sentences[4])
    assert window("Kurz.", "Kurz.", 160) == "Kurz."
