"""The answer protocol: parsing a model's reply into cited claims, and refusals."""

from __future__ import annotations

import pytest

from assistant.answer.protocol import REFUSAL_TOKEN, parse_answer

pytestmark = pytest.mark.unit


def test_sentences_keep_their_own_citations() -> None:
    parsed = parse_answer("Die Steuer beträgt 165,00 € [1]. Für einen Kampfhund sind es "
                          "900,00 € [1][2].", {1, 2, 3})
    assert not parsed.refused
    assert [(c.text, c.cited) for c in parsed.claims] == [
        ("Die Steuer beträgt 165,00 €.", [1]), ("Für einen Kampfhund sind es 900,00 €.", [1, 2])]


def test_citation_after_the_full_stop_belongs_to_the_sentence_before() -> None:
    parsed = parse_answer("Die Frist beträgt einen Monat. [2] Danach wird gemahnt. [3]", {2, 3})
    assert [c.cited for c in parsed.claims] == [[2], [3]]


def test_citations_of_missing_excerpts_are_dropped_and_reported() -> None:
    parsed = parse_answer("Die Gebühr beträgt 20 € [4]. Sie ist sofort fällig [1, 9].", {1, 2})
    assert [c.cited for c in parsed.claims] == [[], [1]]
    assert parsed.invalid_citations == [4, 9]


def test_written_out_excerpt_references_count_as_citations() -> None:
    parsed = parse_answer("Laut Auszug 2 beträgt die Ruhezeit 20 Jahre.", {1, 2})
    assert parsed.claims[0].cited == [2]


def test_refusal_token() -> None:
    assert parse_answer(REFUSAL_TOKEN, {1}).refused
    assert parse_answer(f"{REFUSAL_TOKEN}. Die Steuer beträgt 165 € [1].", {1}).refused
    assert parse_answer("keine angabe", {1}).refused
    assert parse_answer(f"Leider nein. {REFUSAL_TOKEN}", {1}).refused  # no claim left
    assert not parse_answer("Die Steuer beträgt 165 € [1].", {1}).refused
    mixed = parse_answer(f"Die Behörde bescheinigt den Empfang innerhalb dreier Tage [1]. Es "
                         f"ist {REFUSAL_TOKEN}, wie schnell die Gemeinde handelt.", {1})
    assert not mixed.refused and [c.cited for c in mixed.claims] == [[1]]


def test_fragments_and_bullets() -> None:
    parsed = parse_answer("- Die Anmeldung ist binnen zwei Wochen nötig [1].\n- Ja [1].", {1})
    assert [c.text for c in parsed.claims] == ["Die Anmeldung ist binnen zwei Wochen nötig."]
    assert parse_answer("", {1}).claims == []
