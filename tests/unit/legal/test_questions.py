"""A question told as a case: its interrogative clause, and no clause where there is no story."""

from __future__ import annotations

import pytest

from legal.questions import interrogative_clause

pytestmark = pytest.mark.unit


def test_the_clause_of_a_case_is_the_sentence_ending_in_a_question_mark() -> None:
    assert interrogative_clause(
        "Ein Bürger will eine Mulde auf den Bürgersteig stellen. Wie lange darf sie dort "
        "ohne Erlaubnis stehen?") == "Wie lange darf sie dort ohne Erlaubnis stehen?"
    assert interrogative_clause(
        "Bad Boll möchte ein Grundstück für 40.000 € kaufen. Kann der Bürgermeister das "
        "allein entscheiden? Wenn nicht, wer ist zuständig?") == (
        "Kann der Bürgermeister das allein entscheiden? Wenn nicht, wer ist zuständig?")


def test_a_question_without_a_story_has_no_clause_to_weight() -> None:
    assert interrogative_clause("Wie hoch ist die Hundesteuer für den zweiten Hund?") is None
    assert interrogative_clause("Hundesteuer Bad Boll") is None  # keywords, no question
    # an abbreviation is no sentence end: "Abs. 2" keeps the question whole
    assert interrogative_clause("Was gilt nach § 3 Abs. 2 der Satzung?") is None


def test_one_weighted_share_of_the_question_terms() -> None:
    from legal.questions import HOLDS_QUESTION, weight_of, weighted_share

    rarity = {"kampfhund": 3.0, "hundesteuer": 1.0, "höhe": 1.0}.__getitem__
    wanted = ["kampfhund", "hundesteuer", "höhe", "höhe"]
    assert weight_of(wanted, rarity) == 5.0  # each term counts once
    assert weighted_share(wanted, {"hundesteuer", "höhe", "satzung"}, rarity) == 0.4
    assert weighted_share(wanted, {"kampfhund"}, rarity) == 0.6 >= HOLDS_QUESTION
    assert weighted_share([], {"kampfhund"}, rarity) == 0.0


def test_what_a_question_asks_for_is_read_once() -> None:
    from legal.questions import Asked, asks_what_changed, topic_of

    assert Asked.of("Wie hoch ist die Hundesteuer?").figure
    assert Asked.of("Darf man Hunde mitnehmen?").yes_no
    assert not Asked.of("Wer zahlt die Steuer?").figure
    assert asks_what_changed("Was hat sich bei der Hundesteuer geändert?")
    assert topic_of("Was hat sich bei der Hundesteuer geändert?") == "Was bei der Hundesteuer"
