"""Write small real PDFs (text layer, WinAnsi encoding) for tests without extra dependencies."""

from __future__ import annotations

from pathlib import Path


def _escape(line: str) -> bytes:
    raw = line.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def make_text_pdf(path: Path, pages: list[str]) -> Path:
    """One page per string; lines are drawn top to bottom in Helvetica 11 pt."""
    objects: list[bytes] = []
    font_id = 3
    page_ids = []
    contents = []
    for text in pages:
        stream = b"BT /F1 11 Tf 14 TL 50 800 Td " + b" ".join(
            b"(" + _escape(line or " ") + b") Tj T*" for line in text.splitlines()
        ) + b" ET"
        contents.append(stream)
    n_pages = len(pages)
    # ids: 1 catalog, 2 pages, 3 font, then (page, content) pairs
    for i in range(n_pages):
        page_ids.append(4 + 2 * i)
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = b" ".join(f"{pid} 0 R".encode() for pid in page_ids)
    objects.append(b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(n_pages).encode()
                   + b" >>")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                   b"/Encoding /WinAnsiEncoding >>")
    for i, stream in enumerate(contents):
        content_id = page_ids[i] + 1
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {content_id} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream
                       + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n"
            "%%EOF\n").encode()
    path.write_bytes(bytes(out))
    return path


def make_encrypted_pdf(path: Path, text: str, password: str = "geheim") -> Path:
    import pypdf

    plain = make_text_pdf(path.with_suffix(".plain.pdf"), [text])
    writer = pypdf.PdfWriter(clone_from=str(plain))
    writer.encrypt(user_password=password, owner_password=password)
    with path.open("wb") as handle:
        writer.write(handle)
    plain.unlink()
    return path


def make_zero_page_pdf(path: Path) -> Path:
    import pypdf

    with path.open("wb") as handle:
        pypdf.PdfWriter().write(handle)
    return path
