"""Compact numbered excerpts for the model: the top sources cut to their relevant Absätze.

On two CPU cores prompt evaluation is the cost of an answer (about 2.7 s per 100 tokens for the
1.5B model), so the model reads only the Absätze that best match the question, within a
character budget, not whole chunks. Which Absätze: the embedding model decides (a question's
paraphrase rarely shares words with the rule it asks about: "bestätigen, dass die Anmeldung
eingegangen ist" vs. "bescheinigt … den Empfang der Anzeige"); shared question terms only break
ties, and without an embedder they decide alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.citations import Citation
from ingest.sentences import split_sentences
from vectorstore.results import SearchResult

Terms = Callable[[str], list[str]]
Similarity = Callable[[str, list[str]], list[float]]  # query, passages -> cosine each
PIECE_CHARS = 450  # longer Absätze are cut into groups of sentences of about this size


@dataclass(frozen=True)
class Excerpt:
    n: int
    source: SearchResult
    pieces: tuple[str, ...]  # verbatim Absätze (or sentence groups) of the source, in order

    @property
    def text(self) -> str:
        return " … ".join(self.pieces)

    def to_prompt(self) -> dict[str, Any]:
        s = self.source
        return {"n": self.n, "title": s.title or s.doc, "section": s.section, "page": s.page,
                "text": self.text, "quote": self.text}

    def citation(self, claim: str = "", terms: Terms | None = None) -> Citation:
        """Quote the piece that carries `claim` (most shared terms), verbatim and whole."""
        quote = self.pieces[0]
        if claim and terms is not None and len(self.pieces) > 1:
            wanted = set(terms(claim))
            quote = max(self.pieces, key=lambda p: len(wanted & set(terms(p))))
        s = self.source
        return Citation.of(self.n, s, quote)


def pieces_of(text: str) -> list[str]:
    """A chunk's Absätze, each flattened; a long one as groups of whole sentences."""
    pieces: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        flat = " ".join(block.replace("**", "").replace("__", "").split())
        if not flat:
            continue
        if len(flat) <= PIECE_CHARS:
            pieces.append(flat)
            continue
        group = ""
        for sentence in split_sentences(flat):
            sentence = sentence.strip()
            if group and len(group) + len(sentence) + 1 > PIECE_CHARS:
                pieces.append(group)
                group = ""
            group = f"{group} {sentence}".strip()
        if group:
            pieces.append(group)
    return pieces


def build_excerpts(question: str, sources: Sequence[SearchResult], terms: Terms, *,
                   budget_chars: int, max_excerpts: int,
                   similarity: Similarity | None = None) -> list[Excerpt]:
    """The best pieces of the first `max_excerpts` sources within `budget_chars`.

    Pieces are taken best first (the top source's best piece always), then shown in document
    order per source; a source none of whose pieces made it is left out, so the numbers [n]
    stay those of the sources."""
    chosen = list(sources[:max_excerpts])
    candidates = [(rank, i, piece) for rank, source in enumerate(chosen)
                  for i, piece in enumerate(pieces_of(source.text))]
    if not candidates:
        return []
    wanted = set(terms(question))
    overlap = [len(wanted & set(terms(p))) / (len(wanted) or 1) for _, _, p in candidates]
    dense = similarity(question, [p for _, _, p in candidates]) if similarity else [0.0] * len(
        candidates)
    order = sorted(range(len(candidates)),
                   key=lambda j: (dense[j] + 0.05 * overlap[j] - 0.01 * candidates[j][0]),
                   reverse=True)
    top_of_first = next(j for j in order if candidates[j][0] == 0) if any(
        c[0] == 0 for c in candidates) else order[0]
    picked: list[int] = [top_of_first]
    used = len(candidates[top_of_first][2])
    for j in order:
        size = len(candidates[j][2])
        if j not in picked and used + size <= budget_chars:
            picked.append(j)
            used += size
    excerpts = []
    for rank, source in enumerate(chosen):
        mine = sorted((candidates[j][1], candidates[j][2]) for j in picked
                      if candidates[j][0] == rank)
        if mine:
            excerpts.append(Excerpt(rank + 1, source, tuple(piece for _, piece in mine)))
    return excerpts
