"""The staff web app: Chat for everyone, Dokumente for admins, Prompt-Labor for developers.

Tabs a user may not use are hidden, but hiding is only convenience: every handler checks the
user's role and rights again on the server (see ui.session), and retrieval filters by the
collections the user may read.
"""

from __future__ import annotations

import html

import gradio as gr

from assistant.wiring import Services
from ui.chat_tab import build_chat_tab
from ui.documents_tab import build_documents_tab
from ui.lab_tab import build_lab_tab
from ui.session import current_user

CSS = """
.banner {background: #fff4ce; border: 1px solid #e8d48b; padding: 6px 10px; border-radius: 4px;}
.hit {border-left: 3px solid #1f4e79; padding: 4px 10px; margin: 8px 0;}
.hit summary {cursor: pointer; font-weight: 600;}
.hit .quote {margin: 6px 0; font-style: italic;}
.hit .passage {font-size: 0.9em; color: #333; max-height: 18em; overflow-y: auto;}
.hit mark {background: #ffe58a;}
.hit .origin, .muted {color: #666; font-size: 0.85em;}
#whoami {text-align: right;}
"""
ROLE_DE = {"staff": "Sachbearbeitung", "admin": "Administration", "developer": "Entwicklung"}


def local_theme() -> gr.themes.Base:
    """System fonts only: the default theme would fetch Google Fonts, and nothing may leave
    the building."""
    fonts = ["Source Sans Pro", "Segoe UI", "Helvetica", "Arial", "sans-serif"]
    mono = ["DejaVu Sans Mono", "Consolas", "monospace"]
    return gr.themes.Default(font=fonts, font_mono=mono)


def build_app(services: Services) -> gr.Blocks:
    """The page gets ready-made services; it never touches stores or models directly."""
    with gr.Blocks(title="Rathaus-Assistent", analytics_enabled=False) as demo:
        with gr.Row():
            gr.Markdown("## Rathaus-Assistent\nFragen zu Satzungen, Verordnungen und Gesetzen – "
                        "jede Aussage mit Beleg.")
            whoami = gr.HTML(elem_id="whoami")
        with gr.Tabs():
            with gr.Tab("Chat", id="chat-tab", elem_id="tab-chat"):
                chat = build_chat_tab(services.asking, services.access, services.feedback)
            with gr.Tab("Dokumente", id="documents-tab", elem_id="tab-documents",
                        visible=False) as documents_tab:
                documents = build_documents_tab(services.documents, services.access,
                                                services.sync)
            with gr.Tab("Prompt-Labor", id="lab-tab", elem_id="tab-lab",
                        visible=False) as lab_tab:
                lab = build_lab_tab(services.asking, services.access)

        def on_load(request: gr.Request):
            user = current_user(services.access, request)
            who = (f"Angemeldet als <b>{html.escape(user.name)}</b> "
                   f"({ROLE_DE.get(user.role, user.role)}) · <a href='/logout'>Abmelden</a>")
            return (who, gr.Tab(visible=user.can_manage_documents),
                    gr.Tab(visible=user.can_use_prompt_lab))

        demo.load(on_load, None, [whoami, documents_tab, lab_tab], api_name=False)
        for part in (chat, documents, lab):
            handler, outputs = part["load"]
            demo.load(handler, None, outputs, api_name=False)
    return demo
