"""Typed text that JSON can carry but UTF-8 cannot store becomes harmless, the rest survives."""

from __future__ import annotations

import hashlib

import pytest

from assistant.user_text import clean


@pytest.mark.parametrize(("typed", "kept"), [
    ("\ud800 Wer muss räumen?", "\ufffd Wer muss räumen?"),
    ("Schnee\udcff", "Schnee\ufffd"),
    ("Wer\x00 muss\x1b räumen?\x7f", "Wer  muss  räumen? "),
    ("Zeile 1\nZeile 2\tTab\r\n", "Zeile 1\nZeile 2\tTab\r\n"),
    ("Straße 😀 § 3 Abs. 2", "Straße 😀 § 3 Abs. 2"),
])
def test_clean_keeps_what_a_person_means(typed: str, kept: str) -> None:
    assert clean(typed) == kept
    hashlib.sha256(clean(typed).encode("utf-8"))  # what the audit log does with it
