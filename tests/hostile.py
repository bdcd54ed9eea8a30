"""Hostile files for the security suite: each built small on disk, each meant to hurt a reader."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

from tests.pdfmaker import make_text_pdf


def zip_bomb_docx(path: Path, unpacked_mb: int = 300) -> Path:
    """A DOCX whose document.xml unpacks to `unpacked_mb` MB (about 0.1 % of that on disk)."""
    block = b" " * (1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(b"<w:document><!--")
            for _ in range(unpacked_mb):
                member.write(block)
            member.write(b"--></w:document>")
    return path


def many_pages_pdf(path: Path, pages: int) -> Path:
    import pypdf

    writer = pypdf.PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def cyclic_pdf(path: Path) -> Path:
    """A page tree that contains itself."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    path.write_bytes(out)
    return path


def sparse_file(path: Path, megabytes: int) -> Path:
    """A file that claims `megabytes` MB but takes no disk space."""
    with path.open("wb") as handle:
        handle.write(b"%PDF-1.7\n")
        os.ftruncate(handle.fileno(), megabytes * 1024 * 1024)
    return path


def pdf_named(path: Path) -> Path:
    """A real PDF under whatever name `path` has (e.g. `bescheid.md`)."""
    return make_text_pdf(path, ["Bescheid\n\n§ 1 Gebühr"])


def docx_bytes() -> bytes:
    import docx

    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Tabelle der Gebühren")
    document.save(buffer)
    return buffer.getvalue()
