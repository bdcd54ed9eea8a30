"""Rights under random users, groups and grants: no returned passage, citation or llama-index
node ever comes from a collection the user may not read (checked against an independent
oracle, not against the code under test).

Every collection holds a bylaw on the same subject with the same words, so without the rights
filter every query would find passages in every collection: a leak would show at once."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from assistant.identity.accounts import User
from assistant.llamaindex_interop import RathausRetriever
from core.errors import AccountError

pytestmark = pytest.mark.integration

COLLECTIONS = ["allgemein", "bauamt", "personal", "kaemmerei", "ordnungsamt"]
GROUPS = ["g_bau", "g_personal", "g_finanz", "g_ordnung", "g_leitung"]
QUERIES = ["Wie hoch ist die Gebühr für die Halle?", "§ 2 Gebührensatzung Halle",
           "Wer muss die Gebühr bezahlen?", "Ermäßigung für Vereine",
           "Wann wird die Gebühr fällig?", "§ 3 Fälligkeit", "Hallenbenutzung Abend Gebühr"]
CHECKS = 1000


def _bylaw(collection: str, amount: int) -> str:
    return (f"# Gebührensatzung Halle {collection}\n\n## § 1 Gegenstand\n\nDiese Satzung regelt "
            f"die Gebühr für die Benutzung der Halle ({collection}).\n\n## § 2 Höhe der Gebühr\n\n"
            f"Die Gebühr beträgt {amount} Euro je Abend. Vereine erhalten eine Ermäßigung von "
            f"50 Prozent.\n\n## § 3 Fälligkeit\n\nDie Gebühr ist vor der Benutzung fällig und "
            "vom Veranstalter zu bezahlen.\n")


def may_read(user: User, collection: str, grants: dict[str, tuple[str, ...]]) -> bool:
    """The oracle, written from the rule in the README: admins read all; others read
    collections without a grant and those granted to one of their groups."""
    return user.role == "admin" or not grants.get(collection) or bool(
        set(grants[collection]) & set(user.groups))


def test_no_passage_from_an_unreadable_collection_in_1000_random_checks(
        make_services, tmp_path: Path) -> None:
    rng = random.Random(20261202)
    services = make_services(llm_backend=None)
    for number, collection in enumerate(COLLECTIONS):
        path = tmp_path / "docs" / collection / f"gebuehrensatzung_{collection}.md"
        path.parent.mkdir(parents=True)
        path.write_text(_bylaw(collection, 40 + 10 * number), encoding="utf-8")
        services.documents.ingest([path.parent], collection)
    grants = {c: tuple(rng.sample(GROUPS, rng.randint(0, 2))) for c in COLLECTIONS[1:]}
    grants["bauamt"] = grants["bauamt"] or ("g_bau",)  # at least one closed collection
    for collection, groups in grants.items():
        services.access.grant(collection, groups)
    users = [services.access.add_user(f"user{i}", "Zufall-Passwort-9",
                                      "admin" if i % 10 == 0 else "staff",
                                      rng.sample(GROUPS, rng.randint(0, 2)))
             for i in range(30)]

    checks = leaks = denials = 0
    seen_collections: set[str] = set()
    while checks < CHECKS:
        user = rng.choice(users)
        requested = rng.choice([None, None, rng.sample(COLLECTIONS, rng.randint(1, 3))])
        readable = {c for c in COLLECTIONS if may_read(user, c, grants)}
        try:
            hits = services.asking.search(rng.choice(QUERIES), k=8, collections=requested,
                                          user=user)
        except AccountError:
            denials += 1
            assert requested and not set(requested) <= readable  # refused only when it must
            continue
        assert not requested or set(requested) <= readable
        leaks += sum(h.collection not in readable for h in hits)
        seen_collections |= {h.collection for h in hits}
        checks += 1
    for _ in range(60):  # answers and the llama-index retriever take the same road
        user = rng.choice(users)
        readable = {c for c in COLLECTIONS if may_read(user, c, grants)}
        answer = services.asking.ask(rng.choice(QUERIES), user=user)
        leaks += sum(s.collection not in readable for s in answer.sources)
        leaks += sum(c.doc.removeprefix("gebuehrensatzung_").removesuffix(".md") not in readable
                     for c in answer.citations)
        nodes = RathausRetriever(services.asking, user=user, k=8).retrieve(rng.choice(QUERIES))
        leaks += sum(n.node.metadata["collection"] not in readable for n in nodes)
        checks += 3
    print(f"\naccess property: {checks} checks, {denials} refused requests, {leaks} leaks")
    assert leaks == 0
    assert checks >= CHECKS + 180 and denials > 0
    assert seen_collections == set(COLLECTIONS)  # every collection was findable by someone
