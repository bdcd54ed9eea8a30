"""The hierarchy of norms: where a document stands, from its type.

Federal law overrides state law, state law overrides a Kommune's Satzung or Verordnung, and a
Dienstanweisung binds only the administration; use-case blueprints are no norms at all. The
level is derived from the document type (`type` in front matter, else `ingest.doc_type_rules`).
"""

from __future__ import annotations

LEVELS = (  # rank 1 is the highest
    ("Bundesrecht", ("bundesrecht", "bundesgesetz", "gesetz")),
    ("Landesrecht", ("landesrecht", "landesgesetz")),
    ("Satzung/Verordnung der Kommune", ("satzung", "verordnung", "polizeiverordnung",
                                        "ortsrecht")),
    ("Dienstanweisung", ("dienstanweisung", "richtlinie", "dienstvereinbarung")),
    ("Blaupause", ("blaupause",)),
)
OTHER = "Sonstiges"


def level(doc_type: str | None) -> tuple[int, str]:
    """(rank, German label); unknown types rank below every norm."""
    kind = (doc_type or "").strip().lower()
    for rank, (label, kinds) in enumerate(LEVELS, start=1):
        if kind in kinds:
            return rank, label
    return len(LEVELS) + 1, OTHER


def rank_of(label: str | None) -> int:
    """The rank of a level's German label (as citations carry it); unknown labels rank last."""
    for rank, (name, _kinds) in enumerate(LEVELS, start=1):
        if name == label:
            return rank
    return len(LEVELS) + 1
