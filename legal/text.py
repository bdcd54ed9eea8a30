"""Sentences and Absätze of German legal text, and the units a reader quotes.

A rule is stated in one sentence, and a Sachbearbeiterin checks it in its Absatz: "§ 5 Abs. 1 —
Die Steuer beträgt im Kalenderjahr für jeden Hund 165,00 €." So a passage is read as sentences,
each kept with the Absatz it stands in. Three shapes occur besides prose:
- Absatz markers "(1)", "(2)" open an Absatz; numbered lists and tables after "… folgende:"
  belong to the Absatz they continue;
- list items ("1. Familienname,", "a) bei Regenwassernutzung …", "- bis 1,20 m Höhe: 14 cm")
  are read one by one, since an item often is the rule asked for;
- fee tables (Gebührenverzeichnisse) are read row by row: "| 14.1 | Kirchenaustritt | 35,00 € |".
  Chunking may have flattened a table onto one line, so a row is found by its number cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ABBREVIATIONS = {
    "abs", "nr", "art", "s", "bzw", "vgl", "z", "b", "u", "a", "d", "h", "ggf", "gem", "i", "v",
    "buchst", "lfd", "ca", "dr", "st", "str", "usw", "etc", "sog", "f", "ff", "anl", "bgbl",
    "gvbl", "ziff", "abschn", "kap", "bzgl", "evtl", "inkl", "max", "min", "mind", "rd", "tel",
    "o", "m", "e", "ua", "zb", "dh", "geb", "hrsg", "jh", "allg", "aufl", "bd", "eur", "std",
}
_BLANK_LINE = re.compile(r"\n\s*\n")
_BOUNDARY = re.compile(r"(?<=[.!?;:])\s+(?=[\"„(§A-ZÄÖÜ0-9])")
_LAST_WORD = re.compile(r"(\S+)[.!?;:]$")
ABSATZ_START = re.compile(r"^\s*(?:\*\*)?\((\d+[a-z]?)\)(?:\*\*)?\s")
_LIST_ITEM = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[a-z]{1,2}\)|[-–•*])\s+\S")
_ROW_NUMBER = re.compile(r"^\s*(?:\*\*)?\d+(?:\.\d+)*\.?(?:\*\*)?\s*$")
_TABLE_CELLS = 3  # a line with this many "|" is a table


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


def flatten(text: str) -> str:
    """One line, single spaces, Markdown emphasis removed: how passages are quoted."""
    return " ".join(text.replace("**", "").replace("__", "").replace("<br>", " ").split())


def paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs of a chunk, flattened, empty ones dropped."""
    return [flat for part in _BLANK_LINE.split(text) if (flat := flatten(part))]


def blocks(text: str) -> list[str]:
    """Blank-line separated blocks of a chunk, flattened, empty ones dropped; a block of
    list items on consecutive lines ("1. …\n2. …") gives one block per item."""
    found: list[str] = []
    for block in _BLANK_LINE.split(text):
        lines = [line for line in block.splitlines() if line.strip()]
        if sum(1 for line in lines if _LIST_ITEM.match(line)) >= 2 and not any(
                _is_table(line) for line in lines):
            items: list[list[str]] = []
            for line in lines:
                if _LIST_ITEM.match(line) or not items:
                    items.append([])
                items[-1].append(line)
            found.extend(flat for item in items if (flat := flatten("\n".join(item))))
        elif flat := flatten(block):
            found.append(flat)
    return found


@dataclass(frozen=True)
class ReadingUnit:
    """One sentence (list item, table row) of a passage, with the Absatz it stands in."""

    sentence: str
    absatz: str
    absatz_index: int  # position of the Absatz within the passage
    absatz_number: str | None  # "2" for an Absatz opened by "(2)"; None when unknown


def table_rows(line: str) -> list[str]:
    """The rows of a table line, each as "| 14.1 | … | 35,00 € |"; a flattened table is cut
    before every cell that holds only a row number."""
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    rows: list[list[str]] = []
    for cell in cells:
        if not rows or (_ROW_NUMBER.match(cell) and any(rows[-1])):
            rows.append([])
        rows[-1].append(cell)
    return ["| " + " | ".join(c for c in row if c) + " |" for row in rows if any(row)]


def _is_table(block: str) -> bool:
    return block.count("|") >= _TABLE_CELLS


def _absaetze(text: str) -> list[tuple[str | None, list[str]]]:
    """Blocks grouped into Absätze: a marker "(n)" opens one, which runs until the next marker
    (lists, tables and further sentences belong to it); text without markers forms one Absatz
    per block."""
    groups: list[tuple[str | None, list[str]]] = []
    for block in blocks(text):
        opened = ABSATZ_START.match(block)
        continues = bool(groups) and groups[-1][0] is not None and not opened
        if continues:
            groups[-1][1].append(block)
        else:
            groups.append((opened.group(1) if opened else None, [block]))
    return groups


def absatz_numbers(text: str) -> set[str]:
    """The numbers of the Absätze a text opens ("(2) Die Steuer …" -> {"2"})."""
    return {found.group(1) for line in text.splitlines() if (found := ABSATZ_START.match(line))}


_FEE_ROW = re.compile(r"(?<=\d,\d\d)\s+(?=\d{1,3}(?:\s?[a-z])?\s+[A-ZÄÖÜ])")
_FEE_ROWS_MIN = 3


def fee_rows(block: str) -> list[str]:
    """A fee table whose columns a PDF flattened into one line ("… 30,00 15 Zustimmung zur
    Verlegung … 50,00 16 Bescheinigungen …"): cut before each row number that follows an
    amount. Fewer than three such cuts: not such a table, the block stays whole."""
    parts = _FEE_ROW.split(block)
    return parts if len(parts) > _FEE_ROWS_MIN else [block]


def reading_units(text: str) -> list[ReadingUnit]:
    """Every sentence, list item and table row of a passage, each with its Absatz; table rows
    are their own Absatz (a whole fee table is no quotable Absatz)."""
    units: list[ReadingUnit] = []
    for index, (number, group) in enumerate(_absaetze(text)):
        absatz = " ".join(b for b in group if not _is_table(b))
        for block in group:
            if _is_table(block):
                units.extend(ReadingUnit(row, row, index, number) for row in table_rows(block))
            elif _LIST_ITEM.match(block) and len(block) < 400:
                units.append(ReadingUnit(block, absatz, index, number))
            elif len(rows := fee_rows(block)) > 1:
                units.extend(ReadingUnit(row, row, index, number) for row in rows)
            else:
                units.extend(ReadingUnit(s.strip(), absatz, index, number)
                             for s in split_sentences(block) if s.strip())
    return units


def window(absatz: str, sentence: str, max_chars: int) -> str:
    """The Absatz when it is short enough, else the sentence with its neighbours in the Absatz
    up to `max_chars` (whole sentences, the sentence itself always kept)."""
    if len(absatz) <= max_chars or sentence not in absatz:
        return absatz if len(absatz) <= max_chars else sentence
    parts = [s.strip() for s in split_sentences(absatz) if s.strip()]
    at = next((i for i, p in enumerate(parts) if sentence in p or p in sentence), None)
    if at is None:
        return sentence
    lo, hi, size = at, at + 1, len(parts[at])
    while True:
        grown = False
        for side in ("before", "after"):
            if side == "before" and lo > 0 and size + len(parts[lo - 1]) + 1 <= max_chars:
                lo, size, grown = lo - 1, size + len(parts[lo - 1]) + 1, True
            elif side == "after" and hi < len(parts) and size + len(parts[hi]) + 1 <= max_chars:
                hi, size, grown = hi + 1, size + len(parts[hi]) + 1, True
        if not grown:
            return " ".join(parts[lo:hi])


MIN_WORDS = 3  # "1. Familienname," or a table's group header "| 14. | Standesamt |" states no rule


def readable_units(text: str) -> list[ReadingUnit]:
    """The reading units worth reading: at least MIN_WORDS words, each sentence text once."""
    found: list[ReadingUnit] = []
    seen: set[str] = set()
    for unit in reading_units(text):
        words = sum(1 for w in unit.sentence.split() if any(ch.isalpha() for ch in w))
        if words >= MIN_WORDS and unit.sentence not in seen:
            seen.add(unit.sentence)
            found.append(unit)
    return found
