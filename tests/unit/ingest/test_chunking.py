"""Chunker and structure parser on real German legal text shapes."""

from __future__ import annotations

import pytest

from ingest.chunking import SPECIAL_TOKENS, LegalChunker
from ingest.documents import LoadedDocument, PageText
from ingest.structure import Line, parse_sections
from legal.text import split_sentences
from tests.conftest import word_tokens

pytestmark = pytest.mark.unit

BMG_LIKE = """# Bundesmeldegesetz (BMG)

Ausfertigungsdatum
:   2013-05-03

## Abschnitt 3 - Allgemeine Meldepflichten

### § 17 Anmeldung, Abmeldung

(1) Wer eine Wohnung bezieht, hat sich innerhalb von zwei Wochen nach
dem Einzug bei der Meldebehörde anzumelden.

(2) Wer aus einer Wohnung auszieht und keine neue Wohnung im Inland
bezieht, hat sich innerhalb von zwei Wochen nach dem Auszug bei der
Meldebehörde abzumelden.

### § 18 Meldebescheinigung

(1) Die meldepflichtige Person erhält auf Antrag eine Meldebescheinigung.
"""

BADBOLL_LIKE = """
## Inhaltsverzeichnis

- § 1 Steuergegenstand
- § 5 Steuersatz

### Satzung über die Erhebung der Hundesteuer

### § 5 Steuersatz

**(1)** Die Steuer beträgt im Kalenderjahr für jeden Hund 165,00 €.

**(2)** Für den zweiten Hund 330,00 €.
"""

PDF_PAGE_1 = """Satzung über die Straßenreinigung
Teil 1
ALLGEMEINE BESTIMMUNGEN

§ 1
Übertragung der Reinigungspflicht

(1) Die Verpflichtung zur Reinigung wird übertragen.
Ein Verweis nach § 10 Abs. 1 steht mitten im Satz.
"""
PDF_PAGE_2 = """§ 2 Gegenstand der Reinigungspflicht

(1) Zu reinigen sind alle öffentlichen Straßen.
"""


def chunker(max_tokens: int = 200) -> LegalChunker:
    return LegalChunker(word_tokens, max_tokens, ["Inhaltsverzeichnis"])


def test_markdown_paragraphs_become_sections_with_heading_context() -> None:
    doc = LoadedDocument([PageText(BMG_LIKE)], title="Bundesmeldegesetz (BMG)")
    chunks = chunker().chunk(doc)
    sections = [c.section for c in chunks]
    assert "§ 17 Anmeldung, Abmeldung" in sections
    assert "§ 18 Meldebescheinigung" in sections
    c17 = next(c for c in chunks if c.section == "§ 17 Anmeldung, Abmeldung")
    assert "innerhalb von zwei Wochen" in c17.text
    assert c17.heading_path == ["Abschnitt 3 - Allgemeine Meldepflichten",
                                "§ 17 Anmeldung, Abmeldung"]
    assert c17.embedding_text().startswith(
        "Bundesmeldegesetz (BMG) › Abschnitt 3 - Allgemeine Meldepflichten › § 17"
    )
    assert [c.position for c in chunks] == list(range(len(chunks)))


def test_table_of_contents_is_skipped_and_never_a_parent() -> None:
    doc = LoadedDocument([PageText(BADBOLL_LIKE)], title="Hundesteuer")
    chunks = chunker().chunk(doc)
    assert all("Inhaltsverzeichnis" not in c.heading_path for c in chunks)
    assert not any(c.text.startswith("- § 1") for c in chunks)
    steuersatz = [c for c in chunks if c.section == "§ 5 Steuersatz"]
    assert steuersatz and "165,00 €" in steuersatz[0].text


def test_long_section_splits_at_absatz_then_sentences_within_budget() -> None:
    absaetze = "\n\n".join(
        f"({i}) " + " ".join(f"Satz {j} über die Gebührenpflicht der Anlieger." for j in range(12))
        for i in range(1, 6)
    )
    doc = LoadedDocument([PageText(f"### § 3 Gebühren\n\n{absaetze}\n")], title="Satzung")
    limit = 80
    chunks = chunker(limit).chunk(doc)
    assert len(chunks) > 5
    for chunk in chunks:
        assert word_tokens([chunk.embedding_text()])[0] + SPECIAL_TOKENS <= limit
    joined = " ".join(" ".join(c.text.split()) for c in chunks)
    for i in range(1, 6):
        assert f"({i}) Satz 0" in joined  # nothing lost, Absatz starts kept
    assert joined.count("Gebührenpflicht") == 60


def test_over_long_sentence_is_split_at_words_not_truncated() -> None:
    words = " ".join(f"Grundstückseigentümerverpflichtung{i}" for i in range(200))
    doc = LoadedDocument([PageText(f"### § 1 Lang\n\n{words}\n")], title="T")
    chunks = chunker(64).chunk(doc)
    assert sum(len(c.text.split()) for c in chunks) == 200
    assert all(word_tokens([c.embedding_text()])[0] + SPECIAL_TOKENS <= 64 for c in chunks)


def test_plain_pdf_text_headings_and_pages() -> None:
    doc = LoadedDocument([PageText(PDF_PAGE_1, 1), PageText(PDF_PAGE_2, 2)],
                         title="Satzung über die Straßenreinigung")
    chunks = chunker().chunk(doc)
    by_section = {c.section: c for c in chunks}
    assert "§ 1 Übertragung der Reinigungspflicht" in by_section
    assert by_section["§ 1 Übertragung der Reinigungspflicht"].page == 1
    assert by_section["§ 2 Gegenstand der Reinigungspflicht"].page == 2
    assert by_section["§ 1 Übertragung der Reinigungspflicht"].heading_path[0].startswith("Teil 1")
    # "§ 10 Abs. 1" inside running text is not a heading
    assert not any(s and s.startswith("§ 10") for s in by_section)


def test_parse_sections_keeps_preamble_without_label() -> None:
    lines = [Line(t, None) for t in BMG_LIKE.splitlines()]
    sections = parse_sections(lines, "Bundesmeldegesetz (BMG)")
    assert sections[0].norm_label is None
    assert any("Ausfertigungsdatum" in ln.text for ln in sections[0].lines)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Die Gebühr beträgt 5 Euro. Sie ist sofort fällig.", 2),
        ("Nach § 5 Abs. 2 Nr. 3 gilt dies. Ferner gilt Satz 1.", 2),
        ("Vom 1. April bis 30. September gilt z. B. die Sommerzeit. Danach nicht.", 2),
        ("Die Frist (vgl. Art. 3 GG) läuft. Dann endet sie!", 2),
    ],
)
def test_sentence_splitter_respects_legal_abbreviations(text: str, expected: int) -> None:
    assert len(split_sentences(text)) == expected
