"""Hostile markup stays text in Chromium, a disguised upload is refused, and the served process
never connected outside.

Runs after test_web_app.py (file order), so the egress check covers every browser session of
the e2e suite: logins, streamed answers, uploads, the Prompt-Labor."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import GUARD, HOSTILE_NAME, ServedApp
from tests.e2e.test_web_app import ask, only_local, wait_for_answer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

INJECTED = """() => ({
  scripts: document.querySelectorAll('#chat script, #sources script, #documents script').length,
  handlers: [...document.querySelectorAll('*')].filter(
      e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
  js_links: document.querySelectorAll('a[href^="javascript:" i]').length,
  pwned: window.__pwned ?? null,
})"""


def test_hostile_markup_in_a_document_is_shown_as_text(open_page, served: ServedApp) -> None:
    page = open_page("ida")  # an admin sees the chat and the documents table
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    ask(page, "Wie hoch ist die Hallengebühr für die Testhalle?")
    wait_for_answer(page)
    for summary in page.locator("#sources details summary").all():
        summary.click()
    sources = page.locator("#sources").inner_text()
    assert HOSTILE_NAME in sources
    assert "<img src=x onerror=" in sources or "<script>" in sources  # visible, as text

    page.get_by_role("tab", name="Dokumente").click()
    page.wait_for_selector("#documents")
    table = page.locator("#documents").inner_text()
    assert HOSTILE_NAME in table

    assert page.evaluate(INJECTED) == {"scripts": 0, "handlers": 0, "js_links": 0,
                                       "pwned": None}
    assert dialogs == []
    only_local(page)


def test_an_upload_whose_content_lies_is_refused_through_the_api(served: ServedApp,
                                                                 tmp_path) -> None:
    """The Dokumente tab's own endpoint, as an admin's script would call it."""
    from gradio_client import Client, handle_file

    from tests.e2e.conftest import PASSWORDS
    from tests.hostile import pdf_named

    disguised = pdf_named(tmp_path / "bescheid.md")
    ida = Client(served.url, auth=("ida", PASSWORDS["ida"]), verbose=False)
    status, *_ = ida.predict([handle_file(str(disguised))], "allgemein", api_name="/upload")
    assert "FEHLER bescheid.md" in status and "passt nicht zur Endung .md" in status
    assert not (served.data / "uploads" / "allgemein" / "bescheid.md").exists()


def test_the_served_process_made_no_outbound_connection(served: ServedApp) -> None:
    assert str(GUARD) in served.process.args  # the app ran under the recording hook
    recorded = ([json.loads(line) for line in served.egress_log.read_text().splitlines()]
                if served.egress_log.exists() else [])
    assert recorded == []
