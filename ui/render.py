"""HTML/Markdown for answers and their sources. Document text is always escaped."""

from __future__ import annotations

import html

from assistant.answer.citations import Citation
from assistant.answer.result import Answer, Preview
from legal.text import flatten
from vectorstore.results import SearchResult, source_label

BACKEND_BANNERS = {
    "extractive": "Die Antwort ist die Fundstelle: der Satz, der die Frage beantwortet, "
                  "hervorgehoben in seinem Absatz, mit Paragraph, Absatz und Seite – wörtlich, "
                  "ohne Sprachmodell. Bitte die Stelle selbst lesen.",
    "llamacpp": "Zuerst erscheint die Fundstelle; dann formuliert ein kleines eingebautes "
                "Sprachmodell (Qwen2.5 1.5B) daraus eine Antwort. Jede Aussage wird gegen die "
                "zitierte Stelle geprüft; was sich nicht belegen lässt, entfällt, die Fundstelle "
                "bleibt stehen.",
    "ollama": "Zuerst erscheint die Fundstelle; dann formuliert ein Sprachmodell auf dem "
              "Server der Verwaltung (Ollama) daraus eine Antwort. Jede Aussage wird gegen die "
              "zitierte Stelle geprüft; was sich nicht belegen lässt, entfällt, die Fundstelle "
              "bleibt stehen.",
}


def backend_banner(backend: str) -> str:
    text = BACKEND_BANNERS.get(backend)
    if text is None:
        return ""
    return (f"<div class='banner' role='status'><b>Hinweis:</b> {html.escape(text)} "
            f"<small>({backend})</small></div>")


KIND_MARKS = {
    "checked": "✔ geprüfte Antwort – jede Aussage steht in der zitierten Stelle",
    "quote": "❝ Fundstelle (wörtlich) – keine geprüfte Antwort; bitte die Stelle selbst lesen",
    "refusal": "∅ keine Angabe in den Unterlagen",
}


def answer_markdown(answer: Answer) -> str:
    """The chat bubble: what kind of answer it is, the text (a Fundstelle with its answering
    sentence in bold, §, Absatz and page), removed sentences, notes."""
    lines = [f"**{KIND_MARKS[answer.kind]}**", ""]
    if answer.kind == "quote" and answer.citations and answer.citations[0].sentence:
        lines.append(fundstellen_markdown(answer.citations))
    else:
        lines.append(answer.answer)
        if answer.kind == "checked" and any(c.sentence for c in answer.citations):
            lines.append("\n" + fundstellen_markdown(
                [c for c in answer.citations if c.sentence][:1], heading="Fundstelle"))
    if answer.kind == "quote" and not answer.answers_question:
        lines.append("\n_Die Fundstelle enthält die meisten Begriffe der Frage nicht – sie "
                     "beantwortet die Frage möglicherweise nicht._")
    if answer.unsupported:
        lines.append(f"\n_{len(answer.unsupported)} nicht belegte Aussage(n) entfernt._")
    for note in answer.notes:
        lines.append(f"\n_Hinweis: {note}_")
    if answer.refused:
        lines.append("\n_Die nächstliegenden Quellen stehen rechts._")
    stand = f" · Stand {answer.as_of}" if answer.as_of else ""
    lines.append(f"\n<small>{answer.label} · {answer.backend} · {answer.prompt}{stand}</small>")
    return "\n".join(lines)


def _bold_sentence(citation: Citation) -> str:
    """The quote with its answering sentence in bold (Markdown)."""
    before, sentence, after = citation.parts()
    return f"{before}**{sentence.strip()}**{after}".strip() if sentence else after


def fundstellen_markdown(citations: list[Citation], heading: str = "") -> str:
    """Each Fundstelle: where it stands, then the quote with the answering sentence in bold;
    the first is the best, the others are labelled as further Fundstellen."""
    blocks = []
    for i, citation in enumerate(citations):
        title = heading or ("Fundstelle" if i == 0 else "Weitere Fundstelle")
        blocks.append(f"{title} [{citation.n}] _{citation.label()}_:\n\n"
                      f"> „{_bold_sentence(citation)}“")
    return "\n\n".join(blocks)


def preview_markdown(preview: Preview) -> str:
    """Shown at once, while a model may still write: the Fundstellen, clearly labelled."""
    if preview.passage is None:
        return "…"
    found = list(preview.fundstellen) or [preview.passage]
    state = " – die Antwort wird noch geprüft …" if preview.drafting else ""
    return f"**❝ Fundstelle (wörtlich)**{state}\n\n{fundstellen_markdown(found)}"


def _marked(text: str, quote: str, sentence: str | None = None) -> str:
    """The chunk text with the quote highlighted (its answering sentence in bold), escaped."""
    flat = flatten(text)
    core = quote.rstrip(" …").strip()
    at = flat.find(core) if core else -1
    if at < 0:
        return html.escape(flat)
    inner = html.escape(core)
    if sentence and sentence in core:
        before, _, after = core.partition(sentence)
        inner = (html.escape(before) + "<strong>" + html.escape(sentence) + "</strong>"
                 + html.escape(after))
    return (html.escape(flat[:at]) + "<mark>" + inner + "</mark>"
            + html.escape(flat[at + len(core):]))


def sources_html(answer: Answer) -> str:
    """Numbered citations that open to the quote inside its passage; or the nearest sources."""
    return citations_html(answer.sources, answer.citations,
                          "Nächstliegende Quellen" if answer.refused else "Quellen")


def preview_sources_html(preview: Preview) -> str:
    """The sources as soon as retrieval is done, the best passage already opened."""
    cited = list(preview.fundstellen) or ([preview.passage] if preview.passage else [])
    return citations_html(preview.sources, cited, "Gefundene Stellen", heading="Fundstellen")


def citations_html(sources: list[SearchResult], citations: list[Citation], title: str,
                   heading: str = "Belege") -> str:
    if not sources:
        return "<p class='muted'>Keine Quellen gefunden.</p>"
    by_n = {c.n: c for c in citations}
    items = []
    if citations:
        items.append(f"<p><b>{heading}</b> (zum Öffnen anklicken)</p>")
        for citation in citations:
            items.append(_citation_block(citation, sources[citation.n - 1]))
        others = [(i, s) for i, s in enumerate(sources, start=1) if i not in by_n]
        if others:
            items.append("<p><b>Weitere gefundene Stellen</b></p>")
            items.extend(_source_block(i, s) for i, s in others)
    else:
        items.append(f"<p><b>{title}</b></p>")
        items.extend(_source_block(i, s) for i, s in enumerate(sources, start=1))
    return "\n".join(items)


def _citation_block(citation: Citation, source: SearchResult) -> str:
    label = html.escape(citation.label())
    return (f"<details class='hit citation' data-n='{citation.n}'>"
            f"<summary>[{citation.n}] {label}</summary>"
            f"<blockquote class='quote'>„{_quote_html(citation)}“</blockquote>"
            f"<div class='passage'>{_marked(source.text, citation.quote, citation.sentence)}</div>"
            f"<p class='origin'>{html.escape(source.title or source.doc)} · Sammlung "
            f"{html.escape(source.collection)}{_version(citation)}</p></details>")


def _quote_html(citation: Citation) -> str:
    """The quote, escaped, with its answering sentence in bold."""
    before, sentence, after = citation.parts()
    bold = f"<strong>{html.escape(sentence)}</strong>" if sentence else ""
    return html.escape(before) + bold + html.escape(after)


def _version(citation: Citation) -> str:
    """" · Satzung/Verordnung der Kommune · gültig 01.01.2019–31.12.2023" (escaped)."""
    parts = [p for p in (citation.level, citation.version_label()) if p]
    return "".join(f" · {html.escape(p)}" for p in parts)


def _source_block(n: int, source: SearchResult) -> str:
    label = html.escape(source_label(source.doc, source.section, source.page))
    return (f"<details class='hit'><summary>[{n}] {label}</summary>"
            f"<div class='passage'>{html.escape(' '.join(source.text.split()))}</div></details>")


def cited_paths(answer: Answer) -> list[str]:
    """Original files of the cited (or, for a refusal, the nearest) sources, once each."""
    numbers = [c.n for c in answer.citations] or list(range(1, len(answer.sources) + 1))
    paths = [answer.sources[n - 1].path for n in numbers if 0 < n <= len(answer.sources)]
    return list(dict.fromkeys(p for p in paths if p))
