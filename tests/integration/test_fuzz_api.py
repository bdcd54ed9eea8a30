"""Generated input against the served app: `/v1/chat/completions` and `/v1/models` from their
OpenAPI schema (schemathesis: valid and schema-violating bodies), the Gradio `/ask` and
`/compare` endpoints through `gradio_client` (control characters, lone surrogates, 100 kB
questions, odd dates), raw bytes that are not UTF-8. Expected: no 5xx, every error in the
documented shape, and the server and its index intact afterwards.

A fixed example budget keeps the CI share small; `FUZZ_EXAMPLES` scales it for a long run."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.integration.served import served, services_with
from ui.openai_api import openapi_spec

pytestmark = [pytest.mark.integration, pytest.mark.slow]
SCALE = float(os.environ.get("FUZZ_EXAMPLES", "1"))
QUESTION = "Wer muss bei Schnee räumen und streuen?"
PASSWORD = "Amsel-Passwort-1"
CASES: Counter[str] = Counter()  # examples run per endpoint, printed by the last test
STATUSES: Counter[str] = Counter()


def budget(examples: int) -> settings:
    return settings(max_examples=max(1, int(examples * SCALE)), deadline=None, database=None,
                    suppress_health_check=list(HealthCheck), derandomize=True)


@pytest.fixture(scope="module")
def app(tmp_path_factory, embedder, shared_corpus: Path):
    """One collection, anna with a token and a password, extractive answers, served."""
    services = services_with(tmp_path_factory.mktemp("fuzz") / "data", embedder,
                             [shared_corpus / "gemeinde_BadBoll_Satzung_Streupflicht.md"])
    services.access.add_user("anna", PASSWORD, "staff")
    token = services.tokens.create("anna")[1]
    before = _index_state(services)
    with served(services) as url:
        yield services, url, token, before
    services.close()


def _index_state(services) -> tuple:
    status = services.documents.status()
    return (status["documents"], status["chunks"],
            [(r.chunk_id, r.text) for r in services.asking.search(QUESTION, k=3)])


fuzzed = schemathesis.openapi.from_dict(openapi_spec())  # the file the server serves


@fuzzed.parametrize()
@budget(40)
def test_v1_answers_generated_requests_without_server_errors(case, app) -> None:
    """Checks: no 5xx, status codes, content types and bodies as documented, schema-violating
    bodies refused, undeclared methods 405. Not checked: that every schema-valid body is
    accepted — the API has rules a schema cannot say (the last message is a non-empty user
    question, `as_of` is a day), and breaking them is a documented 400."""
    _, url, token, _ = app
    response = case.call_and_validate(base_url=url, headers={"Authorization": f"Bearer {token}"},
                                      timeout=120, excluded_checks=[positive_data_acceptance])
    CASES[f"{case.method} {case.path}"] += 1
    STATUSES[str(response.status_code)] += 1


def test_v1_refuses_bytes_that_are_not_utf8_and_broken_json(app) -> None:
    _, url, token, _ = app
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for body in (b'{"messages": [{"role": "user", "content": "\xff\xfe Schnee"}]}',
                 b"\x00" * 64, b'{"messages": [', "ä".encode("latin-1"), b""):
        reply = httpx.post(f"{url}/v1/chat/completions", content=body, headers=auth, timeout=60)
        assert reply.status_code == 400, body
        assert set(reply.json()["error"]) == {"message", "type", "param", "code"}
        CASES["raw bytes"] += 1
    surrogate = (b'{"messages": [{"role": "user", '
                 b'"content": "\\ud800 Wer muss Schnee r\\u00e4umen?"}]}')
    reply = httpx.post(f"{url}/v1/chat/completions", content=surrogate, headers=auth, timeout=60)
    assert reply.status_code == 200 and reply.json()["citations"]  # JSON may carry it: answered
    CASES["raw bytes"] += 1
    for form in (b"username=%FF%FE%00&password=%ED%A0%80", b"username=\xff&password=\xfe"):
        login = httpx.post(f"{url}/login", content=form, timeout=30,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert login.status_code in (400, 401), login.text[:200]
        CASES["raw bytes"] += 1


def _gradio(url: str):
    from gradio_client import Client

    return Client(url + "/", auth=("anna", PASSWORD), verbose=False)


def _expected(error: Exception) -> bool:
    """A refusal the app raised on purpose (gr.Error, German) — not an unhandled exception
    on the server, and not a request the client could not even send."""
    from gradio_client.exceptions import AppError

    return isinstance(error, AppError) and "has raised an exception" not in str(error)


UNUSUAL = st.text(st.characters(codec="utf-8", categories=("Cc", "Cf", "Zs", "Zl", "So", "Lo")),
                  max_size=50)
QUESTIONS = st.one_of(
    st.text(max_size=300),
    # lone surrogates: gradio_client sends UTF-8 and cannot encode them; the /v1 test above
    # sends them as JSON escapes, which the server receives
    st.text(st.characters(categories=("Cc", "Co", "Ll", "Nd")), min_size=1, max_size=60)
    .map(lambda noise: noise + " Schnee"),
    UNUSUAL.map(lambda noise: f"{noise}{QUESTION}{noise}"),
    st.integers(4_000, 100_000).map(lambda n: ("Streupflicht " * (n // 13 + 1))[:n]),
    st.just("\x00" * 200), st.just("﻿" + QUESTION),
)
DATES = st.one_of(
    st.text(max_size=30), st.dates().map(str), st.dates().map(lambda d: d.strftime("%d.%m.%Y")),
    st.sampled_from(["31.02.2020", "0000-00-00", "9999-12-31", "29.02.2023", "1.1.1",
                     "2020-13-01", "heute", "-1", "1e308", "01.01.20200"]))


def test_gradio_ask_and_compare_take_generated_input(app) -> None:
    _, url, _, _ = app
    client = _gradio(url)
    unexpected: list[str] = []

    @given(QUESTIONS, st.sampled_from(["allgemein", "Alle meine Sammlungen", "gibt-es-nicht"]))
    @budget(25)
    def ask(question: str, collection: str) -> None:
        CASES["gradio /ask"] += 1
        try:
            chat, *_ = client.predict(question, [], collection, [], api_name="/ask")
            assert chat and chat[-1]["content"]  # an answer or a German refusal in the chat
        except Exception as error:  # noqa: BLE001 - gr.Error arrives as an exception
            if not _expected(error):
                unexpected.append(f"/ask {question[:60]!r}: {error}")

    @given(st.one_of(st.text(max_size=80), st.just("gemeinde_BadBoll_Satzung_Streupflicht")),
           DATES, DATES)
    @budget(25)
    def compare(norm: str, old: str, new: str) -> None:
        CASES["gradio /compare"] += 1
        try:
            shown = client.predict(norm, old, new, api_name="/compare")
            assert isinstance(shown, str) and shown
        except Exception as error:  # noqa: BLE001
            if not _expected(error):
                unexpected.append(f"/compare {(norm, old, new)!r}: {error}")

    ask()
    compare()
    assert unexpected == []


def test_server_and_index_are_intact_after_the_fuzzing(app) -> None:
    services, url, token, before = app
    assert _index_state(services) == before
    assert httpx.get(f"{url}/login").status_code == 200
    reply = httpx.post(f"{url}/v1/chat/completions", timeout=120,
                       headers={"Authorization": f"Bearer {token}"},
                       json={"messages": [{"role": "user", "content": QUESTION}]})
    assert reply.status_code == 200 and reply.json()["citations"]
    assert services.audit.verify().ok
    print(f"\nfuzz cases: {dict(CASES)}; /v1 status codes: {dict(STATUSES)}")
    assert sum(CASES.values()) >= 60  # the budget ran (a test that ran nothing would pass)
