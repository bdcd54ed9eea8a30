"""The retrieval result type every layer above the store speaks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from legal.levels import NormLevel


def source_label(doc: str, section: str | None, page: int | None) -> str:
    """"doc, § 5 Title, S. 3" — how a passage is named wherever it is cited."""
    return ", ".join(x for x in (doc, section or "", f"S. {page}" if page is not None else "") if x)


@dataclass
class SearchResult:
    """A retrieved chunk with everything a citation needs."""

    chunk_id: str
    doc: str
    title: str
    section: str | None
    page: int | None
    text: str
    score: float
    collection: str
    path: str
    metadata: dict[str, Any]
    dense_score: float | None = None  # cosine similarity, when the dense retriever found it
    keyword_score: float | None = None  # BM25, when the keyword index found it

    @classmethod
    def from_store(cls, chunk_id: str, text: str, meta: dict[str, Any], score: float
                   ) -> SearchResult:
        page = meta.get("page")
        return cls(
            chunk_id=chunk_id,
            doc=str(meta.get("doc", "")),
            title=str(meta.get("title", "")),
            section=meta.get("section") or None,
            page=int(page) if page is not None else None,
            text=text,
            score=float(score),
            collection=str(meta.get("collection", "")),
            path=str(meta.get("path", "")),
            metadata=meta,
        )

    def to_json(self) -> dict[str, Any]:
        """The `rathaus search --json` contract."""
        return {
            "doc": self.doc,
            "title": self.title,
            "section": self.section,
            "page": self.page,
            "text": self.text,
            "score": round(self.score, 6),
            # added in issue 15: the version's interval in force and the level of the norm
            "valid_from": self.metadata.get("valid_from") or None,
            "valid_to": self.metadata.get("valid_to") or None,
            "level": NormLevel.of(self.metadata.get("doc_type")).label,
        }
