"""Find the legal structure of a text: headings (§, Art., Abschnitt, Teil) and Absatz markers.

Markdown files carry `#` headings; PDF and plain text only show `§ 3` lines, so those are
recognised by shape. One parser for both keeps sections and citations consistent across formats.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from legal.references import split_reference_heading, starts_with_reference
from legal.text import ABSATZ_START

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_PLAIN_PART = re.compile(
    r"^\s*((?:Teil|Abschnitt|Kapitel|Unterabschnitt|Titel)\s+[\dIVXLC]+\.?|[IVX]+\.)\s*(.*)$"
)
_FOOTNOTE = re.compile(r"\s*\*\d+\s*$")
_MAX_TITLE_CHARS = 90
_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")


def is_rule(text: str) -> bool:
    """Markdown horizontal rules carry no content."""
    return bool(_RULE.match(text))


@dataclass
class Line:
    text: str
    page: int | None


@dataclass
class Section:
    """Lines under one heading, with the headings above it."""

    heading_path: list[str]
    lines: list[Line] = field(default_factory=list)
    skipped: bool = False

    @property
    def heading(self) -> str | None:
        return self.heading_path[-1] if self.heading_path else None

    @property
    def norm_label(self) -> str | None:
        """The citable label: the innermost § / Art. heading, else the innermost heading."""
        for heading in reversed(self.heading_path):
            if starts_with_reference(heading):
                return heading
        return self.heading


def clean_heading(text: str) -> str:
    text = text.replace("**", "").replace("__", "").strip()
    text = _FOOTNOTE.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


def is_norm_heading(text: str) -> bool:
    return starts_with_reference(text)


def _looks_like_title(line: str) -> bool:
    s = line.strip()
    return (
        0 < len(s) <= _MAX_TITLE_CHARS
        and not ABSATZ_START.match(s + " ")
        and not s.endswith((",", ";"))
        and not s[0].isdigit()
        and not starts_with_reference(s)
    )


def _part_heading(text: str) -> tuple[str, str] | None:
    match = _PLAIN_PART.match(text)
    return (match.group(1).strip(), match.group(2).strip()) if match else None


def _plain_heading(lines: list[Line], i: int) -> tuple[int, str, int] | None:
    """(level, heading text, lines consumed) when line i starts a heading in plain text."""
    text = lines[i].text.strip()
    prev_blank = i == 0 or not lines[i - 1].text.strip() or lines[i - 1].page != lines[i].page
    for level, split in ((2, _part_heading), (3, split_reference_heading)):
        found = split(text)
        if not found:
            continue
        label, rest = found
        if rest and not prev_blank:
            return None  # "§ 3 Hundesteuer..." inside wrapped running text
        if rest:
            if len(rest) > _MAX_TITLE_CHARS or rest.endswith((".", ",", ";")) and level == 3:
                return None
            if rest[0].islower() or rest.startswith(("Abs", "Satz", "Nr", "(")):
                return None  # a reference inside running text, e.g. "§ 3 gilt entsprechend"
            return level, clean_heading(f"{label} {rest}"), 1
        nxt = _next_nonblank(lines, i + 1)
        if nxt is not None and _looks_like_title(lines[nxt].text):
            return level, clean_heading(f"{label} {lines[nxt].text}"), nxt - i + 1
        return level, clean_heading(label), 1
    return None


def _next_nonblank(lines: list[Line], start: int, limit: int = 3) -> int | None:
    for j in range(start, min(len(lines), start + limit)):
        if lines[j].text.strip():
            return j
    return None


def parse_sections(lines: list[Line], title: str,
                   skip_headings: set[str] = frozenset()) -> list[Section]:
    """Split lines into sections. The document title itself is not repeated in heading paths.

    Headings in `skip_headings` (lower-case) mark their section as skipped and never become the
    parent of later headings: Bad Boll's "## Inhaltsverzeichnis" sits above every § otherwise.
    """
    markdown = any(_MD_HEADING.match(ln.text) for ln in lines)
    stack: list[tuple[int, str]] = []
    sections = [Section(heading_path=[])]
    i = 0
    while i < len(lines):
        found = _heading_at(lines, i, markdown)
        if found is None:
            sections[-1].lines.append(lines[i])
            i += 1
            continue
        level, heading, consumed = found
        while stack and stack[-1][0] >= level:
            stack.pop()
        skipped = heading.lower() in skip_headings
        if skipped:
            sections.append(Section(heading_path=[h for _, h in stack] + [heading], skipped=True))
        else:
            if not (level == 1 and heading == title and not stack):
                stack.append((level, heading))
            sections.append(Section(heading_path=[h for _, h in stack]))
        sections[-1].lines.append(Line("", lines[i].page))  # page of the heading
        i += consumed
    return [s for s in sections if not s.skipped and any(ln.text.strip() for ln in s.lines)]


def _heading_at(lines: list[Line], i: int, markdown: bool) -> tuple[int, str, int] | None:
    if markdown:
        match = _MD_HEADING.match(lines[i].text)
        if not match:
            return None
        return len(match.group(1)), clean_heading(match.group(2)), 1
    return _plain_heading(lines, i)
