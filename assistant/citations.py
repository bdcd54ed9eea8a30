"""A numbered citation: document, §, page and the verbatim quote an answer rests on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Citation:
    n: int
    doc: str
    section: str | None
    page: int | None
    quote: str
    collection: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"n": self.n, "doc": self.doc, "section": self.section, "page": self.page,
                "quote": self.quote, "collection": self.collection}
