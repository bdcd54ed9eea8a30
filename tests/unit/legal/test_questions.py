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
