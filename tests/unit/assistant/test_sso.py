"""Single sign-on behind a proxy: the header is believed only from the proxy, users appear on
first sight, groups are mapped exactly; the local login can be kept for admins; API tokens."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.identity.access import AccessService
from assistant.identity.accounts import AccountStore
from assistant.identity.api_tokens import TokenStore
from assistant.identity.login import LoginPolicy, LoginRefused, LoginService
from assistant.identity.sessions import SessionStore
from assistant.identity.sso import (
    ProxyRefused,
    SsoNameRefused,
    TrustedHeaderAuth,
    TrustedHeaderConfig,
)
from assistant.records.audit import AuditLog
from core.errors import AccountError, ConfigError

MAPPING = {"/Bauamt": ["bauamt"], "/Leitung": ["leitung", "bauamt"]}
HEADERS = {"x-forwarded-user": "carla", "x-forwarded-groups": "/Bauamt,/Kantine"}


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def setup(tmp_path: Path):
    access = AccessService(AccountStore(tmp_path / "access.sqlite3"), lambda: ["allgemein"],
                           default_collection="allgemein")
    for name, groups in {"bauamt": ["bauamt"], "geheim": ["leitung"], "kantine": ["kantine"]
                         }.items():
        access.grant(name, groups)
    audit = AuditLog(tmp_path / "audit.sqlite3")
    config = TrustedHeaderConfig.parse("x-forwarded-user", "x-forwarded-groups",
                                       ["10.0.5.0/24", "::1"], MAPPING)
    clock = Clock()
    return TrustedHeaderAuth(access, audit, config, clock=clock), access, audit, clock


def test_the_header_from_an_untrusted_address_is_refused_and_audited(setup) -> None:
    sso, access, audit, _ = setup
    with pytest.raises(ProxyRefused):
        sso.user_for(HEADERS, "192.168.1.7")
    assert access.user("carla") is None
    assert [e["event"] for e in audit.entries()] == ["sso_refused"]
    assert sso.user_for({}, "192.168.1.7") is None  # no header: the local login decides


def test_first_sight_creates_staff_with_exactly_the_mapped_groups(setup) -> None:
    sso, access, audit, clock = setup
    assert sso.user_for(HEADERS, "10.0.5.2") == "carla"
    carla = access.user("carla")
    assert carla.role == "staff" and carla.groups == ("bauamt",)  # /Kantine is not mapped
    assert access.readable_collections(carla) == ["allgemein", "bauamt"]
    assert access.authenticate("carla", "") is None  # no password can match
    clock.now += 1
    sso.user_for({**HEADERS, "x-forwarded-groups": "/Leitung"}, "::1")
    assert access.readable_collections(access.user("carla")) == ["allgemein", "bauamt", "geheim"]
    sso.user_for({**HEADERS, "x-forwarded-groups": ""}, "10.0.5.9")  # left every group
    assert access.readable_collections(access.user("carla")) == ["allgemein"]
    assert [e["event"] for e in audit.entries()] == ["sso_user_created"]


def test_client_address_is_taken_from_the_proxy_only(setup) -> None:
    sso, *_ = setup
    forwarded = {"x-forwarded-for": "1.2.3.4, 172.16.0.9"}
    assert sso.client_address(forwarded, "10.0.5.2") == "172.16.0.9"
    assert sso.client_address(forwarded, "192.168.1.7") == "192.168.1.7"


def test_a_configuration_without_proxies_is_refused() -> None:
    with pytest.raises(ConfigError):
        TrustedHeaderConfig.parse("x-forwarded-user", None, [], {})
    with pytest.raises(ConfigError):
        TrustedHeaderConfig.parse("x-forwarded-user", None, ["proxy.example"], {})


@pytest.mark.parametrize("local_login, staff_ok, admin_ok",
                         [("everyone", True, True), ("admins", False, True),
                          ("nobody", False, False)])
def test_local_login_can_be_kept_for_admins(tmp_path: Path, local_login: str, staff_ok: bool,
                                            admin_ok: bool) -> None:
    access = AccessService(AccountStore(tmp_path / "a.sqlite3"), list,
                           default_collection="allgemein")
    access.add_user("anna", "Amsel-Passwort-1")
    access.add_user("root", "Dachs-Passwort-4", "admin")
    login = LoginService(access, AuditLog(tmp_path / "audit.sqlite3"),
                         LoginPolicy(local_login=local_login),
                         SessionStore(tmp_path / "sessions.sqlite3"))
    for name, password, ok in (("anna", "Amsel-Passwort-1", staff_ok),
                               ("root", "Dachs-Passwort-4", admin_ok)):
        if ok:
            assert login.session_user(login.login(name, password, "10.0.0.1")) == name
        else:
            with pytest.raises(LoginRefused, match="SSO"):
                login.login(name, password, "10.0.0.1")


def test_tokens_are_stored_hashed_expire_and_revoke(tmp_path: Path) -> None:
    path = tmp_path / "api_tokens.sqlite3"
    store = TokenStore(path)
    info, secret = store.create("anna")
    assert store.user_for(secret) == "anna"
    assert secret.encode() not in path.read_bytes()  # only the hash is kept
    assert store.tokens()[0].last_used is not None
    assert store.user_for(secret[:-1]) is None and store.user_for("") is None
    short, short_secret = store.create("bea", expires_days=1e-9)
    assert store.user_for(short_secret) is None and not store.tokens("bea")[0].active
    store.revoke(info.id)
    assert store.user_for(secret) is None
    assert store.tokens("anna")[0].revoked is not None
    with pytest.raises(AccountError):
        store.revoke("nichtda")
    with pytest.raises(AccountError):
        store.create("anna", expires_days=0)


@pytest.mark.parametrize(("name", "rule"), [
    ("Max Mustermann", "ein Leerzeichen"), ("jürgen", "das Zeichen „ü“"),
    ("a" * 65, "länger als 64"), (".hidden", "beginnt mit „.“"),
    ("tab\there", "Steuerzeichen U+0009")])
def test_a_name_the_account_rules_refuse_is_named_and_audited_once_a_minute(
        setup, name: str, rule: str) -> None:
    sso, access, audit, clock = setup
    for _ in range(3):
        with pytest.raises(SsoNameRefused) as refused:
            sso.user_for({"x-forwarded-user": name}, "10.0.5.2")
        assert rule in refused.value.message_de and "Kontoregeln" in refused.value.message_de
    clock.now += 61
    with pytest.raises(SsoNameRefused):
        sso.user_for({"x-forwarded-user": name}, "10.0.5.2")
    refusals = [e for e in audit.entries() if e["event"] == "sso_name_refused"]
    assert len(refusals) == 2 and rule in refusals[0]["detail"]
    assert access.users() == []
