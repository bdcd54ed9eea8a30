"""The users / collections / audit CLI contract and `--user` rights on search and ask."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.cli import rathaus

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_user_rights_apply_to_search_and_ask_and_are_audited(tmp_path: Path,
                                                             shared_corpus: Path) -> None:
    data = tmp_path / "data"
    steps = [
        ("ingest", "-q", str(shared_corpus / "bund_VwVG.md")),
        ("ingest", "-q", "-c", "intern",
         str(shared_corpus / "gemeinde_BadBoll_Satzung_Erhebung_Hundesteuer.md")),
        ("users", "add", "anna", "--password", "Amsel-Passwort-1"),
        ("users", "add", "bea", "--password", "Birke-Passwort-2", "--role", "staff", "--groups",
         "bauamt,leitung"),
        ("collections", "grant", "intern", "--groups", "bauamt"),
    ]
    for step in steps:
        result = rathaus(*step, data_dir=data)
        assert result.returncode == 0, (step, result.stderr)

    users = json.loads(rathaus("users", "list", "--json", data_dir=data).stdout)
    assert {"name": "bea", "role": "staff", "groups": ["bauamt", "leitung"]} in users
    assert "pw-" not in json.dumps(users)
    listed = json.loads(rathaus("collections", "list", "--json", data_dir=data).stdout)
    assert {"name": "intern", "documents": 1, "chunks": listed[-1]["chunks"],
            "groups": ["bauamt"]} in listed

    query = "Hundesteuer Steuersatz für einen Hund"
    hits = json.loads(rathaus("search", query, "--json", "--user", "anna",
                              data_dir=data).stdout)["results"]
    assert hits and all(h["doc"] == "bund_VwVG.md" for h in hits)
    denied = rathaus("search", query, "-c", "intern", "--user", "anna", data_dir=data)
    assert denied.returncode == 1 and "Keine Leserechte" in denied.stderr
    allowed = json.loads(rathaus("search", query, "--json", "--user", "bea",
                                 data_dir=data).stdout)["results"]
    assert allowed[0]["doc"] == "gemeinde_BadBoll_Satzung_Erhebung_Hundesteuer.md"
    unknown = rathaus("search", query, "--user", "niemand", data_dir=data)
    assert unknown.returncode == 2 and "niemand" in unknown.stderr

    answer = json.loads(rathaus("ask", "Wie hoch ist die Hundesteuer?", "--json", "--user",
                                "anna", data_dir=data, RATHAUS_LLM__BACKEND="extractive").stdout)
    assert all("Hundesteuer" not in c["doc"] for c in answer["citations"])
    audit = [json.loads(line) for line in
             rathaus("audit", "export", "--since", "2000-01-01", data_dir=data).stdout.splitlines()]
    assert audit[-1]["user"] == "anna" and audit[-1]["question"] == "Wie hoch ist die Hundesteuer?"

    weak = rathaus("users", "passwd", "anna", "--password", "neu", data_dir=data)
    assert weak.returncode == 1 and "mindestens 10 Zeichen" in weak.stderr
    assert rathaus("users", "passwd", "anna", "--password", "Neues-Passwort-7",
                   data_dir=data).returncode == 0
    assert rathaus("users", "remove", "anna", data_dir=data).returncode == 0
    assert rathaus("users", "remove", "anna", data_dir=data).returncode == 1
