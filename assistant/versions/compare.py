"""What changed between two versions of a norm, § by §, in plain German.

`rathaus compare NORM --from DATE --to DATE` picks the version in force on each day and lines
their sections up by their number (§ 5, Art. 3) or heading: sections added, removed, and
changed — with the figures that changed (amounts, times, lengths, shares, periods) named
old → new.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from core.errors import AssistantError
from ingest.manifest import INDEXED, DocumentRecord
from legal.dates import german, parse_date
from legal.figures import FigureKind, find_figures
from legal.references import heading_reference

SectionChunks = Callable[[Sequence[str]], list[tuple[str, str, str | None, int, str]]]
PREAMBLE = "Vorspann"


@dataclass
class SectionChange:
    section: str
    change: str  # "neu" | "entfallen" | "geändert"
    figures: list[tuple[str, str]] = field(default_factory=list)  # (old, new); "" = none

    def line(self) -> str:
        if self.change != "geändert":
            return f"{self.section}: {self.change}"
        if not self.figures:
            return f"{self.section}: Wortlaut geändert (keine Zahlen betroffen)"
        named = "; ".join(f"{old or '–'} → {new or '–'}" for old, new in self.figures)
        return f"{self.section}: geändert – {named}"


@dataclass
class Comparison:
    norm: str
    old: DocumentRecord
    new: DocumentRecord
    changes: list[SectionChange]
    unchanged: list[str]

    def lines(self) -> list[str]:
        head = (f"{version_label(self.old)} → {version_label(self.new)}"
                if self.old.path != self.new.path
                else f"Beide Tage fallen in dieselbe Fassung: {version_label(self.old)}")
        body = [change.line() for change in self.changes]
        if self.old.path != self.new.path and not body:
            body = ["Keine inhaltlichen Änderungen gefunden."]
        tail = [f"Unverändert: {', '.join(self.unchanged)}"] if self.unchanged else []
        return [head, *body, *tail]

    def to_json(self) -> dict[str, Any]:
        return {"norm": self.norm,
                "from": _version_json(self.old), "to": _version_json(self.new),
                "changes": [{"section": c.section, "change": c.change,
                             "figures": [{"old": o, "new": n} for o, n in c.figures]}
                            for c in self.changes],
                "unchanged": self.unchanged}


def version_label(record: DocumentRecord) -> str:
    start, end = parse_date(record.effective_from), parse_date(record.effective_to)
    span = (f"gültig {german(start)}–{german(end)}" if start and end
            else f"gültig ab {german(start)}" if start else "ohne Datum")
    return f"Fassung {span} ({record.doc})"


def _version_json(record: DocumentRecord) -> dict[str, Any]:
    return {"doc": record.doc, "valid_from": record.effective_from,
            "valid_to": record.effective_to}


def section_key(heading: str | None) -> str:
    """"§ 5 Steuersatz" and "§5 Höhe der Steuer" are the same section; no heading: preamble."""
    if not heading:
        return PREAMBLE
    return heading_reference(heading) or heading.strip()


def figure_changes(old: str, new: str) -> list[tuple[str, str]]:
    """Figures of the old text that are not in the new one, paired in order with those new."""
    def figures(text: str) -> list[str]:  # a Satzung's dates of decision are no rules
        return [" ".join(f.text.split()) for f in find_figures(text, counts=False)
                if f.kind is not FigureKind.DATE]

    before, after = figures(old), figures(new)
    gone = [f for f in before if f not in after]
    came = [f for f in after if f not in before]
    width = max(len(gone), len(came))
    pairs = [(gone[i] if i < len(gone) else "", came[i] if i < len(came) else "")
             for i in range(width)]
    return list(dict.fromkeys(pairs))  # a rate named twice is one change


class VersionComparer:
    """Finds the versions of a norm in the manifest and their text in the chunk mirror."""

    def __init__(self, records: Callable[[], list[DocumentRecord]],
                 section_chunks: SectionChunks) -> None:
        self.records = records
        self.section_chunks = section_chunks

    def versions(self, norm: str, readable: Collection[str] | None = None
                 ) -> list[DocumentRecord]:
        """The versions of the norm named by its `norm_id`, or by a file name or path of any
        of its versions; oldest first. `readable` limits them to a user's collections (None:
        all, the operator)."""
        indexed = [r for r in self.records() if r.status == INDEXED and r.norm_key
                   and (readable is None or r.collection in readable)]
        wanted = norm.strip().lower()
        keys = {r.norm_key for r in indexed
                if r.norm_key in (f"id:{wanted}", wanted) or r.doc.lower() == wanted
                or r.path == norm or Path(r.path).stem.lower() == wanted}
        if len(keys) != 1:
            known = sorted({r.norm_key.removeprefix("id:") for r in indexed
                            if r.norm_key.startswith("id:")} | {r.doc for r in indexed})
            raise AssistantError(
                f"Keine eindeutige Norm „{norm}“ mit mehreren Fassungen gefunden (bekannt: "
                f"{', '.join(known) or 'keine'})", f"no versioned norm {norm!r}")
        key = keys.pop()
        return sorted((r for r in indexed if r.norm_key == key),
                      key=lambda r: (r.effective_from or "", r.path))

    @staticmethod
    def in_force(versions: list[DocumentRecord], day: date) -> DocumentRecord:
        for record in versions:
            start, end = parse_date(record.effective_from), parse_date(record.effective_to)
            if (start is None or start <= day) and (end is None or day <= end):
                return record
        raise AssistantError(f"Am {german(day)} war keine Fassung in Kraft",
                             f"no version in force on {day}")

    def sections(self, record: DocumentRecord) -> dict[str, tuple[str, str]]:
        """Section key -> (heading, whole text), in document order."""
        rows = sorted(self.section_chunks([record.doc]), key=lambda r: r.position)
        text: dict[str, list[str]] = {}
        headings: dict[str, str] = {}
        for row in rows:
            key = section_key(row.section)
            text.setdefault(key, []).append(row.text)
            headings.setdefault(key, row.section or PREAMBLE)
        return {key: (headings[key], " ".join(" ".join(parts).split()))
                for key, parts in text.items()}

    def compare(self, norm: str, first: date, second: date,
                readable: Collection[str] | None = None) -> Comparison:
        versions = self.versions(norm, readable)
        old, new = self.in_force(versions, first), self.in_force(versions, second)
        before, after = self.sections(old), self.sections(new)
        changes, unchanged = [], []
        for key in list(dict.fromkeys([*before, *after])):
            if key == PREAMBLE:
                continue  # the preamble names dates and the council's decision, not rules
            heading = (after.get(key) or before[key])[0]
            if key not in after:
                changes.append(SectionChange(heading, "entfallen"))
            elif key not in before:
                changes.append(SectionChange(heading, "neu"))
            elif before[key][1] != after[key][1]:
                changes.append(SectionChange(heading, "geändert",
                                             figure_changes(before[key][1], after[key][1])))
            else:
                unchanged.append(key)
        return Comparison(norm, old, new, changes, unchanged)
