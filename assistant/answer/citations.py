"""A numbered citation: document, §, page and the verbatim quote an answer rests on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from legal.levels import NormLevel
from vectorstore.results import SearchResult, source_label


@dataclass
class Citation:
    n: int
    doc: str
    section: str | None
    page: int | None
    quote: str
    collection: str = ""
    valid_from: str | None = None  # the version's interval in force (ISO; None: open)
    valid_to: str | None = None
    level: str = ""  # the hierarchy of norms (legal/levels.py)
    superseded_by: str | None = None  # the document of the next version, if any
    dated: str | None = None  # the Satzung's own date (front matter `datum`), if known
    sentence: str | None = None  # the sentence of the quote that answers (highlighted)
    absatz: str | None = None  # the Absatz number ("2" for "(2)") when the passage shows it

    @classmethod
    def of(cls, n: int, source: SearchResult, quote: str, *, sentence: str | None = None,
           absatz: str | None = None) -> Citation:
        """A citation of `source`, with the version and level its metadata carries."""
        meta = source.metadata
        return cls(n, source.doc, source.section, source.page, quote, source.collection,
                   meta.get("valid_from") or None, meta.get("valid_to") or None,
                   NormLevel.of(meta.get("doc_type")).label, meta.get("superseded_by") or None,
                   str(meta.get("datum") or "")[:10] or None,
                   sentence if sentence and sentence in quote else None, absatz)

    def parts(self) -> tuple[str, str, str]:
        """The quote as (before, answering sentence, after); ("", "", quote) without one."""
        if not self.sentence or self.sentence not in self.quote:
            return "", "", self.quote
        before, _, after = self.quote.partition(self.sentence)
        return before, self.sentence, after

    def label(self) -> str:
        """"doc, § 5 Steuersatz, Abs. 1, S. 3": where staff find the quote."""
        section = self.section or ""
        if self.absatz:
            section = f"{section}, Abs. {self.absatz}" if section else f"Abs. {self.absatz}"
        return source_label(self.doc, section or None, self.page)

    def version_label(self) -> str:
        """"gültig ab 01.01.2024" / "gültig 01.01.2019–31.12.2023" ("" without dates)."""
        start, end = (_german(self.valid_from), _german(self.valid_to))
        dated = f"Fassung vom {_german(self.dated)}, " if _german(self.dated) else ""
        if start and end:
            return f"{dated}gültig {start}–{end}"
        if start:
            return f"{dated}gültig ab {start}"
        return f"{dated}gültig bis {end}" if end else dated.rstrip(", ")

    def to_json(self) -> dict[str, Any]:
        return {"n": self.n, "doc": self.doc, "section": self.section, "page": self.page,
                "quote": self.quote, "collection": self.collection,
                "valid_from": self.valid_from, "valid_to": self.valid_to, "level": self.level,
                "superseded_by": self.superseded_by, "dated": self.dated,
                "sentence": self.sentence, "absatz": self.absatz}


def _german(iso: str | None) -> str:
    return f"{iso[8:10]}.{iso[5:7]}.{iso[:4]}" if iso and len(iso) >= 10 else ""
