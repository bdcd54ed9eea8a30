"""PDF text per page with pypdf; scanned pages go to OCR or are reported as needing it."""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from pathlib import Path

from core.errors import IngestError, NeedsOcrError
from ingest.documents import LoadedDocument, PageText
from ingest.ocr import TesseractOcr
from ingest.structure import is_norm_heading

log = logging.getLogger(__name__)

EDGE_LINES = 3  # header/footer zone of a page
MIN_PAGE_CHARS = 40  # fewer visible characters than this: the page is an image
_DIGITS = re.compile(r"\d+")


def _open_reader(path: Path, data: bytes, max_pages: int):  # -> pypdf.PdfReader
    import pypdf
    from pypdf.errors import PdfReadError

    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise IngestError("Datei ist kein PDF", f"{path.name}: no %PDF header (not a PDF file)")
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError(
                "PDF ist passwortgeschützt", f"{path.name}: encrypted PDF, password required"
            )
        count = len(reader.pages)
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise IngestError(
            "PDF ist beschädigt und nicht lesbar", f"{path.name}: corrupt PDF ({exc})"
        ) from exc
    except Exception as exc:  # pypdf raises many internal types on garbage input
        if "crypt" in str(exc).lower():
            raise IngestError(
                "PDF ist verschlüsselt und nicht lesbar", f"{path.name}: encrypted PDF ({exc})"
            ) from exc
        raise IngestError(
            "PDF ist beschädigt und nicht lesbar", f"{path.name}: corrupt PDF ({exc})"
        ) from exc
    if count == 0:
        raise IngestError("PDF enthält keine Seiten", f"{path.name}: PDF has zero pages")
    if count > max_pages:
        raise IngestError(f"PDF hat {count} Seiten – mehr als die erlaubten {max_pages}",
                          f"{path.name}: {count} pages exceed ingest.max_pdf_pages={max_pages}")
    return reader


def _page_texts(path: Path, reader) -> list[str]:
    texts = []
    for number, page in enumerate(reader.pages, start=1):
        try:
            texts.append(page.extract_text() or "")
        except Exception as exc:  # one broken page must not lose the document
            log.warning("%s: page %d unreadable (%s)", path.name, number, exc)
            texts.append("")
    return texts


def strip_running_lines(pages: list[str]) -> list[str]:
    """Drop page headers/footers ("- 3 -", "Seite 2 von 6", repeated notes) seen on most pages."""
    if len(pages) < 3:
        return pages

    def key(line: str) -> str:
        return _DIGITS.sub("#", line.strip())

    def edge_lines(text: str) -> set[str]:
        lines = [key(ln) for ln in text.splitlines() if ln.strip() and not is_norm_heading(ln)]
        return set(lines[:EDGE_LINES] + lines[-EDGE_LINES:])

    counts: Counter[str] = Counter()
    for text in pages:
        counts.update(edge_lines(text))
    running = {k for k, n in counts.items() if n >= max(3, int(0.6 * len(pages))) and len(k) < 120}
    cleaned = []
    for text in pages:
        edges = edge_lines(text) & running
        cleaned.append("\n".join(ln for ln in text.splitlines() if key(ln) not in edges))
    return cleaned


def load_pdf(
    path: Path, data: bytes, content_hash: str, ocr: TesseractOcr | None, max_pages: int
) -> LoadedDocument:
    """Text per page (1-based page numbers); image-only pages are OCR'd when possible.
    More than `max_pages` pages are refused before any page is read or OCR'd."""
    reader = _open_reader(path, data, max_pages)
    texts = _page_texts(path, reader)
    image_pages = [i + 1 for i, t in enumerate(texts) if len(t.strip()) < MIN_PAGE_CHARS]
    used_ocr = False
    if image_pages:
        reason = ocr.unavailable_reason() if ocr else "OCR disabled in settings"
        if reason is None and ocr is not None:
            for page, text in ocr.read_pages(path, content_hash, image_pages).items():
                texts[page - 1] = text
            used_ocr = True
        elif len(image_pages) == len(texts):
            raise NeedsOcrError(
                "Gescanntes PDF ohne Textebene – benötigt Texterkennung (OCR)",
                f"{path.name}: needs OCR, no text layer on any of {len(texts)} pages ({reason})",
            )
        else:
            log.warning("%s: pages %s have no text layer (%s)", path.name, image_pages, reason)
    texts = strip_running_lines(texts)
    title = _pdf_title(reader, texts, path)
    pages = [PageText(t, page=i + 1) for i, t in enumerate(texts)]
    return LoadedDocument(pages=pages, title=title, ocr=used_ocr)


def _pdf_title(reader, texts: list[str], path: Path) -> str:
    """Document info title when meaningful, else the first lines of text, else the file name."""
    try:
        info_title = (reader.metadata.title or "").strip() if reader.metadata else ""
    except Exception:
        info_title = ""
    if len(info_title.split()) >= 3 and not info_title.lower().startswith(
        ("microsoft", "untitled", "dokument")
    ):
        if not info_title.lower().endswith((".doc", ".docx", ".pdf")):
            return info_title
    for text in texts:
        lines = [ln.strip() for ln in text.splitlines() if len(ln.strip()) > 3]
        if not lines:
            continue
        for i, line in enumerate(lines[:15]):  # letterheads come first; the bylaw name matters
            if _KIND_OF_NORM.search(line):
                return " ".join(lines[i:i + 2])[:150] if len(line) < 60 else line[:150]
        return " ".join(lines[:3])[:150]
    return path.stem


_KIND_OF_NORM = re.compile(r"satzung|verordnung|ordnung\b|gesetz|richtlinie|dienstanweisung",
                           re.IGNORECASE)
