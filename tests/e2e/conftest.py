"""A served Rathaus-Assistent (real index, real bundled model) and Debian's Chromium.

Users: anna (staff, no groups), bea (staff, group bauamt), ida (admin), dev (developer).
Collections: "allgemein" (readable by all) and "intern" (only group bauamt).
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.cli import EGRESS_GUARD, bare_env, free_port, wait_for_http
from tests.integration.cli import rathaus as run_rathaus

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
GUARD = EGRESS_GUARD
HOSTILE_DOC = """# Hallenordnung <img src=x onerror="window.__pwned='title';alert('title')">

## § 3 Hallengebühr <script>window.__pwned='heading'</script>

(1) Die Hallengebühr für die Testhalle beträgt 42 Euro je Abend
<script>window.__pwned='script';alert('script')</script> und wird im Voraus bezahlt.
(2) Auskunft gibt [das Hallenamt](javascript:window.__pwned='link') oder
<img src=x onerror="window.__pwned='img'">, Kennwort &lt;b&gt;fett&lt;/b&gt; &amp; &#60;i&#62;.
"""
HOSTILE_NAME = "hallenordnung <b>fett <img src=x onerror=alert(7)>.md"  # no "/" in a name
PASSWORDS = {"anna": "Amsel-Passwort-1", "bea": "Birke-Passwort-2", "ida": "Igel-Passwort-3",
             "dev": "Dachs-Passwort-4"}


@dataclass
class ServedApp:
    url: str
    data: Path
    process: subprocess.Popen
    egress_log: Path  # every outbound connection of the served process (tests/egress_guard.py)
    start: Callable[[], subprocess.Popen]  # `rathaus serve` again, same port and data

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run_rathaus(*args, data_dir=self.data, default_embedder=True)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)

    def restart(self, between: Callable[[], None] = lambda: None) -> None:
        """Stop serve, run `between` (the server is down), start it again and wait for it."""
        self.stop()
        between()
        self.process = self.start()
        wait_for_http(self.url, self.process, "rathaus serve (restarted)", timeout=180)


def _ok(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="package")  # stopped before the integration tests run
def served(tmp_path_factory, shared_corpus: Path, gguf_path: Path) -> Iterator[ServedApp]:
    """Served as installed: the default embedder (EmbeddingGemma) indexes and retrieves."""
    rathaus = functools.partial(run_rathaus, default_embedder=True)
    data = tmp_path_factory.mktemp("web") / "data"
    hostile = data.parent / HOSTILE_NAME
    hostile.write_text(HOSTILE_DOC, encoding="utf-8")
    _ok(rathaus("ingest", "-q", str(shared_corpus / "bund_VwVG.md"),
                str(shared_corpus / "gemeinde_BadBoll_Satzung_Streupflicht.md"), str(hostile),
                data_dir=data))
    _ok(rathaus("ingest", "-q", "-c", "intern",
                str(shared_corpus / "gemeinde_BadBoll_Satzung_Erhebung_Hundesteuer.md"),
                data_dir=data))
    versions = Path(__file__).resolve().parents[1] / "data" / "versions"
    _ok(rathaus("ingest", "-q", "-c", "fassungen",
                *(str(versions / f"gemeinde_BadBoll_Streupflicht_{year}.md")
                  for year in ("2007", "2022")), data_dir=data))
    for name, extra in (("anna", []), ("bea", ["--groups", "bauamt"]),
                        ("ida", ["--role", "admin"]), ("dev", ["--role", "developer"])):
        _ok(rathaus("users", "add", name, "--password", PASSWORDS[name], *extra, data_dir=data))
    _ok(rathaus("collections", "grant", "intern", "--groups", "bauamt", data_dir=data))
    (data.parent / "amtsblatt").mkdir()  # a folder source for the Dokumente tab's sync
    sources = json.dumps([{"name": "amtsblatt", "path": str(data.parent / "amtsblatt")}])
    port = free_port()
    log = (data.parent / "serve.log").open("a")
    egress = data.parent / "egress.jsonl"

    def start() -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, str(GUARD), str(egress), "-m", "cli", "serve", "--port", str(port)],
            cwd=data.parent,
            env=bare_env(data, default_embedder=True, RATHAUS_LLM__BACKEND="llamacpp",
                         RATHAUS_LLM__LLAMACPP_MODEL=str(gguf_path),
                         RATHAUS_SYNC__SOURCES=sources, RATHAUS_SYNC__STABLE_SECONDS="0"),
            stdout=log, stderr=subprocess.STDOUT, text=True)

    url = f"http://127.0.0.1:{port}/"
    app = ServedApp(url, data, start(), egress, start)
    wait_for_http(url, app.process, "rathaus serve", timeout=180)
    yield app
    app.stop()
    log.close()


@pytest.fixture(scope="package")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: install Debian's chromium (scripts/install.sh --test)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def open_page(browser, served: ServedApp):
    """open_page(user) -> a logged-in page in a fresh German-locale context; every request
    the page makes is recorded in `page.requests_seen` (nothing may leave 127.0.0.1)."""
    contexts = []

    def factory(user: str):
        context = browser.new_context(locale="de-DE", viewport={"width": 1400, "height": 1000})
        contexts.append(context)
        page = context.new_page()
        page.requests_seen = []
        page.on("request", lambda request: page.requests_seen.append(request.url))
        page.goto(served.url)
        page.get_by_label("Benutzername").fill(user)
        page.get_by_label("Passwort").fill(PASSWORDS[user])
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_selector("#whoami:has-text('Angemeldet als')", timeout=60_000)
        return page

    yield factory
    for context in contexts:
        context.close()
