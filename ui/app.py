"""Minimal search page: question -> retrieved passages with citations (the chat comes later)."""

from __future__ import annotations

import html

import gradio as gr

from assistant.errors import AssistantError
from assistant.services import Services


def _render(results) -> str:
    if not results:
        return "<p>Keine passenden Abschnitte gefunden.</p>"
    items = []
    for i, r in enumerate(results, start=1):
        cite = ", ".join(x for x in [r.doc, r.section or "", f"S. {r.page}" if r.page else ""] if x)
        items.append(
            f"<div class='hit'><b>[{i}] {html.escape(cite)}</b>"
            f"<div class='title'>{html.escape(r.title)}</div>"
            f"<blockquote>{html.escape(r.text)}</blockquote></div>"
        )
    return "\n".join(items)


def build_app(services: Services) -> gr.Blocks:
    """The page gets ready-made services; it never touches stores or models directly."""

    def run(query: str) -> str:
        try:
            return _render(services.search(query, k=5))
        except AssistantError as exc:
            return f"<p class='error'>{html.escape(exc.message_de)}</p>"

    with gr.Blocks(title="Rathaus-Assistent", analytics_enabled=False) as demo:
        gr.Markdown("# Rathaus-Assistent\nSuche in Satzungen, Verordnungen und Gesetzen.")
        question = gr.Textbox(label="Frage", elem_id="question", placeholder="z. B. Wie hoch ist die Hundesteuer?")
        send = gr.Button("Suchen", elem_id="send", variant="primary")
        sources = gr.HTML(elem_id="sources")
        send.click(run, inputs=question, outputs=sources)
        question.submit(run, inputs=question, outputs=sources)
    return demo
