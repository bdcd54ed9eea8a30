"""Word documents: paragraphs and tables in order, heading styles kept as Markdown headings."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from pathlib import Path

from core.errors import IngestError
from ingest.documents import LoadedDocument, PageText

_HEADING_STYLE = re.compile(r"^(?:heading|überschrift)\s*(\d)", re.IGNORECASE)


# what a damaged DOCX raises: the zip container (incl. its deflate streams) or the XML inside
_DAMAGED = (zipfile.BadZipFile, KeyError, ValueError, zlib.error, EOFError, SyntaxError)


def load_docx(path: Path, data: bytes) -> LoadedDocument:
    """Read body paragraphs and tables in document order."""
    import docx  # lazy: python-docx pulls lxml

    try:
        document = docx.Document(io.BytesIO(data))
        return _read(document, path)
    except _DAMAGED as exc:
        raise IngestError(
            "Word-Datei ist beschädigt oder kein DOCX", f"{path.name}: not a valid .docx ({exc})"
        ) from exc


def _read(document, path: Path) -> LoadedDocument:
    lines: list[str] = []
    for block in document.iter_inner_content():
        if hasattr(block, "rows"):
            for row in block.rows:
                cells = [c.text.strip() for c in row.cells]
                lines.append(" | ".join(dict.fromkeys(c for c in cells if c)))
            lines.append("")
            continue
        text = block.text.strip()
        style = block.style.name if block.style is not None else ""
        level = _HEADING_STYLE.match(style or "")
        if text and (level or style == "Title"):
            lines.extend(["", f"{'#' * (int(level.group(1)) if level else 1)} {text}", ""])
        else:
            lines.append(text)
    title = (document.core_properties.title or "").strip()
    if not title:
        title = next((ln.lstrip("# ") for ln in lines if ln.startswith("#")), path.stem)
    return LoadedDocument(pages=[PageText("\n".join(lines).strip())], title=title)
