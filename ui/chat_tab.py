"""The chat page every user sees: streamed answers, quoted citations, sources, feedback."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.answer.conversation import Turn
from assistant.answer.result import Answer, Preview
from assistant.asking import AskingService
from assistant.identity.access import AccessService
from assistant.records.feedback import Feedback, FeedbackStore
from core.errors import AssistantError
from ui.compare_view import build_compare_view
from ui.render import (
    answer_markdown,
    backend_banner,
    cited_paths,
    preview_markdown,
    preview_sources_html,
    sources_html,
)
from ui.session import current_user
from ui.streaming import stream_tokens

ALL = "Alle meine Sammlungen"
DOWNLOADS = Path(tempfile.gettempdir()) / "rathaus-downloads"


def chosen(collection: str | None) -> list[str] | None:
    return None if not collection or collection == ALL else [collection]


def _downloadable(paths: list[str]) -> list[str]:
    """Copies of the cited originals for download.

    Only files the answer cited are handed to the browser (so rights stay those of retrieval),
    copied to a temporary folder keyed by content so the data directory is never exposed."""
    copies = []
    for original in paths:
        source = Path(original)
        if not source.is_file():
            continue
        digest = hashlib.sha256(str(source.resolve()).encode() + str(source.stat().st_mtime_ns)
                                .encode()).hexdigest()[:16]
        target = DOWNLOADS / digest / source.name
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        copies.append(str(target))
    return copies


def build_chat_tab(asking: AskingService, access: AccessService, feedback: FeedbackStore
                   ) -> dict[str, Any]:
    """Create the chat components inside the current Blocks context; returns those the app
    wires to page-load events."""
    banner = gr.HTML(elem_id="backend-banner")
    with gr.Row():
        # custom values pass Gradio's own check; the rights check below decides
        collection = gr.Dropdown(label="Sammlung", choices=[ALL], value=ALL, elem_id="collection",
                                 scale=3, interactive=True, allow_custom_value=True)
        as_of = gr.Textbox(label="Stand (Datum, optional)", elem_id="as-of", scale=2,
                           placeholder="leer: heute geltende Fassungen; z. B. 01.03.2020")
        new_chat = gr.Button("Neue Unterhaltung", elem_id="new-chat", scale=1)
    with gr.Row():
        with gr.Column(scale=3):
            chat = gr.Chatbot(label="Unterhaltung", elem_id="chat", height=460,
                              buttons=["copy"], feedback_options=None,
                              placeholder="Stellen Sie eine Frage zu Satzungen, Verordnungen "
                                          "und Gesetzen. Jede Aussage wird belegt.")
            with gr.Row():
                question = gr.Textbox(label="Frage", elem_id="question", scale=5, lines=1,
                                      placeholder="z. B. Wie hoch ist die Hundesteuer?")
                send = gr.Button("Fragen", elem_id="send", variant="primary", scale=1)
            examples = gr.Dataset(label="Beispielfragen", components=[question], samples=[],
                                  elem_id="examples", samples_per_page=4)
            with gr.Row():
                up = gr.Button("✓ Hilfreich", elem_id="feedback-up", size="sm")
                down = gr.Button("✗ Nicht hilfreich", elem_id="feedback-down", size="sm")
                comment = gr.Textbox(show_label=False, placeholder="Kommentar (optional)",
                                     elem_id="feedback-comment", scale=3, lines=1)
            feedback_status = gr.Markdown(elem_id="feedback-status")
            build_compare_view(asking, access)
            # the `/ask` API keeps its inputs: API callers pass `as_of` through /v1 instead
            api_ask = gr.Button(visible=False, elem_id="ask-api")
        with gr.Column(scale=2):
            sources = gr.HTML("<p class='muted'>Hier erscheinen die Belege.</p>",
                              elem_id="sources")
            downloads = gr.File(label="Originaldokumente", elem_id="downloads",
                                file_count="multiple", interactive=False)
    turns = gr.State([])
    last = gr.State({})

    def respond(text: str, history: list, collection_name: str, past: list,
                request: gr.Request):
        yield from answer_in_chat(text, history, collection_name, past, None, request)

    def respond_as_of(text: str, history: list, collection_name: str, past: list,
                      day: str, request: gr.Request):
        yield from answer_in_chat(text, history, collection_name, past, day, request)

    def answer_in_chat(text: str, history: list, collection_name: str, past: list,
                       day: str | None, request: gr.Request):
        user = current_user(access, request)
        text = (text or "").strip()
        if not text:
            raise gr.Error("Bitte eine Frage eingeben.")
        try:  # the one rights check of this question; asking reads the scope
            scope = access.scope(user, chosen(collection_name))
        except AssistantError as exc:
            raise gr.Error(exc.message_de) from exc
        history = list(history or []) + [{"role": "user", "content": text},
                                         {"role": "assistant", "content": "…"}]
        yield history, "", gr.update(), gr.update(), past, {}
        partial, lead = "", "…"
        answer: Answer | None = None
        try:
            for item in stream_tokens(lambda on_token: asking.ask(
                    text, scope=scope, history=[Turn(**t) for t in past],
                    on_token=on_token, as_of=(day or "").strip() or None)):
                if isinstance(item, Preview):  # the Fundstelle at once, while the model reads
                    lead = preview_markdown(item)
                    history[-1]["content"] = lead
                    yield history, "", preview_sources_html(item), gr.update(), past, {}
                elif isinstance(item, str):
                    partial += item
                    history[-1]["content"] = f"{lead}\n\n---\n_Entwurf des Modells:_ {partial} ▌"
                    yield history, "", gr.update(), gr.update(), past, {}
                else:
                    answer = item
        except AssistantError as exc:
            history[-1]["content"] = f"⚠️ {exc.message_de}"
            yield history, "", gr.update(), gr.update(), past, {}
            return
        assert answer is not None
        history[-1]["content"] = answer_markdown(answer)
        past = (list(past) + [{"question": answer.query or text, "answer": answer.answer}])[-5:]
        record = {"question": text, "answer": answer.answer, "backend": answer.backend,
                  "prompt": answer.prompt,
                  "citations": [f"[{c.n}] {c.doc} {c.section or ''}".strip()
                                for c in answer.citations]}
        yield (history, "", sources_html(answer), _downloadable(cited_paths(answer)), past,
               record)

    outputs = [chat, question, sources, downloads, turns, last]
    api_ask.click(respond, [question, chat, collection, turns], outputs, api_name="ask")
    dated_inputs = [question, chat, collection, turns, as_of]
    send.click(respond_as_of, dated_inputs, outputs, api_name=False)
    question.submit(respond_as_of, dated_inputs, outputs, api_name=False)

    def reset():
        return [], "", "<p class='muted'>Hier erscheinen die Belege.</p>", None, [], {}, ""

    new_chat.click(reset, None, outputs + [feedback_status], api_name=False)
    examples.click(lambda sample: sample[0], examples, question, api_name=False)

    def give_feedback(rating: int):
        def handler(record: dict, note: str, request: gr.Request):
            user = current_user(access, request)
            if not record:
                return "Bitte zuerst eine Frage stellen.", note
            feedback.add(Feedback(
                user=user.name, question=record["question"], answer=record["answer"],
                rating=rating, comment=note or "", backend=record["backend"],
                prompt=record["prompt"], citations=record["citations"]))
            return "Danke – Ihre Rückmeldung ist gespeichert.", ""
        return handler

    up.click(give_feedback(1), [last, comment], [feedback_status, comment], api_name="feedback_up")
    down.click(give_feedback(-1), [last, comment], [feedback_status, comment],
               api_name="feedback_down")

    def on_collection(collection_name: str, request: gr.Request):
        user = current_user(access, request)
        try:
            samples = asking.example_questions(user, chosen(collection_name))
        except AssistantError as exc:
            raise gr.Error(exc.message_de) from exc
        return gr.Dataset(samples=[[q] for q in samples])

    collection.change(on_collection, collection, examples, api_name=False)

    def on_load(request: gr.Request):
        user = current_user(access, request)
        choices = [ALL] + access.readable_collections(user)
        samples = asking.example_questions(user, None)
        return (backend_banner(asking.backend_name),
                gr.Dropdown(choices=choices, value=ALL),
                gr.Dataset(samples=[[q] for q in samples]))

    return {"load": (on_load, [banner, collection, examples]), "collection": collection}
