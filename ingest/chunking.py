"""Chunk German legal text along its structure, budgeted in embedding-model tokens.

Order of preference: one § per chunk; a long § split at Absatz markers `(1)`, `(2)` (consecutive
Absätze packed together while they fit); a long Absatz at sentences; an over-long sentence at
words. Nothing is ever truncated by the embedding model, because every chunk — including its
context prefix — is measured with the model's own tokenizer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ingest.documents import Chunk, LoadedDocument
from ingest.structure import Line, Section, is_rule, parse_sections
from legal.text import ABSATZ_START, split_sentences

TokenCounter = Callable[[Sequence[str]], list[int]]
"""Counts model tokens (without special tokens) for each text."""

SPECIAL_TOKENS = 2  # [CLS] and [SEP]
CONTEXT_HEADINGS = 2  # how many innermost headings go into the embedded prefix


@dataclass
class _Unit:
    """A piece of a section that is never split further unless it alone exceeds the budget."""

    text: str
    page: int | None
    tokens: int = 0


def _blocks(lines: list[Line]) -> list[_Unit]:
    """Blank-line separated blocks; continuation blocks (lists, tables) join their Absatz."""
    units: list[_Unit] = []
    current: list[Line] = []

    def flush() -> None:
        if not current:
            return
        text = "\n".join(ln.text.rstrip() for ln in current).strip("\n")
        starts_absatz = bool(ABSATZ_START.match(current[0].text))
        if units and not starts_absatz and ABSATZ_START.match(units[-1].text):
            # lists and tables after "(2) ... folgende:" belong to that Absatz
            units[-1].text += "\n\n" + text
        else:
            units.append(_Unit(text, current[0].page))
        current.clear()

    for line in lines:
        if line.text.strip() and not is_rule(line.text):
            current.append(line)
        else:
            flush()
    flush()
    return units


class LegalChunker:
    """Turns a `LoadedDocument` into `Chunk`s that fit the embedding model."""

    def __init__(
        self,
        count_tokens: TokenCounter,
        max_tokens: int,
        skip_headings: Sequence[str] = (),
    ) -> None:
        if max_tokens < 32:
            raise ValueError("max_tokens must be at least 32")
        self.count_tokens = count_tokens
        self.max_tokens = max_tokens
        self.skip_headings = {h.lower() for h in skip_headings}

    def chunk(self, doc: LoadedDocument) -> list[Chunk]:
        lines = [Line(text, page.page) for page in doc.pages for text in page.text.splitlines()]
        chunks: list[Chunk] = []
        for section in parse_sections(lines, doc.title, self.skip_headings):
            chunks.extend(self._chunk_section(doc.title, section, start=len(chunks)))
        return chunks

    def _chunk_section(self, title: str, section: Section, start: int) -> list[Chunk]:
        headings = section.heading_path[-CONTEXT_HEADINGS:]
        probe = Chunk("", section.norm_label, headings, None, 0, title=title)
        prefix_tokens = self.count_tokens([probe.context + "\n"])[0] if probe.context else 0
        budget = self.max_tokens - SPECIAL_TOKENS - prefix_tokens
        if budget < 24:  # absurdly long headings: drop them from the prefix rather than the text
            headings, budget = [], self.max_tokens - SPECIAL_TOKENS
            title_tokens = self.count_tokens([title + "\n"])[0]
            if budget - title_tokens >= 24:
                budget -= title_tokens
            else:
                title = ""
        units = _blocks(section.lines)
        if not units:
            return []
        for unit, n in zip(units, self.count_tokens([u.text for u in units]), strict=True):
            unit.tokens = n
        pieces = self._pack(self._fit(units, budget), budget)
        page = next((ln.page for ln in section.lines), None)
        return [
            Chunk(
                text=piece.text,
                section=section.norm_label,
                heading_path=headings,
                page=piece.page if piece.page is not None else page,
                position=start + i,
                title=title,
            )
            for i, piece in enumerate(pieces)
        ]

    def _fit(self, units: list[_Unit], budget: int) -> list[_Unit]:
        """Replace every unit above budget by sentence (then word) pieces below it."""
        fitted: list[_Unit] = []
        for unit in units:
            if unit.tokens <= budget:
                fitted.append(unit)
                continue
            sentences = split_sentences(unit.text)
            counts = self.count_tokens(sentences)
            for sentence, n in zip(sentences, counts, strict=True):
                if n <= budget:
                    fitted.append(_Unit(sentence.strip(), unit.page, n))
                else:
                    fitted.extend(self._split_words(sentence, unit.page, budget))
        return fitted

    def _split_words(self, text: str, page: int | None, budget: int) -> list[_Unit]:
        words = text.split()
        counts = self.count_tokens(words)
        pieces: list[_Unit] = []
        current: list[str] = []
        used = 0
        for word, n in zip(words, counts, strict=True):
            if current and used + n > budget:
                pieces.append(_Unit(" ".join(current), page, used))
                current, used = [], 0
            if n > budget:  # a single pathological "word": cut it by characters
                step = max(1, len(word) * budget // n)
                pieces.extend(_Unit(word[k:k + step], page, budget)
                              for k in range(0, len(word), step))
                continue
            current.append(word)
            used += n
        if current:
            pieces.append(_Unit(" ".join(current), page, used))
        return pieces

    @staticmethod
    def _pack(units: list[_Unit], budget: int) -> list[_Unit]:
        """Greedy: consecutive units share a chunk while the sum fits (+1 token for the join)."""
        packed: list[_Unit] = []
        for unit in units:
            if packed and packed[-1].tokens + unit.tokens + 1 <= budget:
                last = packed[-1]
                last.text += "\n\n" + unit.text
                last.tokens += unit.tokens + 1
            else:
                packed.append(_Unit(unit.text, unit.page, unit.tokens))
        return packed
