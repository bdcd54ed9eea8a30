"""Recognise norm references in questions: "§ 17 BMG", "§17 Abs. 2", "Paragraph 3 der
Hundesteuersatzung", "Art. 5". A named norm should be retrieved directly, not guessed at."""

from __future__ import annotations

import re
from dataclasses import dataclass

_REF = re.compile(
    r"(?:§§?|\bparagra(?:ph|f)(?:en)?\b|\bart(?:ikel|\.)?)\s*(\d{1,4}[a-z]?)(?!\w)"
    r"(?:\s*(?:abs(?:atz|\.)?)\s*(\d{1,3}))?"
    r"(?:\s*(?:satz|s\.)\s*\d{1,3})?"
    r"(?:\s*(?:nr\.?|nummer)\s*\d{1,3})?"
    r"(?P<law>(?:\s+(?:der|des|dem|die|im|in|aus|nach|zur|zum)\b)*\s+[A-ZÄÖÜ][\wÄÖÜäöüß.-]*"
    r"(?:\s+(?:XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)\b)?)?",
    re.IGNORECASE,
)
_ARTICLE = re.compile(r"^\s*(?:(?:der|des|dem|die|im|in|aus|nach|zur|zum)\s+)*", re.IGNORECASE)
_NOT_A_LAW = {"abs", "absatz", "satz", "nr", "und", "oder", "bis", "ff", "f"}


@dataclass(frozen=True)
class NormReference:
    """A § / Art. the question names; `law` is the words that follow it, if any."""

    kind: str  # "§" or "Art."
    number: str  # "17", "23a"
    absatz: str | None
    law: str | None

    @property
    def label(self) -> str:
        return f"{self.kind} {self.number}"


def find_references(question: str) -> list[NormReference]:
    refs: list[NormReference] = []
    for match in _REF.finditer(question):
        token = match.group(0).lstrip().lower()
        kind = "Art." if token.startswith("art") else "§"
        number = match.group(1).replace(" ", "")
        law = match.group("law")
        if law:
            law = _ARTICLE.sub("", law).strip(" .")
            if not law or law.lower() in _NOT_A_LAW or law[0].islower():
                law = None
        refs.append(NormReference(kind, number, match.group(2), law))
    # "§ 5 und § 6 der Satzung": a law named later applies to the references before it
    for i in range(len(refs) - 2, -1, -1):
        if refs[i].law is None and refs[i + 1].law is not None:
            refs[i] = NormReference(refs[i].kind, refs[i].number, refs[i].absatz, refs[i + 1].law)
    return list(dict.fromkeys(refs))


def section_matches(section: str | None, ref: NormReference) -> bool:
    """'§ 17 Anmeldung, Abmeldung' matches § 17 (not § 170, not § 17a)."""
    if not section:
        return False
    pattern = rf"^\s*{re.escape(ref.kind)}\s*{re.escape(ref.number)}(?![\w])"
    if ref.kind == "Art.":
        pattern = rf"^\s*Art(?:ikel|\.)?\s*{re.escape(ref.number)}(?![\w])"
    return re.match(pattern, section, re.IGNORECASE) is not None
