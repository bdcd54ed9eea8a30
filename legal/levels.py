"""The hierarchy of norms: where a document stands, from its type.

Federal law overrides state law, state law overrides a Kommune's Satzung or Verordnung, and a
Dienstanweisung binds only the administration; use-case blueprints are no norms at all. The
level is derived from the document type (`type` in front matter, else `ingest.doc_type_rules`),
here and nowhere else: answers order sources by it, conflicts compare across it, and the place
scope asks it whether a document is bound to one Gemeinde.
"""

from __future__ import annotations

from enum import IntEnum

UNKNOWN_DOC_TYPE = "Sonstiges"  # what ingestion records when neither front matter nor a rule says


class NormLevel(IntEnum):
    """Rank 1 is the highest; unknown types rank below every norm."""

    BUNDESRECHT = 1
    LANDESRECHT = 2
    ORTSRECHT = 3
    DIENSTANWEISUNG = 4
    BLAUPAUSE = 5
    SONSTIGES = 6

    @property
    def label(self) -> str:
        """The German label citations and the UI show."""
        return _LABELS[self]

    @property
    def is_norm(self) -> bool:
        """Blueprints and unknown documents are no norms: they contradict nothing."""
        return self <= NormLevel.DIENSTANWEISUNG

    @property
    def place_bound(self) -> bool:
        """Federal and state law apply in every Gemeinde; everything else may be one
        Gemeinde's own."""
        return self > NormLevel.LANDESRECHT

    @classmethod
    def of(cls, doc_type: str | None) -> NormLevel:
        return _BY_DOC_TYPE.get((doc_type or "").strip().lower(), cls.SONSTIGES)

    @classmethod
    def from_label(cls, label: str | None) -> NormLevel:
        """The level a citation's label names; unknown labels rank last."""
        return next((level for level in cls if level.label == label), cls.SONSTIGES)


_LABELS = {
    NormLevel.BUNDESRECHT: "Bundesrecht",
    NormLevel.LANDESRECHT: "Landesrecht",
    NormLevel.ORTSRECHT: "Satzung/Verordnung der Kommune",
    NormLevel.DIENSTANWEISUNG: "Dienstanweisung",
    NormLevel.BLAUPAUSE: "Blaupause",
    NormLevel.SONSTIGES: UNKNOWN_DOC_TYPE,
}
_DOC_TYPES = {
    NormLevel.BUNDESRECHT: ("bundesrecht", "bundesgesetz", "gesetz"),
    NormLevel.LANDESRECHT: ("landesrecht", "landesgesetz"),
    NormLevel.ORTSRECHT: ("satzung", "verordnung", "polizeiverordnung", "ortsrecht"),
    NormLevel.DIENSTANWEISUNG: ("dienstanweisung", "richtlinie", "dienstvereinbarung"),
    NormLevel.BLAUPAUSE: ("blaupause",),
}
_BY_DOC_TYPE = {kind: level for level, kinds in _DOC_TYPES.items() for kind in kinds}


def canonical_doc_type(value: str) -> str:
    """A known type in its usual spelling ("satzung" -> "Satzung"), so filters by type match
    however front matter wrote it; unknown types as written."""
    value = value.strip()
    return value[:1].upper() + value[1:].lower() if value.lower() in _BY_DOC_TYPE else value
