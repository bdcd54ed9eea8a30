"""Content decides, not the extension; archives are bounded before they are unpacked."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from core.errors import IngestError
from ingest.loaders.sniff import LoadLimits, check_archive, check_content, sniff


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_sniff_names_what_the_bytes_are() -> None:
    assert sniff(b"%PDF-1.7\n...") == "pdf"
    assert sniff(_zip({"word/document.xml": b"<w/>"})) == "docx"
    assert sniff(_zip({"a.txt": b"x"})) == "zip"
    assert sniff("§ 1 Gebühren – Höhe".encode()) == "text"
    assert sniff("Satzung über Gebühren".encode("latin-1")) == "text"  # decoder explains later
    assert sniff(b"\x7fELF\x02\x01\x01\x00" + bytes(200)) == "binary"


@pytest.mark.parametrize(("name", "data", "found"), [
    ("bescheid.md", b"%PDF-1.4\n1 0 obj", "PDF"),
    ("satzung.pdf", _zip({"word/document.xml": b"<w/>"}), "Word"),
    ("anleitung.docx", b"%PDF-1.4\n", "PDF"),
    ("liste.txt", b"MZ\x90\x00\x03\x00\x00\x00" * 50, "Binärdaten"),
])
def test_a_lying_extension_is_refused(name: str, data: bytes, found: str) -> None:
    with pytest.raises(IngestError) as caught:
        check_content(Path(name), data)
    assert f"Endung {Path(name).suffix}" in caught.value.message_de
    assert found in caught.value.message_de


def test_a_zip_bomb_is_refused_by_its_declared_size() -> None:
    bomb = _zip({"word/document.xml": b" " * (3 * 1024 * 1024)})
    assert len(bomb) < 20_000
    limits = LoadLimits(max_unpacked_bytes=1024 * 1024)
    with pytest.raises(IngestError, match="zip bomb"):
        check_archive(Path("bombe.docx"), bomb, limits)
    check_archive(Path("klein.docx"), _zip({"word/document.xml": b"<w/>"}), limits)
