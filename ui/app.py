"""Minimal browser page: question -> checked answer with numbered, quoted citations.

The full staff app (chat, documents, prompt lab, login) is built on top of this later; the
page only talks to `Services`.
"""

from __future__ import annotations

import html

import gradio as gr

from assistant.answering import Answer
from assistant.errors import AssistantError
from assistant.services import Services

CSS = """
.hit {border-left: 3px solid #1f4e79; padding: 4px 10px; margin: 8px 0;}
.banner {background: #fff4ce; padding: 6px 10px; border-radius: 4px;}
blockquote {margin: 4px 0; color: #333;}
"""


def local_theme() -> gr.themes.Base:
    """System fonts only: the default theme would fetch Google Fonts, and nothing may leave
    the building."""
    fonts = ["Source Sans Pro", "Segoe UI", "Helvetica", "Arial", "sans-serif"]
    mono = ["DejaVu Sans Mono", "Consolas", "monospace"]
    return gr.themes.Default(font=fonts, font_mono=mono)


def _citation_label(doc: str, section: str | None, page: int | None) -> str:
    return ", ".join(x for x in [doc, section or "", f"S. {page}" if page else ""] if x)


def render_answer(answer: Answer) -> tuple[str, str]:
    """(answer HTML, sources HTML) — German text, escaped document content."""
    banner = ""
    if answer.backend in {"llamacpp", "extractive"}:
        kind = ("kleines eingebautes Sprachmodell" if answer.backend == "llamacpp"
                else "wörtliche Zitate ohne Sprachmodell")
        banner = f"<p class='banner'>Antwort erstellt durch: {kind} ({answer.backend})</p>"
    body = f"{banner}<p>{html.escape(answer.answer)}</p>"
    if answer.unsupported:
        body += f"<p><small>{len(answer.unsupported)} nicht belegte Aussage(n) entfernt.</small></p>"
    items = []
    if answer.citations:
        for c in answer.citations:
            items.append(f"<div class='hit'><b>[{c.n}] {html.escape(_citation_label(c.doc, c.section, c.page))}</b>"
                         f"<blockquote>„{html.escape(c.quote)}“</blockquote></div>")
    else:
        title = "Nächstliegende Quellen" if answer.refused else "Quellen"
        items.append(f"<p><b>{title}</b></p>")
        for i, s in enumerate(answer.sources, start=1):
            items.append(f"<div class='hit'>[{i}] {html.escape(_citation_label(s.doc, s.section, s.page))}</div>")
    return body, "\n".join(items)


def build_app(services: Services) -> gr.Blocks:
    """The page gets ready-made services; it never touches stores or models directly."""

    def run(question: str) -> tuple[str, str]:
        try:
            return render_answer(services.ask(question))
        except AssistantError as exc:
            return f"<p class='error'>{html.escape(exc.message_de)}</p>", ""

    with gr.Blocks(title="Rathaus-Assistent", analytics_enabled=False) as demo:
        gr.Markdown("# Rathaus-Assistent\nFragen zu Satzungen, Verordnungen und Gesetzen – "
                    "jede Aussage mit Beleg.")
        question = gr.Textbox(label="Frage", elem_id="question",
                              placeholder="z. B. Wie hoch ist die Hundesteuer für einen Hund?")
        send = gr.Button("Fragen", elem_id="send", variant="primary")
        answer = gr.HTML(elem_id="chat")
        sources = gr.HTML(elem_id="sources")
        send.click(run, inputs=question, outputs=[answer, sources])
        question.submit(run, inputs=question, outputs=[answer, sources])
    return demo
