"""Loaders on generated files of every supported type, and the bad-input reasons."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import IngestError, NeedsOcrError
from ingest.loaders import load_document
from ingest.loaders.pdf import strip_running_lines
from ingest.ocr import repair_paragraph_signs
from tests.pdfmaker import make_encrypted_pdf, make_text_pdf, make_zero_page_pdf

pytestmark = pytest.mark.unit


def load(path: Path):
    return load_document(path, path.read_bytes(), "h" * 64, ocr=None)


def test_markdown_front_matter_becomes_metadata(tmp_path: Path) -> None:
    md = tmp_path / "blaupause_test.md"
    md.write_text(
        "---\ntitle: \"KI-Blaupause\"\ntype: blaupause\nkommune: \"Stadt Musterhausen\"\n"
        "valid_from: 2024-01-01\ntags: [ki, luftbild]\n---\n\n# Überschrift\n\n## Ziel\n\nText.\n",
        encoding="utf-8",
    )
    doc = load(md)
    assert doc.title == "KI-Blaupause"
    assert doc.metadata["type"] == "blaupause"
    assert doc.metadata["kommune"] == "Stadt Musterhausen"
    assert doc.metadata["valid_from"] == "2024-01-01"
    assert doc.metadata["tags"] == ["ki", "luftbild"]
    assert "title:" not in doc.pages[0].text


def test_markdown_title_prefers_h1_with_abbreviation(tmp_path: Path) -> None:
    md = tmp_path / "bund_X.md"
    md.write_text("---\nTitle: Bundesmeldegesetz\n---\n\n# Bundesmeldegesetz (BMG)\n\nText\n")
    assert load(md).title == "Bundesmeldegesetz (BMG)"


def test_non_utf8_text_is_refused_with_reason(tmp_path: Path) -> None:
    txt = tmp_path / "alt.txt"
    txt.write_bytes("Gebühr für Müll".encode("latin-1"))
    with pytest.raises(IngestError) as info:
        load(txt)
    assert "UTF-8" in info.value.message_de and "alt.txt" in info.value.detail


def test_html_keeps_visible_text_and_headings_only(tmp_path: Path) -> None:
    page = tmp_path / "seite.html"
    page.write_text(
        "<html><head><title>Gebühren</title><style>.x{color:red}</style></head><body>"
        "<script>alert('nein')</script><h2>§ 1 Gebühren</h2><p>Die Gebühr beträgt <b>5 €</b>.</p>"
        "</body></html>", encoding="utf-8",
    )
    doc = load(page)
    text = doc.pages[0].text
    assert doc.title == "Gebühren"
    assert "## § 1 Gebühren" in text and "Die Gebühr beträgt 5 €." in " ".join(text.split())
    assert "alert" not in text and "color" not in text and "<" not in text


def test_docx_headings_and_tables(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Dienstanweisung Posteingang", level=1)
    document.add_heading("§ 1 Geltungsbereich", level=2)
    document.add_paragraph("Diese Dienstanweisung gilt für alle Ämter.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Frist"
    table.rows[0].cells[1].text = "3 Tage"
    path = tmp_path / "dienstanweisung.docx"
    document.save(path)
    doc = load(path)
    text = doc.pages[0].text
    assert "# Dienstanweisung Posteingang" in text
    assert "## § 1 Geltungsbereich" in text
    assert "Frist | 3 Tage" in text


def test_text_pdf_pages_are_numbered(tmp_path: Path) -> None:
    pdf = make_text_pdf(tmp_path / "satzung.pdf",
                        ["Satzung über Gebühren\n\n§ 1 Gegenstand",
                         "§ 2 Höhe\n\n(1) Die Gebühr beträgt 12,50 Euro."])
    doc = load(pdf)
    assert [p.page for p in doc.pages] == [1, 2]
    assert "12,50 Euro" in doc.pages[1].text
    assert doc.title.startswith("Satzung über Gebühren")


@pytest.mark.parametrize(
    ("maker", "needle"),
    [
        (lambda p: p.write_bytes(b""), "leer"),
        (lambda p: p.write_bytes(bytes(range(256)) * 40), "passt nicht zur Endung .pdf"),
        (lambda p: p.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\ngarbage"),
         "beschädigt"),
        (lambda p: make_zero_page_pdf(p), "keine Seiten"),
        (lambda p: make_encrypted_pdf(p, "geheim"), "passwortgeschützt"),
    ],
    ids=["empty", "random-bytes", "corrupt", "zero-pages", "encrypted"],
)
def test_bad_pdfs_raise_clear_reasons(tmp_path: Path, maker, needle: str) -> None:
    path = tmp_path / "kaputt.pdf"
    maker(path)
    with pytest.raises(IngestError) as info:
        load(path)
    assert needle in info.value.message_de
    assert "kaputt.pdf" in info.value.detail or needle == "leer"


def test_image_only_pdf_without_ocr_needs_ocr(tmp_path: Path) -> None:
    pdf = make_text_pdf(tmp_path / "scan.pdf", ["", " "])
    with pytest.raises(NeedsOcrError) as info:
        load(pdf)
    assert "OCR" in info.value.message_de


def test_running_headers_are_removed_but_paragraph_lines_kept() -> None:
    pages = [f"- {i} -\nKopfzeile der Satzung\n§ {i}\nText {i}\nSeite {i} von 4"
             for i in range(1, 5)]
    cleaned = strip_running_lines(pages)
    assert all("Kopfzeile" not in p and "Seite" not in p for p in cleaned)
    assert all(f"§ {i}" in cleaned[i - 1] for i in range(1, 5))


def test_ocr_paragraph_sign_repair() -> None:
    fixed = repair_paragraph_signs("8 16 Übergangsvorschrift\nnach $ 10 Abs. 1\nEs gibt 8 Hunde.")
    assert fixed.splitlines() == ["§ 16 Übergangsvorschrift", "nach § 10 Abs. 1",
                                  "Es gibt 8 Hunde."]
