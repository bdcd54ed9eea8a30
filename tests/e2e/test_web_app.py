"""The web app in real Chromium: login, streamed cited answers, upload, rights, feedback, audit."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.e2e.conftest import PASSWORDS, ServedApp

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

RECORD_CHAT = """
() => {
  window.__chatTexts = [];
  const chat = document.querySelector('#chat');
  new MutationObserver(() => window.__chatTexts.push(chat.innerText))
    .observe(chat, {childList: true, subtree: true, characterData: true});
}
"""


def ask(page, question: str) -> None:
    page.fill("#question textarea", question)
    page.click("#send")


def wait_for_answer(page) -> None:
    """The final bubble ends with "label · backend · prompt"; previews and drafts do not."""
    page.wait_for_selector("#sources details", timeout=120_000)
    page.wait_for_function(
        "() => document.querySelector('#chat').innerText.includes('· answer_')", timeout=180_000)


def only_local(page) -> None:
    hosts = {urlparse(u).hostname for u in page.requests_seen if u.startswith("http")}
    assert hosts == {"127.0.0.1"}, f"page contacted {hosts}"


def test_staff_gets_streamed_answer_and_opens_quoted_citation(open_page, served: ServedApp,
                                                             artifacts: Path) -> None:
    page = open_page("anna")
    assert page.locator("#backend-banner").inner_text().strip(), "banner names the backend"
    page.screenshot(path=artifacts / "chat-start.png", full_page=True)
    page.evaluate(RECORD_CHAT)
    question = "Wie hoch darf ein Zwangsgeld nach dem Verwaltungs-Vollstreckungsgesetz sein?"
    ask(page, question)
    wait_for_answer(page)
    seen = page.evaluate("window.__chatTexts")
    preview = next(i for i, text in enumerate(seen) if "wird noch geprüft" in text)
    streamed = next(i for i, text in enumerate(seen) if "▌" in text)
    assert preview < streamed, "the Fundstelle must be shown before the model's first token"
    final = page.locator("#chat").inner_text()
    assert "[1]" in final and "geprüfte Antwort" in final  # labelled by what was checked
    assert "25 000" in final
    citation = page.locator("#sources details.citation").first
    passage = citation.locator(".passage")
    assert not passage.is_visible()  # closed until clicked
    citation.locator("summary").click()
    assert passage.is_visible()
    assert "bund_VwVG.md" in citation.locator("summary").inner_text()
    quote = citation.locator(".quote").inner_text().strip("„“ ")
    assert quote and " ".join(quote.split()) in " ".join(passage.inner_text().split())
    assert "25" in quote and "Euro" in quote  # the passage that holds the amount
    link = page.locator("#downloads a[download='bund_VwVG.md']")
    original = page.request.get(link.first.get_attribute("href"))
    assert original.ok and "Zwangsgeld" in original.text()  # the file itself downloads
    page.screenshot(path=artifacts / "chat-answer-citation-open.png", full_page=True)
    only_local(page)

    entries = [json.loads(line) for line in served.cli("audit", "export").stdout.splitlines()]
    mine = [e for e in entries if e["user"] == "anna" and e["question"] == question]
    assert mine and any("bund_VwVG.md" in s for s in mine[-1]["sources"])
    assert mine[-1]["prompt"].startswith("answer_")


def test_feedback_with_comment_is_stored(open_page, served: ServedApp) -> None:
    page = open_page("anna")
    ask(page, "Womit sollen Gehwege bei Glätte in Bad Boll bestreut werden?")
    wait_for_answer(page)
    page.fill("#feedback-comment textarea", "Quelle passt, Antwort knapp")
    page.click("#feedback-down")
    page.wait_for_selector("#feedback-status:has-text('gespeichert')", timeout=30_000)
    with sqlite3.connect(served.data / "feedback.sqlite3") as db:
        rows = db.execute("SELECT user, rating, comment, question FROM feedback").fetchall()
    assert ("anna", -1, "Quelle passt, Antwort knapp",
            "Womit sollen Gehwege bei Glätte in Bad Boll bestreut werden?") in rows


def test_restricted_collection_is_neither_offered_nor_retrievable(open_page, served: ServedApp,
                                                                 artifacts: Path) -> None:
    from gradio_client import Client

    page = open_page("anna")
    assert page.get_by_role("tab", name="Dokumente").count() == 0
    assert page.get_by_role("tab", name="Prompt-Labor").count() == 0
    page.locator("#collection input").click()
    options = page.get_by_role("option").all_inner_texts()
    page.screenshot(path=artifacts / "chat-collections-staff.png", full_page=True)
    assert "allgemein" in options and "intern" not in options

    question = "Wie hoch ist die Hundesteuer für einen Hund im Jahr?"
    anna = Client(served.url, auth=("anna", PASSWORDS["anna"]), verbose=False)
    with pytest.raises(Exception, match="Keine Leserechte"):
        anna.predict(question, [], "intern", api_name="/ask")
    _, _, sources, _ = anna.predict(question, [], "Alle meine Sammlungen", api_name="/ask")
    assert "Hundesteuer" not in sources

    bea = Client(served.url, auth=("bea", PASSWORDS["bea"]), verbose=False)
    _, _, sources, _ = bea.predict(question, [], "intern", api_name="/ask")
    assert "gemeinde_BadBoll_Satzung_Erhebung_Hundesteuer.md" in sources

    with pytest.raises(Exception, match="Keine Berechtigung"):
        anna.predict("intern", "", api_name="/collection_grant")


def test_admin_uploads_a_document_and_gets_an_answer_from_it(open_page, served: ServedApp,
                                                             tmp_path: Path,
                                                             artifacts: Path) -> None:
    memo = tmp_path / "Dienstanweisung_Fahrtenbuch.md"
    memo.write_text(
        "# Dienstanweisung Dienstfahrzeuge\n\n## § 4 Fahrtenbuch\n\n"
        "(1) Für jedes Dienstfahrzeug ist ein Fahrtenbuch zu führen.\n"
        "(2) Das Fahrtenbuch ist monatlich bis zum fünften Arbeitstag des Folgemonats beim "
        "Hauptamt abzugeben.\n", encoding="utf-8")
    from gradio_client import Client

    stored = (served.data / "uploads" / "allgemein" / memo.name).resolve()
    page = open_page("ida")
    try:
        page.get_by_role("tab", name="Dokumente").click()
        page.wait_for_selector("#documents")
        page.set_input_files("#upload input[type=file]", str(memo))
        page.click("#upload-send")
        page.wait_for_selector("#upload-status:has-text('1 indexiert')", timeout=180_000)
        assert page.locator("#documents").get_by_text(memo.name).count() >= 1
        assert stored.is_file()  # the upload is kept in the data directory
        page.screenshot(path=artifacts / "documents-after-upload.png", full_page=True)

        page.get_by_role("tab", name="Chat").click()
        ask(page, "Bis wann muss das Fahrtenbuch für Dienstfahrzeuge abgegeben werden?")
        wait_for_answer(page)
        cited = page.locator("#sources details.citation")
        assert "Dienstanweisung_Fahrtenbuch.md" in cited.first.locator("summary").inner_text()
        assert "fünften Arbeitstag" in cited.first.locator(".quote").text_content()
        only_local(page)
    finally:  # the served index is shared by the session's other tests
        ida = Client(served.url, auth=("ida", PASSWORDS["ida"]), verbose=False)
        message, *_ = ida.predict(f"allgemein | {stored}", api_name="/document_delete")
    assert "entfernt" in message and not stored.exists()


def test_admin_syncs_a_folder_source_from_the_documents_tab(open_page, served: ServedApp
                                                            ) -> None:
    from gradio_client import Client

    notice = served.data.parent / "amtsblatt" / "Bekanntmachung_Sperrung.md"
    page = open_page("ida")
    try:
        page.get_by_role("tab", name="Dokumente").click()
        page.wait_for_selector("#sync-sources:has-text('noch nie gelaufen')")
        assert "amtsblatt" in page.locator("#sync-sources").inner_text()
        notice.write_text("# Bekanntmachung\n\n## § 1 Sperrung\n\nDie Lindenstraße ist vom "
                          "3. bis 7. März gesperrt.\n", encoding="utf-8")
        page.click("#sync-run")
        page.wait_for_selector("#upload-status:has-text('1 Quelle(n) abgeglichen')",
                               timeout=120_000)
        page.wait_for_selector("#sync-sources:has-text('1 indexiert, 0 entfernt')")
        assert page.locator("#documents").get_by_text(notice.name).count() >= 1
    finally:  # the served index is shared by the session's other tests
        ida = Client(served.url, auth=("ida", PASSWORDS["ida"]), verbose=False)
        ida.predict(f"allgemein | {notice.resolve()}", api_name="/document_delete")
        notice.unlink(missing_ok=True)


def test_developer_runs_a_prompt_in_the_lab(open_page, artifacts: Path) -> None:
    page = open_page("dev")
    assert page.get_by_role("tab", name="Dokumente").count() == 0
    page.get_by_role("tab", name="Prompt-Labor").click()
    page.wait_for_selector("#prompt-editor .cm-content:has-text('version')", timeout=30_000)
    page.fill("#lab-question textarea", "Wie hoch darf das Zwangsgeld sein?")
    page.click("#lab-run")
    page.wait_for_selector("#lab-retrieved:has-text('bund_VwVG.md')", timeout=120_000)
    page.wait_for_selector("#lab-rendered .cm-content:has-text('Zwangsgeld')", timeout=120_000)
    verdict = page.locator("#lab-verdict").inner_text()
    assert "beantwortet die Frage" in verdict and "Verweigerungsgrund" in verdict
    page.screenshot(path=artifacts / "prompt-lab.png", full_page=True)


def test_staff_asks_as_of_a_date_and_compares_two_versions(open_page, served: ServedApp,
                                                          artifacts: Path) -> None:
    from gradio_client import Client

    page = open_page("anna")
    page.locator("#collection input").click()
    page.get_by_role("option", name="fassungen").click()
    page.fill("#as-of textarea", "01.03.2020")
    ask(page, "Bis wann müssen die Gehwege montags bis freitags geräumt und gestreut sein?")
    wait_for_answer(page)
    bubble = page.locator("#chat").inner_text()
    assert "Stand 01.03.2020" in bubble
    found = page.locator("#sources details summary").all_inner_texts()
    assert any("Streupflicht_2007" in s for s in found), found
    # today's version appears only as the passage the version note points to
    today = [s.split(" ")[0] for s in found if "Streupflicht_2022" in s]
    assert all(f"heute gilt: {n}" in bubble for n in today), (today, bubble)
    page.get_by_text("Fassungen vergleichen").click()
    page.fill("#compare-norm textarea", "badboll-streupflicht")
    page.fill("#compare-from textarea", "01.03.2020")
    page.click("#compare-run")
    page.wait_for_selector("#compare-result:has-text('→')", timeout=60_000)
    result = page.locator("#compare-result").inner_text()
    page.screenshot(path=artifacts / "chat-as-of-and-compare.png", full_page=True)
    assert "7.00 Uhr → 6.30 Uhr" in result and "Streupflicht_2022" in result
    anna = Client(served.url, auth=("anna", PASSWORDS["anna"]), verbose=False)
    assert "→" in anna.predict("badboll-streupflicht", "2020-03-01", "", api_name="/compare")
    assert "Keine eindeutige Norm" in anna.predict("gibtsnicht", "", "", api_name="/compare")
    only_local(page)
