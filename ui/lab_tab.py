"""The "Prompt-Labor" page (roles developer, admin): edit a prompt version, run it on a
question or a question file, see everything in between, save the edit as a new version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr

from assistant.answer.prompting import PromptTemplate, parse_template
from assistant.asking import AskingService
from assistant.evaluation.harness import load_questions
from assistant.identity.access import AccessService
from core.errors import AssistantError
from ui.chat_tab import ALL, chosen
from ui.render import answer_markdown
from ui.session import current_user, require

RETRIEVED_HEADERS = ["Rang", "Dokument", "Abschnitt", "Seite", "Score", "Dense", "BM25", "Text"]


def _developer(access: AccessService, request: gr.Request):
    user = current_user(access, request)
    require(user.can_use_prompt_lab, "das Prompt-Labor")
    return user


def _template(text: str) -> PromptTemplate:
    try:
        return parse_template(text, "Der bearbeitete Prompt")
    except AssistantError as exc:
        raise gr.Error(exc.message_de) from exc


def build_lab_tab(asking: AskingService, access: AccessService) -> dict[str, Any]:
    with gr.Row():
        version = gr.Dropdown(label="Prompt-Version", elem_id="prompt-version", scale=2)
        save = gr.Button("Als neue Version speichern", elem_id="prompt-save", scale=1)
    editor = gr.Code(label="Prompt (YAML + Jinja)", language="yaml", elem_id="prompt-editor",
                     lines=14, interactive=True)
    prompt_status = gr.Markdown(elem_id="prompt-status")
    with gr.Row():
        question = gr.Textbox(label="Testfrage", elem_id="lab-question", scale=4)
        collection = gr.Dropdown(label="Sammlung", elem_id="lab-collection", scale=2,
                                 allow_custom_value=True)
        run = gr.Button("Ausführen", elem_id="lab-run", variant="primary", scale=1)
    answer = gr.Markdown(elem_id="lab-answer")
    verdict = gr.JSON(label="Prüfung", elem_id="lab-verdict")
    retrieved = gr.Dataframe(headers=RETRIEVED_HEADERS, label="Gefundene Abschnitte",
                             elem_id="lab-retrieved", interactive=False, wrap=True)
    rendered = gr.Code(label="Gerenderter Prompt", elem_id="lab-rendered", interactive=False,
                       lines=10)
    gr.Markdown("### Fragedatei auswerten (JSONL, Schema wie `qa/dev.jsonl`)")
    with gr.Row():
        questions_file = gr.File(label="Fragedatei", elem_id="eval-file", file_types=[".jsonl"],
                                 type="filepath")
        with gr.Column():
            retrieval_only = gr.Checkbox(True, label="Nur Retrieval (schnell)",
                                         elem_id="eval-retrieval-only")
            run_eval = gr.Button("Auswerten", elem_id="eval-run")
    metrics = gr.JSON(label="Kennzahlen", elem_id="eval-metrics")
    per_question = gr.Dataframe(headers=["ID", "Typ", "Treffer-Rang", "Antwort"],
                                elem_id="eval-rows", interactive=False, wrap=True)

    def load_version(ref: str, request: gr.Request):
        _developer(access, request)
        name, _, number = (ref or "").partition("@")
        try:
            return asking.prompts.source(name, int(number))
        except (AssistantError, ValueError) as exc:
            raise gr.Error(f"Prompt {ref} lässt sich nicht laden") from exc

    def on_run(text: str, question_text: str, collection_name: str, request: gr.Request):
        user = _developer(access, request)
        if not (question_text or "").strip():
            raise gr.Error("Bitte eine Testfrage eingeben.")
        template = _template(text)
        try:
            result = asking.ask(question_text, collections=chosen(collection_name), user=user,
                                  template=template)
        except AssistantError as exc:
            raise gr.Error(exc.message_de) from exc
        rows = [[i, s.doc, s.section or "", s.page or "", round(s.score, 4),
                 None if s.dense_score is None else round(s.dense_score, 4),
                 None if s.keyword_score is None else round(s.keyword_score, 3),
                 " ".join(s.text.split())[:300]] for i, s in enumerate(result.sources, start=1)]
        check = {"Art": result.label, "verweigert": result.refused,
                 "Verweigerungsgrund": result.refusal_reason or None,
                 "jede Aussage belegt (grounded)": result.grounded,
                 "beantwortet die Frage": result.answers_question,
                 "Evidenz (bester Satz)": round(result.support, 3),
                 "Schwelle": asking.reader_settings.min_evidence,
                 "Sätze (bester zuerst)": [
                     {"[n]": s.n, "Satz": s.sentence, "Score": round(s.score, 3),
                      "Ähnlichkeit": round(s.features.similarity, 3),
                      "Abdeckung": round(s.features.coverage, 3),
                      "Kontext": round(s.features.context, 3),
                      "Antworttyp": s.features.answer_type}
                     for s in (result.reading.ranked[:8] if result.reading else ())],
                 "entfernte Sätze": result.unsupported, "Backend": result.backend,
                 "Prompt": result.prompt, "Rohantwort des Modells": result.draft,
                 "Zitate": [c.to_json() for c in result.citations]}
        prompt_text = result.rendered_prompt or (
            "(kein Prompt: Verweigerung wegen zu schwacher Evidenz)"
            if result.refusal_reason == "evidence"
            else "(kein Sprachmodell: wörtliche Zitate)")
        return answer_markdown(result), check, rows, prompt_text  # as the chat bubble shows it

    def on_save(text: str, request: gr.Request):
        _developer(access, request)
        saved = asking.prompts.save_new_version(_template(text))
        refs = asking.prompts.refs()
        return (f"Gespeichert als **{saved.ref}**. Zum Aktivieren in settings.yaml "
                f"`answer.prompt_{saved.kind}: {saved.ref}` setzen.",
                gr.Dropdown(choices=refs, value=saved.ref))

    def on_eval(path: str | None, only_retrieval: bool, text: str, collection_name: str,
                request: gr.Request, progress=gr.Progress(track_tqdm=False)):
        user = _developer(access, request)
        if not path:
            raise gr.Error("Bitte eine Fragedatei (JSONL) hochladen.")
        try:
            questions = load_questions(Path(path))
            progress(0, desc=f"{len(questions)} Fragen")
            rows, summary = asking.evaluate(
                questions, collections=chosen(collection_name), retrieval_only=only_retrieval,
                user=user, template=None if only_retrieval else _template(text))
        except AssistantError as exc:
            raise gr.Error(exc.message_de) from exc
        table = [[r.question.id, r.question.type, r.rank or "",
                  (r.answer or {}).get("answer") or ""] for r in rows]
        return summary.to_json(), table

    version.change(load_version, version, editor, api_name=False)
    run.click(on_run, [editor, question, collection], [answer, verdict, retrieved, rendered],
              api_name="lab_run")
    save.click(on_save, editor, [prompt_status, version], api_name="prompt_save")
    run_eval.click(on_eval, [questions_file, retrieval_only, editor, collection],
                   [metrics, per_question], api_name="lab_eval")

    def on_load(request: gr.Request):
        user = current_user(access, request)
        if not user.can_use_prompt_lab:
            return gr.update(), gr.update(), gr.update()
        pinned = asking.pinned_template().ref
        name, _, number = pinned.partition("@")
        return (gr.Dropdown(choices=asking.prompts.refs(), value=pinned),
                asking.prompts.source(name, int(number)),
                gr.Dropdown(choices=[ALL] + access.readable_collections(user), value=ALL))

    return {"load": (on_load, [version, editor, collection])}
