"""Pieces of the web app that need no browser: streaming, rendering, example questions."""

from __future__ import annotations

import pytest

from assistant.answer.citations import Citation
from assistant.answer.result import Answer, AnswerKind
from assistant.examples import example_questions
from ui.render import cited_paths, sources_html
from ui.streaming import stream_tokens
from vectorstore.results import SearchResult

pytestmark = pytest.mark.unit


def test_stream_tokens_yields_tokens_then_result_and_reraises() -> None:
    def call(on_token):
        for piece in ("Die ", "Steuer"):
            on_token(piece)
        return 42

    assert list(stream_tokens(call)) == ["Die ", "Steuer", 42]

    def broken(on_token):
        on_token("x")
        raise RuntimeError("kaputt")

    items = stream_tokens(broken)
    assert next(items) == "x"
    with pytest.raises(RuntimeError, match="kaputt"):
        next(items)


def test_sources_are_escaped_and_the_quote_is_marked_in_its_passage() -> None:
    text = "(1) Vorher. (2) Die Gebühr beträgt <b>5 €</b> je Marke. (3) Danach."
    src = SearchResult("c1", "satzung.md", "Satzung", "§ 11 Marken", 2, text, 1.0, "allgemein",
                       "/daten/satzung.md", {})
    answer = Answer("Die Gebühr beträgt 5 € [1].", AnswerKind.CHECKED,
                    (Citation(1, "satzung.md", "§ 11 Marken", 2,
                              "(2) Die Gebühr beträgt <b>5 €</b> je Marke."),),
                    (src,), "llamacpp", "p@1")
    rendered = sources_html(answer)
    assert "<b>5" not in rendered and "&lt;b&gt;5" in rendered
    assert "<mark>(2) Die Gebühr beträgt &lt;b&gt;5 €&lt;/b&gt; je Marke.</mark>" in rendered
    assert "satzung.md, § 11 Marken, S. 2" in rendered
    assert cited_paths(answer) == ["/daten/satzung.md"]


def test_example_questions_come_from_substantive_headings_of_several_documents() -> None:
    sections = [("a.md", "Hundesteuersatzung", "§ 1 Geltungsbereich"),
                ("a.md", "Hundesteuersatzung", "§ 5 Steuersatz"),
                ("a.md", "Hundesteuersatzung", "§ 12 Inkrafttreten"),
                ("b.md", "Friedhofssatzung", "§ 7 Ausheben der Gräber")]
    questions = example_questions(sections, n=4)
    assert questions == ["Was bestimmt „Hundesteuersatzung“ zum Thema „Steuersatz“?",
                         "Was bestimmt „Friedhofssatzung“ zum Thema „Ausheben der Gräber“?"]


def test_example_questions_name_long_laws_by_their_abbreviation() -> None:
    long = ("Sozialgesetzbuch (SGB) Zwölftes Buch (XII) - Sozialhilfe - (Artikel 1 des Gesetzes "
            "vom 27. Dezember 2003, BGBl. I S. 3022) (SGB 12)")
    sections = [("sgb12.md", long, "§ 11 Beratung und Unterstützung"),
                ("gewo.md", "Gewerbeordnung (GewO)", "§ 14 Anzeigepflicht")]
    assert example_questions(sections, n=2) == [
        "Was bestimmt „Gewerbeordnung (GewO)“ zum Thema „Anzeigepflicht“?",
        "Was bestimmt „SGB 12“ zum Thema „Beratung und Unterstützung“?"]
