"""Single sign-on over HTTP: the proxy's header is refused from an untrusted address, and from the
proxy the mapped groups grant exactly their collections in the chat."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.integration.served import served

pytestmark = [pytest.mark.integration, pytest.mark.slow]
PROXY_HEADERS = {"X-Forwarded-User": "carla", "X-Forwarded-Groups": "/Bauamt,/Kantine"}


def sso_services(make_services, shared_corpus: Path, data: Path, proxies: list[str]):
    services = make_services(
        data_dir=data, llm_backend=None,
        web={"trusted_header_auth": "X-Forwarded-User",
             "trusted_groups_header": "X-Forwarded-Groups", "trusted_proxies": proxies,
             "group_mapping": {"/Bauamt": ["bauamt"], "/Leitung": ["leitung"]},
             "local_login": "admins"})
    if not services.access.users():
        services.documents.ingest([shared_corpus / "gemeinde_BadBoll_Satzung_Streupflicht.md"],
                                  "bauamt")
        services.documents.ingest([shared_corpus / "bund_VwVG.md"], "geheim")
        services.access.grant("bauamt", ["bauamt"])
        services.access.grant("geheim", ["leitung"])
        services.access.add_user("root", "Dachs-Passwort-4", "admin")
        services.access.add_user("anna", "Amsel-Passwort-1", "staff")
    return services


def test_header_from_an_untrusted_address_is_refused(make_services, shared_corpus: Path,
                                                     tmp_path: Path) -> None:
    services = sso_services(make_services, shared_corpus, tmp_path / "data", ["10.9.9.9"])
    with served(services) as url:
        for path in ("/", "/config", "/login"):
            refused = httpx.get(url + path, headers=PROXY_HEADERS)
            assert refused.status_code == 403, path
        assert httpx.get(url + "/", follow_redirects=False).headers["location"] == "/login"
        # the local login stays for admins only
        assert httpx.post(url + "/login", data={"username": "root",
                                                "password": "Dachs-Passwort-4"}).status_code == 200
        staff = httpx.post(url + "/login", data={"username": "anna",
                                                 "password": "Amsel-Passwort-1"})
        assert staff.status_code == 401 and "SSO" in staff.json()["detail"]
    assert services.access.user("carla") is None
    assert "sso_refused" in {e["event"] for e in services.audit.entries()}


def test_mapped_groups_grant_exactly_their_collections(make_services, shared_corpus: Path,
                                                       tmp_path: Path) -> None:
    from gradio_client import Client

    services = sso_services(make_services, shared_corpus, tmp_path / "data", ["127.0.0.1"])
    with served(services) as url:
        page = httpx.get(url + "/", headers=PROXY_HEADERS, follow_redirects=False)
        assert page.status_code == 200
        carla = services.access.user("carla")
        assert carla.role == "staff" and carla.groups == ("bauamt",)
        chat = Client(url + "/", headers=PROXY_HEADERS, verbose=False)
        _, _, sources, _ = chat.predict("Wer muss bei Schnee räumen und streuen?", [], "bauamt",
                                        api_name="/ask")
        assert "Streupflicht" in sources
        with pytest.raises(Exception, match="Keine Leserechte"):
            chat.predict("Wie hoch darf das Zwangsgeld sein?", [], "geheim", api_name="/ask")
        _, _, everything, _ = chat.predict("Wie hoch darf das Zwangsgeld sein?", [],
                                           "Alle meine Sammlungen", api_name="/ask")
        assert "bund_VwVG.md" not in everything
        spaced = {"X-Forwarded-User": "Max Mustermann", "Accept": "text/html"}
        for _ in range(3):  # a browser asks again and again: one audit entry per minute
            page = httpx.get(url + "/", headers=spaced, follow_redirects=False)
            assert page.status_code == 403
            assert "Leerzeichen" in page.text and "Kontoregeln" in page.text
        assert httpx.get(url + "/config", headers=spaced).status_code == 403
    events = [e["event"] for e in services.audit.entries()]
    assert "sso_user_created" in events and events.count("sso_name_refused") == 1
    assert services.access.user("Max Mustermann") is None
