"""The hierarchy of norms in answers: order by level, and contradictions between levels."""

from __future__ import annotations

import re

from assistant.answer.citations import Citation
from assistant.answer.conflicts import ConflictFinder, by_level
from legal.figures import answer_types
from legal.questions import asks_what_changed, asks_yes_no, topic_of
from vectorstore.results import SearchResult

STOP = {"müssen", "werden", "sind", "wann", "nicht"}


def terms(text: str) -> list[str]:
    return [w[:6] for w in re.findall(r"[a-zäöüß]+", text.lower())
            if len(w) > 3 and w not in STOP]


def source(doc: str, doc_type: str, text: str) -> SearchResult:
    return SearchResult(f"{doc}#1", doc, doc, "§ 1", None, text, 1.0, "allgemein", doc,
                        {"doc_type": doc_type})


FINDER = ConflictFinder(terms, lambda _term: 1.0)
SATZUNG = source("satzung.md", "Satzung", "Die Gehwege müssen montags bis freitags bis "
                 "6.30 Uhr geräumt und gestreut sein. Die Pflicht endet um 21.00 Uhr.")
ANWEISUNG = source("anweisung.md", "Dienstanweisung", "Die Gehwege müssen montags bis "
                   "freitags bis 7.30 Uhr geräumt und gestreut sein.")
QUESTION = "Bis wann müssen die Gehwege montags bis freitags geräumt sein?"


def key(question: str) -> list[str]:
    return terms(question)


def test_two_levels_naming_different_times_contradict_each_other_higher_first() -> None:
    conflict = FINDER.find(answer_types(QUESTION), key(QUESTION), [ANWEISUNG, SATZUNG])
    assert conflict is not None
    first, second = conflict.citations()
    assert (first.doc, second.doc) == ("satzung.md", "anweisung.md")
    assert conflict.higher.figure == ("6.30", "uhr") and conflict.lower.figure == ("7.30", "uhr")
    text = conflict.text()
    assert text.startswith("Die Unterlagen widersprechen sich")
    assert text.index("6.30 Uhr") < text.index("7.30 Uhr")


def test_agreeing_levels_same_level_and_other_units_are_no_contradiction() -> None:
    agreeing = source("anweisung.md", "Dienstanweisung", "Die Gehwege müssen montags bis "
                      "freitags bis 6.30 Uhr geräumt sein.")
    assert FINDER.find(answer_types(QUESTION), key(QUESTION), [SATZUNG, agreeing]) is None
    other_satzung = source("andere.md", "Satzung", ANWEISUNG.text)
    assert FINDER.find(answer_types(QUESTION), key(QUESTION), [SATZUNG, other_satzung]) is None
    metres = source("anweisung.md", "Dienstanweisung", "Die Gehwege müssen montags bis "
                    "freitags auf 1,50 Meter geräumt sein.")
    assert FINDER.find(answer_types(QUESTION), key(QUESTION), [SATZUNG, metres]) is None
    off_topic = source("gesetz.md", "Bundesgesetz", "Die Frist beträgt 14 Tage.")
    assert FINDER.find(answer_types(QUESTION), key(QUESTION), [SATZUNG, off_topic]) is None


def test_opposite_yes_no_rules_contradict_each_other() -> None:
    question = "Sind Hunde im Innenbereich auf Gehwegen an der Leine zu führen?"
    rule = source("pvo.md", "Polizeiverordnung", "Im Innenbereich sind auf öffentlichen "
                  "Straßen und Gehwegen Hunde an der Leine zu führen.")
    exemption = source("da.md", "Dienstanweisung", "Im Innenbereich sind Hunde auf "
                       "Gehwegen nicht an der Leine zu führen.")
    conflict = FINDER.find(answer_types(question), key(question), [exemption, rule])
    assert conflict is not None and conflict.higher.source.doc == "pvo.md"
    assert (conflict.higher.negated, conflict.lower.negated) == (False, True)
    assert FINDER.find(answer_types(question), key(question), [rule, source(
        "da.md", "Dienstanweisung", "Im Innenbereich sind Hunde auf Gehwegen an der Leine zu "
        "führen.")]) is None
    assert FINDER.find(answer_types("Welche Regeln gelten für Hunde im Innenbereich?"),
                       key(question), [exemption, rule]) is None  # neither figure nor yes/no


def test_blueprints_contradict_no_norm() -> None:
    plan = source("blaupause.md", "blaupause", ANWEISUNG.text)
    assert FINDER.find(answer_types(QUESTION), key(QUESTION), [SATZUNG, plan]) is None


def test_citations_are_ordered_from_the_highest_level_down() -> None:
    def cite(n: int, level: str) -> Citation:
        return Citation(n, f"d{n}", None, None, "", level=level)

    ordered = by_level([cite(1, "Dienstanweisung"), cite(2, "Bundesrecht"),
                        cite(3, "Satzung/Verordnung der Kommune"), cite(4, "Bundesrecht")])
    assert [c.n for c in ordered] == [2, 4, 3, 1]


def test_question_kinds() -> None:
    assert asks_yes_no("Darf man Hunde mitnehmen?") and not asks_yes_no("Wer darf das?")
    for question in ("Was hat sich bei der Hundesteuer geändert?",
                     "Welche Änderungen gab es bei der Streupflichtsatzung?",
                     "Was ist neu in der Blaupause MapChat?",
                     "Was wurde 2024 an der Satzung geändert?"):
        assert asks_what_changed(question), question
    for question in ("Was galt vor der Änderung?", "Wie hoch ist die Hundesteuer?",
                     "Welche Gebühr ist neu festzusetzen?"):
        assert not asks_what_changed(question), question
    assert topic_of("Was hat sich bei der Hundesteuer geändert?") == "Was bei der Hundesteuer"
