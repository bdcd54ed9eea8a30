"""What a file really is, from its first bytes: a renamed file must not reach the wrong loader.

A `.pdf` that is a ZIP, a `.md` that is an executable, a `.docx` that is a PDF: each is refused
with a message naming both the extension and the content found.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from core.errors import IngestError

_EXPECTED = {".pdf": "pdf", ".docx": "docx", ".md": "text", ".markdown": "text", ".txt": "text",
             ".html": "text", ".htm": "text"}
_LABEL = {"pdf": "PDF", "docx": "Word (DOCX)", "zip": "ZIP-Archiv", "text": "Text",
          "binary": "Binärdaten"}


@dataclass(frozen=True)
class LoadLimits:
    """Upper bounds on what a loader unpacks, so one hostile file cannot exhaust the server."""

    max_pdf_pages: int = 3000
    max_unpacked_bytes: int = 256 * 1024 * 1024
    max_archive_members: int = 5000


def sniff(data: bytes) -> str:
    """'pdf', 'docx', 'zip', 'text' or 'binary', judged by content only."""
    if data.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return "binary"
        return "docx" if "word/document.xml" in names else "zip"
    sample = data[:65536]
    controls = sum(1 for byte in sample if byte < 9 or 13 < byte < 32)
    if b"\x00" in sample or controls > len(sample) // 100:
        return "binary"  # text in any encoding has (almost) no control bytes
    return "text"


def check_content(path: Path, data: bytes) -> None:
    """Refuse a file whose content is not what its extension says."""
    expected = _EXPECTED.get(path.suffix.lower())
    found = sniff(data)
    if expected is not None and found != expected:
        raise IngestError(
            f"Inhalt passt nicht zur Endung {path.suffix}: die Datei ist {_LABEL[found]}",
            f"{path.name}: content is {found}, extension says {expected}")


def check_archive(path: Path, data: bytes, limits: LoadLimits) -> None:
    """A DOCX is a ZIP: refuse one that would unpack beyond the limits (a zip bomb). The sizes
    checked are those the reader will honour: zipfile stops reading at each member's size."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except zipfile.BadZipFile as exc:
        raise IngestError("Word-Datei ist beschädigt oder kein DOCX",
                          f"{path.name}: not a valid .docx ({exc})") from exc
    unpacked = sum(m.file_size for m in members)
    if len(members) > limits.max_archive_members or unpacked > limits.max_unpacked_bytes:
        raise IngestError(
            f"Word-Datei würde entpackt {unpacked / 1e6:.0f} MB in {len(members)} Teilen ergeben – "
            f"abgelehnt (Grenze {limits.max_unpacked_bytes / 1e6:.0f} MB)",
            f"{path.name}: archive unpacks to {unpacked} bytes in {len(members)} members "
            "(possible zip bomb)")
