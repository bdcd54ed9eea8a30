"""The chat's compare view: what changed between two versions of a norm, § by §, with the
asker's rights (the same comparison as `rathaus compare`)."""

from __future__ import annotations

import gradio as gr

from assistant.asking import AskingService
from assistant.identity.access import AccessService
from assistant.versions.compare import Comparison
from core.errors import AssistantError
from ui.session import current_user


def comparison_markdown(comparison: Comparison) -> str:
    head, *rest = comparison.lines()
    return "\n".join([f"**{head}**", "", *(f"- {line}" for line in rest)])


def build_compare_view(asking: AskingService, access: AccessService) -> None:
    """An accordion under the chat: norm, two days (empty: today), the changes."""
    with gr.Accordion("Fassungen vergleichen", open=False, elem_id="compare"):
        with gr.Row():
            norm = gr.Textbox(label="Norm (norm_id oder Dateiname einer Fassung)",
                              elem_id="compare-norm", scale=3)
            first = gr.Textbox(label="Stand alt", elem_id="compare-from",
                               placeholder="z. B. 01.03.2020", scale=1)
            second = gr.Textbox(label="Stand neu", elem_id="compare-to",
                                placeholder="leer: heute", scale=1)
            run = gr.Button("Vergleichen", elem_id="compare-run", scale=1)
        result = gr.Markdown(elem_id="compare-result")

    def on_compare(norm_name: str, old_day: str, new_day: str, request: gr.Request) -> str:
        user = current_user(access, request)
        if not (norm_name or "").strip():
            return "⚠️ Bitte eine Norm angeben (norm_id oder Dateiname)."
        try:
            return comparison_markdown(asking.compare(norm_name.strip(), (old_day or "").strip(),
                                                      (new_day or "").strip(), user))
        except AssistantError as exc:
            return f"⚠️ {exc.message_de}"

    run.click(on_compare, [norm, first, second], result, api_name="compare")
