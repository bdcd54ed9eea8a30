"""German sentence splitting that respects legal abbreviations (Abs., Nr., z. B., §§ ...)."""

from __future__ import annotations

import re

_ABBREVIATIONS = {
    "abs", "nr", "art", "s", "bzw", "vgl", "z", "b", "u", "a", "d", "h", "ggf", "gem", "i", "v",
    "buchst", "lfd", "ca", "dr", "st", "str", "usw", "etc", "sog", "f", "ff", "anl", "bgbl",
    "gvbl", "ziff", "abschn", "kap", "bzgl", "evtl", "inkl", "max", "min", "mind", "rd", "tel",
    "o", "m", "e", "ua", "zb", "dh", "geb", "hrsg", "jh", "allg", "aufl", "bd", "eur", "std",
}
_BOUNDARY = re.compile(r"(?<=[.!?;:])\s+(?=[\"„(§A-ZÄÖÜ0-9])")
_LAST_WORD = re.compile(r"(\S+)[.!?;:]$")


def split_sentences(text: str) -> list[str]:
    """Split at sentence ends; never after an abbreviation or an ordinal number ("1. April")."""
    pieces: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        candidate = text[start:match.start()]
        last = _LAST_WORD.search(candidate)
        if last:
            word = last.group(1).lower().strip("(\"„")
            if candidate.endswith(".") and (word in _ABBREVIATIONS or word.isdigit()):
                continue
        pieces.append(text[start:match.end()])
        start = match.end()
    pieces.append(text[start:])
    return [p for p in pieces if p.strip()]
