"""The OpenAI-compatible API through the official `openai` client against the real server."""

from __future__ import annotations

from pathlib import Path

import httpx
import openai
import pytest

from tests.integration.served import served

pytestmark = [pytest.mark.integration, pytest.mark.slow]
QUESTION = "Wie hoch darf das Zwangsgeld sein?"


@pytest.fixture(scope="module")
def api(tmp_path_factory, embedder, shared_corpus: Path):
    """Two collections (bauamt only for group bauamt), anna (bauamt) and bea (no group), a
    token each, extractive answers; yields (services, url, anna's token, bea's token).
    Shared by the module's tests: none of them changes what the others rely on."""
    from assistant.wiring import build_services
    from core.config import Settings

    data = tmp_path_factory.mktemp("api") / "data"
    services = build_services(Settings(data_dir=data), embedder=embedder, llm_backend=None)
    services.documents.ingest([shared_corpus / "bund_VwVG.md"], "allgemein")
    services.documents.ingest([shared_corpus / "gemeinde_BadBoll_Satzung_Streupflicht.md"],
                              "bauamt")
    services.access.grant("bauamt", ["bauamt"])
    services.access.add_user("anna", "Amsel-Passwort-1", "staff", ["bauamt"])
    services.access.add_user("bea", "Birke-Passwort-2", "staff", [])
    anna = services.tokens.create("anna")[1]
    bea = services.tokens.create("bea", expires_days=30)[1]
    with served(services) as url:
        yield services, url, anna, bea
    services.close()


def client(url: str, token: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{url}/v1", api_key=token, max_retries=0, timeout=120)


def test_models_list_the_collections_the_token_may_read(api) -> None:
    _, url, anna, bea = api
    assert [m.id for m in client(url, anna).models.list()] == [
        "rathaus", "rathaus:allgemein", "rathaus:bauamt"]
    assert [m.id for m in client(url, bea).models.list()] == ["rathaus", "rathaus:allgemein"]


def test_answer_with_citations_plain_and_streamed(api) -> None:
    services, url, anna, _ = api
    completion = client(url, anna).chat.completions.create(
        model="rathaus:allgemein", messages=[{"role": "user", "content": QUESTION}])
    text = completion.choices[0].message.content
    extra = completion.model_extra
    assert "[1]" in text and extra["refused"] is False
    first = extra["citations"][0]
    assert first["doc"] == "bund_VwVG.md" and first["collection"] == "allgemein"
    assert first["section"].startswith("§ 11") and first["quote"]

    chunks = list(client(url, anna).chat.completions.create(
        model="rathaus", stream=True, messages=[{"role": "user", "content": QUESTION}]))
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert streamed == text  # extractive answers are deterministic: the same checked text
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].model_extra["citations"] == extra["citations"]

    asked = [(e["user"], e["collection"]) for e in services.audit.entries()
             if e.get("question") == QUESTION]
    assert asked[-2:] == [("anna", "allgemein"), ("anna", "*")]


def test_a_refusal_is_a_normal_answer(api) -> None:
    _, url, anna, _ = api
    completion = client(url, anna).chat.completions.create(
        model="rathaus", messages=[{"role": "user", "content": "Wie backe ich Apfelkuchen?"}])
    assert completion.model_extra["refused"] is True
    assert completion.model_extra["citations"] == []
    assert completion.choices[0].message.content


def test_the_conversation_resolves_a_follow_up(api) -> None:
    _, url, anna, _ = api
    alone = client(url, anna).chat.completions.create(
        model="rathaus", messages=[{"role": "user", "content": "Und wer muss streuen?"}])
    followed = client(url, anna).chat.completions.create(model="rathaus", messages=[
        {"role": "user", "content": "Wann muss bei Glätte geräumt werden?"},
        {"role": "assistant", "content": "Werktags ab 7 Uhr [1]."},
        {"role": "user", "content": "Und wer muss streuen?"}])
    docs = [c["doc"] for c in followed.model_extra["citations"]]
    assert "gemeinde_BadBoll_Satzung_Streupflicht.md" in docs
    assert alone.model_extra != followed.model_extra or alone.model_extra["refused"]


def test_wrong_revoked_and_missing_tokens_get_401(api) -> None:
    services, url, anna, _ = api
    with pytest.raises(openai.AuthenticationError) as wrong:
        client(url, anna[:-2] + "xx").models.list()
    assert wrong.value.status_code == 401 and wrong.value.code == "invalid_api_key"
    info, spare = services.tokens.create("anna")  # anna's first token stays for the others
    assert [m.id for m in client(url, spare).models.list()][0] == "rathaus"
    services.tokens.revoke(info.id)
    with pytest.raises(openai.AuthenticationError):
        client(url, spare).chat.completions.create(
            model="rathaus", messages=[{"role": "user", "content": QUESTION}])
    bare = httpx.post(f"{url}/v1/chat/completions", json={"messages": []})
    assert bare.status_code == 401
    assert set(bare.json()["error"]) == {"message", "type", "param", "code"}


def test_a_collection_without_rights_gets_403_and_unknown_model_404(api) -> None:
    services, url, _, bea = api
    with pytest.raises(openai.PermissionDeniedError) as denied:
        client(url, bea).chat.completions.create(
            model="rathaus:bauamt", messages=[{"role": "user", "content": "Wer muss streuen?"}])
    assert denied.value.status_code == 403 and "Keine Leserechte" in denied.value.message
    with pytest.raises(openai.NotFoundError) as unknown:
        client(url, bea).chat.completions.create(
            model="rathaus:gibtsnicht", messages=[{"role": "user", "content": QUESTION}])
    assert unknown.value.code == "model_not_found"
    streamed = client(url, bea).chat.completions.create(
        model="rathaus", stream=True, messages=[{"role": "user", "content": "Wer muss streuen?"}])
    docs = {c["doc"] for chunk in streamed for c in (chunk.model_extra or {}).get("citations", [])}
    assert "gemeinde_BadBoll_Satzung_Streupflicht.md" not in docs  # bauamt is not bea's


def test_bad_requests_get_openai_error_json(api) -> None:
    _, url, anna, _ = api
    headers = {"Authorization": f"Bearer {anna}"}
    for body in ({"messages": [{"role": "assistant", "content": "x"}]}, {"messages": "x"}, []):
        response = httpx.post(f"{url}/v1/chat/completions", json=body, headers=headers)
        assert response.status_code == 400, body
        assert response.json()["error"]["type"] == "invalid_request_error"
    garbled = httpx.post(f"{url}/v1/chat/completions", content=b"{nope", headers=headers)
    assert garbled.status_code == 400


def test_tokens_cli_prints_once_lists_and_revokes(tmp_path: Path) -> None:
    import json

    from tests.integration.cli import rathaus

    data = tmp_path / "data"
    assert rathaus("users", "add", "anna", "--password", "Amsel-Passwort-1",
                   data_dir=data).returncode == 0
    created = rathaus("tokens", "create", "anna", "--expires", "30", data_dir=data)
    secret = created.stdout.strip().splitlines()[-1]
    assert created.returncode == 0 and secret.startswith("rat_")
    listed = json.loads(rathaus("tokens", "list", "--json", data_dir=data).stdout)
    assert [(t["user"], t["active"]) for t in listed] == [("anna", True)]
    assert secret not in json.dumps(listed) and listed[0]["expires"]
    assert rathaus("tokens", "create", "niemand", data_dir=data).returncode == 1
    assert rathaus("tokens", "revoke", listed[0]["id"], data_dir=data).returncode == 0
    listed = json.loads(rathaus("tokens", "list", "--json", data_dir=data).stdout)
    assert listed[0]["active"] is False and listed[0]["revoked"]
    events = [json.loads(line)["event"] for line in
              rathaus("audit", "export", data_dir=data).stdout.splitlines()]
    assert events == ["token_created", "token_revoked"]
