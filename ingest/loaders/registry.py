"""Choose the loader by file suffix; one place that knows which types are supported."""

from __future__ import annotations

from pathlib import Path

from core.errors import IngestError
from ingest.documents import LoadedDocument
from ingest.loaders.docx import load_docx
from ingest.loaders.html import load_html
from ingest.loaders.pdf import load_pdf
from ingest.loaders.sniff import LoadLimits, check_archive, check_content
from ingest.loaders.text import load_text
from ingest.ocr import TesseractOcr

SUPPORTED_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".pdf", ".docx", ".html", ".htm"})


def load_document(
    path: Path, data: bytes, content_hash: str, ocr: TesseractOcr | None,
    limits: LoadLimits = LoadLimits(),
) -> LoadedDocument:
    """Read one file; raises IngestError with a German message and an English detail.
    The content, not the extension, decides: a file that is not what its name says is refused."""
    suffix = path.suffix.lower()
    if not data.strip():
        raise IngestError("Datei ist leer", f"{path.name}: empty file")
    check_content(path, data)
    if suffix in {".md", ".markdown", ".txt"}:
        doc = load_text(path, data)
    elif suffix == ".pdf":
        doc = load_pdf(path, data, content_hash, ocr, limits.max_pdf_pages)
    elif suffix == ".docx":
        check_archive(path, data, limits)
        doc = load_docx(path, data)
    elif suffix in {".html", ".htm"}:
        doc = load_html(path, data)
    else:
        raise IngestError(
            f"Dateityp {suffix or '(ohne Endung)'} wird nicht unterstützt",
            f"{path.name}: unsupported file type",
        )
    if doc.char_count == 0:
        raise IngestError("Datei enthält keinen lesbaren Text", f"{path.name}: no extractable text")
    return doc
