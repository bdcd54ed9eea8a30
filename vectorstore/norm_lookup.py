"""Resolve a named norm ("§ 17 BMG", "Paragraph 3 der Hundesteuersatzung") to its chunks."""

from __future__ import annotations

import re
from collections.abc import Sequence

from legal.references import NormReference, section_matches, title_abbreviation
from legal.text import absatz_numbers
from vectorstore.filters import RetrievalFilter
from vectorstore.lexical.chunk_mirror import ChunkMirror
from vectorstore.lexical.german import GermanAnalyzer

_GENERIC = {"satzung", "gesetz", "verordnung", "ordnung", "gemeind", "bund", "recht"}
MAX_CHUNKS_PER_REFERENCE = 3


class NormLookup:
    """Finds the chunks of a § in the document the question names (or in likely documents)."""

    def __init__(self, mirror: ChunkMirror, analyzer: GermanAnalyzer) -> None:
        self.mirror = mirror
        self.analyzer = analyzer

    def _catalog(self, flt: RetrievalFilter) -> list[tuple[str, str, str]]:
        """(doc, title, abbreviation) of every document the filter allows."""
        out = []
        for entry in self.mirror.catalog(flt):
            abbr = entry.abbreviation or title_abbreviation(entry.title) or ""
            out.append((entry.doc, entry.title, abbr))
        return out

    def documents_for(self, law: str, flt: RetrievalFilter) -> list[str]:
        """Docs whose abbreviation equals `law`, else those sharing the most specific terms."""
        catalog = self._catalog(flt)
        wanted = law.replace(" ", "").upper()
        exact = [doc for doc, _, abbr in catalog
                 if abbr and abbr.replace(" ", "").upper() == wanted]
        if exact:
            return exact
        analyzer = self.analyzer
        law_terms = set(analyzer.terms(law)) - _GENERIC
        if not law_terms:
            return []
        best, best_docs = 0, []
        for doc, title, abbr in catalog:
            name = re.sub(r"[_-]", " ", doc.rsplit(".", 1)[0])
            overlap = len(law_terms & set(analyzer.terms(f"{name} {title} {abbr}")))
            if overlap > best:
                best, best_docs = overlap, [doc]
            elif overlap == best and overlap:
                best_docs.append(doc)
        return best_docs

    def chunk_ids(self, ref: NormReference, docs: Sequence[str]) -> list[str]:
        if not docs:
            return []
        hits = [r for r in self.mirror.section_chunks(docs) if section_matches(r.section, ref)]
        hits.sort(key=lambda r: (docs.index(r.doc), r.position))
        if ref.absatz:  # the chunk holding "(2)" first
            hits.sort(key=lambda r: 0 if ref.absatz in absatz_numbers(r.text) else 1)
        per_doc: dict[str, int] = {}
        chosen = []
        for hit in hits:
            if per_doc.get(hit.doc, 0) < MAX_CHUNKS_PER_REFERENCE:
                per_doc[hit.doc] = per_doc.get(hit.doc, 0) + 1
                chosen.append(hit.id)
        return chosen
