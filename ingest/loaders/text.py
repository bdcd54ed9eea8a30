"""Markdown and plain text, with YAML front matter turned into metadata."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml

from core.errors import IngestError
from ingest.documents import LoadedDocument, PageText

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n", re.DOTALL)
_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)
_ANY_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def decode_utf8(data: bytes, path: Path) -> str:
    """Decode strictly: a mis-decoded bylaw would be indexed as garbage without anyone noticing."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(
            "Datei ist nicht UTF-8-kodiert – bitte als UTF-8 speichern",
            f"{path.name}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
        ) from exc


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Return (metadata, body). Invalid YAML is kept as text rather than silently dropped."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError:
        return {}, text
    if not isinstance(meta, dict):
        return {}, text
    return {str(k).lower(): _plain(v) for k, v in meta.items()}, text[match.end():]


def _plain(value: Any) -> Any:
    """Dates become ISO strings so metadata stays JSON- and Chroma-friendly."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def load_text(path: Path, data: bytes) -> LoadedDocument:
    """Load `.md` / `.txt`; title from front matter, else the first `# ` heading, else file name."""
    text = decode_utf8(data, path)
    meta, body = split_front_matter(text)
    title = str(meta.pop("title", "") or "").strip()
    h1 = _H1.search(body)
    h1_text = h1.group(1).strip() if h1 else ""
    if not title or (h1_text.startswith(title) and len(h1_text) > len(title)):
        # "Bundesmeldegesetz (BMG)" beats "Bundesmeldegesetz": the abbreviation is how staff cite it
        title = h1_text or _first_heading(body) or path.stem
    return LoadedDocument(pages=[PageText(body)], title=title, metadata=meta)


def _first_heading(body: str) -> str:
    """First heading that is not a table of contents (Bad Boll bylaws start with one)."""
    for match in _ANY_HEADING.finditer(body):
        text = match.group(1).replace("**", "").strip()
        if not text.lower().startswith("inhalt"):
            return text
    return ""
