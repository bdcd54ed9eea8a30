"""The rights check every request passes (AccessService over a real account database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.identity.access import AccessService
from assistant.identity.accounts import AccountStore, User
from core.errors import AccountError

pytestmark = pytest.mark.unit


@pytest.fixture
def access(tmp_path: Path):
    accounts = AccountStore(tmp_path / "access.sqlite3")
    indexed = ["allgemein", "bauamt-intern", "personal"]
    service = AccessService(accounts, lambda: list(indexed), default_collection="allgemein")
    service.grant("bauamt-intern", "bauamt")
    service.grant("personal", "personalrat, leitung")
    service.grant("neu-angelegt", "")  # created by an admin, no documents yet
    yield service
    accounts.close()


def test_collections_are_those_indexed_granted_and_the_default(access: AccessService) -> None:
    assert access.collections() == ["allgemein", "bauamt-intern", "neu-angelegt", "personal"]


@pytest.mark.parametrize(("user", "readable"), [
    (User("anna", "staff", ()), ["allgemein", "neu-angelegt"]),
    (User("bea", "staff", ("bauamt",)), ["allgemein", "bauamt-intern", "neu-angelegt"]),
    (User("carl", "developer", ("leitung", "bauamt")),
     ["allgemein", "bauamt-intern", "neu-angelegt", "personal"]),
    (User("ida", "admin", ()), ["allgemein", "bauamt-intern", "neu-angelegt", "personal"]),
])
def test_readable_collections_follow_groups_and_grants(access: AccessService, user: User,
                                                       readable: list[str]) -> None:
    assert access.readable_collections(user) == readable


def test_a_request_is_limited_to_readable_collections(access: AccessService) -> None:
    anna = User("anna", "staff", ())
    assert access.allowed_collections(anna, None) == ["allgemein", "neu-angelegt"]
    assert access.allowed_collections(anna, ["allgemein"]) == ["allgemein"]
    with pytest.raises(AccountError) as denied:
        access.allowed_collections(anna, ["allgemein", "personal"])
    assert "Keine Leserechte" in denied.value.message_de and "personal" in denied.value.message_de


def test_admins_and_the_local_operator_are_not_restricted(access: AccessService) -> None:
    assert access.allowed_collections(None, None) is None
    assert access.allowed_collections(User("ida", "admin"), None) is None
    assert access.allowed_collections(None, ["personal"]) == ["personal"]


def test_a_changed_grant_applies_to_the_next_request(access: AccessService) -> None:
    bea = User("bea", "staff", ("bauamt",))
    assert "bauamt-intern" in access.allowed_collections(bea, None)
    access.grant("bauamt-intern", "leitung")
    assert "bauamt-intern" not in access.allowed_collections(bea, None)


def test_collection_names_are_checked(access: AccessService) -> None:
    assert access.collection_name("  ") == "allgemein"
    assert access.collection_name("bauamt-intern") == "bauamt-intern"
    with pytest.raises(AccountError):
        access.collection_name("../etc")
