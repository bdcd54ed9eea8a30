"""The hierarchy of norms, read from the document type in one place."""

from __future__ import annotations

import pytest

from legal.levels import UNKNOWN_DOC_TYPE, NormLevel, canonical_doc_type

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("doc_type", "level"), [
    ("Bundesrecht", NormLevel.BUNDESRECHT), ("Gesetz", NormLevel.BUNDESRECHT),
    ("landesgesetz", NormLevel.LANDESRECHT), ("Satzung", NormLevel.ORTSRECHT),
    ("Polizeiverordnung", NormLevel.ORTSRECHT), ("Dienstanweisung", NormLevel.DIENSTANWEISUNG),
    ("Blaupause", NormLevel.BLAUPAUSE), (None, NormLevel.SONSTIGES), ("Flyer", NormLevel.SONSTIGES),
])
def test_the_level_of_a_document_type(doc_type: str | None, level: NormLevel) -> None:
    assert NormLevel.of(doc_type) is level
    assert NormLevel.from_label(level.label) is level


def test_norms_places_and_spellings() -> None:
    assert [lvl.is_norm for lvl in NormLevel] == [True, True, True, True, False, False]
    assert [lvl.place_bound for lvl in NormLevel] == [False, False, True, True, True, True]
    assert sorted([NormLevel.SONSTIGES, NormLevel.BUNDESRECHT])[0] is NormLevel.BUNDESRECHT
    assert NormLevel.from_label("Stadtratsbeschluss") is NormLevel.SONSTIGES
    assert canonical_doc_type(" satzung") == "Satzung"
    assert canonical_doc_type("BLAUPAUSE") == "Blaupause"
    assert canonical_doc_type("Flyer der Gemeinde") == "Flyer der Gemeinde"
    assert NormLevel.SONSTIGES.label == UNKNOWN_DOC_TYPE
