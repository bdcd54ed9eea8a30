"""Uploaded file names cannot climb out of the uploads folder or disguise their type."""

from __future__ import annotations

import pytest

from assistant.operations.documents import MAX_NAME_CHARS, safe_upload_name


@pytest.mark.parametrize(("given", "stored"), [
    ("../../x.md", "x.md"),
    ("/etc/passwd", "passwd"),
    ("C:\\Windows\\system.ini", "system.ini"),
    ("a\x00b.md", "ab.md"),
    ("rechnung\u202efdp.md", "rechnungfdp.md"),
    ("..", "upload"),
    (".bashrc", "bashrc"),
    ("Satzung über Gebühren.pdf", "Satzung über Gebühren.pdf"),
])
def test_hostile_names_are_made_safe(given: str, stored: str) -> None:
    assert safe_upload_name(given) == stored


def test_long_names_keep_their_extension() -> None:
    name = safe_upload_name("ä" * 300 + ".pdf")
    assert len(name) == MAX_NAME_CHARS and name.endswith(".pdf")
