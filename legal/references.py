"""Norm references, one grammar: "§ 17", "§§ 3a", "Art. 5", "Artikel 5", "Paragraph 3 der
Hundesteuersatzung", "§ 17 Abs. 2 Satz 1 BMG".

Ingest finds headings with it, retrieval resolves a named norm with it, the answer checks that
a cited § stands in the source, and comparing versions pairs sections by it. Every caller uses
the patterns and functions here, so a reference reads the same everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KIND = r"(?:§§?|\bArt(?:ikel|\.)?|\bParagra(?:ph|f)(?:en)?\b)"
NUMBER = r"\d{1,4}(?:\s?[a-z](?![a-zäöüß]))?(?![\w])"
REFERENCE = re.compile(rf"({KIND})\s*({NUMBER})", re.IGNORECASE)
_AT_START = re.compile(rf"^\s*{REFERENCE.pattern}", re.IGNORECASE)
_NUMBERING = re.compile(rf"^(?:{KIND}|Nr\.?)?\s*[\dIVX]+[a-z]?\.?\s*", re.IGNORECASE)
_DETAIL = re.compile(r"(?:\s*abs(?:atz|\.)?\s*(\d{1,3}))?(?:\s*(?:satz|s\.)\s*\d{1,3})?"
                     r"(?:\s*(?:nr\.?|nummer)\s*\d{1,3})?", re.IGNORECASE)
_LAW = re.compile(r"(?:\s+(?:der|des|dem|die|im|in|aus|nach|zur|zum)\b)*\s+[A-ZÄÖÜ][\wÄÖÜäöüß.-]*"
                  r"(?:\s+(?:XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)\b)?")
_ARTICLE = re.compile(r"^\s*(?:(?:der|des|dem|die|im|in|aus|nach|zur|zum)\s+)*", re.IGNORECASE)
_NOT_A_LAW = {"abs", "absatz", "satz", "nr", "und", "oder", "bis", "ff", "f"}
_TITLE_ABBREVIATION = re.compile(r"\(([A-ZÄÖÜ][\wÄÖÜäöü -]{1,15})\)")


def _kind(token: str) -> str:
    """"§", "§§", "Paragraph" -> "§"; "Art.", "Artikel", "Art" -> "Art."."""
    return "Art." if token.lower().startswith("art") else "§"


def _label(kind_token: str, number: str) -> str:
    return f"{_kind(kind_token)} {_compact(number)}"


def _compact(number: str) -> str:
    return re.sub(r"\s+", "", number)


@dataclass(frozen=True)
class NormReference:
    """A § / Art. a text names; `law` is the words that follow it, if any."""

    kind: str  # "§" or "Art."
    number: str  # "17", "23a"
    absatz: str | None
    law: str | None

    @property
    def label(self) -> str:
        return f"{self.kind} {self.number}"


def find_references(question: str) -> list[NormReference]:
    """Every § / Art. a question names, with Absatz and the law's name when given."""
    refs: list[NormReference] = []
    for match in REFERENCE.finditer(question):
        detail = _DETAIL.match(question, match.end())
        end = detail.end() if detail else match.end()
        law_match = _LAW.match(question, end)
        law = law_match.group(0) if law_match else None
        if law:
            law = _ARTICLE.sub("", law).strip(" .")
            if not law or law.lower() in _NOT_A_LAW or law[0].islower():
                law = None
        absatz = detail.group(1) if detail else None
        refs.append(NormReference(_kind(match.group(1)), _compact(match.group(2)),
                                  absatz, law))
    # "§ 5 und § 6 der Satzung": a law named later applies to the references before it
    for i in range(len(refs) - 2, -1, -1):
        if refs[i].law is None and refs[i + 1].law is not None:
            refs[i] = NormReference(refs[i].kind, refs[i].number, refs[i].absatz, refs[i + 1].law)
    return list(dict.fromkeys(refs))


def reference_labels(text: str) -> list[str]:
    """Every reference in a text as its label ("§ 17a", "Art. 5"), in order, repeats kept."""
    return [_label(m.group(1), m.group(2)) for m in REFERENCE.finditer(text)]


def heading_reference(heading: str | None) -> str | None:
    """The label of the reference a heading starts with: "§5 Höhe der Steuer" -> "§ 5"."""
    match = _AT_START.match(heading or "")
    return _label(match.group(1), match.group(2)) if match else None


def starts_with_reference(line: str) -> bool:
    """Whether a line opens with a § / Art. (a norm's heading in plain text)."""
    return heading_reference(line) is not None


def section_matches(section: str | None, ref: NormReference) -> bool:
    """'§ 17 Anmeldung, Abmeldung' matches § 17 (not § 170, not § 17a)."""
    return heading_reference(section) == ref.label


def strip_numbering(heading: str) -> str:
    """A heading without its number: "§ 3 Steuerpflicht" / "IV. Gebühren" -> the words."""
    return _NUMBERING.sub("", heading)


def title_abbreviation(title: str) -> str | None:
    """The abbreviation a law's title gives in parentheses: "Verwaltungs-Vollstreckungsgesetz
    (VwVG)" -> "VwVG", "… Sozialhilfe – (SGB 12)" -> "SGB 12"."""
    found = list(_TITLE_ABBREVIATION.finditer(title))
    if not found:
        return None
    trailing = found[-1].end() == len(title.rstrip())  # official titles end with it
    return (found[-1] if trailing else found[0]).group(1).strip()


def split_reference_heading(line: str) -> tuple[str, str] | None:
    """("§ 3", "Hundesteuer") for a line that opens with a reference (as written), else None."""
    match = _AT_START.match(line)
    if not match:
        return None
    return line[match.start(1):match.end()].strip(), line[match.end():].strip()
