"""Searches (with § look-ups) on two threads while an ingest writes: no errors, no half-written
document in any result."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from bench.suites.concurrency import while_writing

pytestmark = [pytest.mark.integration, pytest.mark.slow]

QUESTIONS = ["Wie hoch darf das Zwangsgeld nach § 11 VwVG sein?",
             "Innerhalb welcher Frist muss man sich nach § 17 BMG anmelden?",
             "Wer muss bei Glätte streuen?"]


def test_two_searching_threads_while_an_ingest_writes(make_services, corpus_subset: Path
                                                      ) -> None:
    svc = make_services()
    first = [corpus_subset / "bund_VwVG.md"]
    assert svc.documents.ingest(first, "allgemein").ok
    seen_docs: set[str] = set()
    asked = itertools.count()

    def search(_slot: int) -> None:
        results = svc.asking.search(QUESTIONS[next(asked) % len(QUESTIONS)], k=5)
        pending = set(svc.components.manifest.pending_paths())
        assert not {r.path for r in results} & pending, "a pending document was returned"
        seen_docs.update(r.doc for r in results)

    report, errors, rounds = while_writing(
        lambda: svc.documents.ingest([corpus_subset], "allgemein", prune=False), search)
    assert errors == [], errors
    assert report.ok and len(report.indexed) == 4
    assert min(rounds) > 0 and "bund_VwVG.md" in seen_docs
    after = {r.doc for r in svc.asking.search("Wie hoch darf das Zwangsgeld nach § 11 VwVG sein?",
                                              k=3)}
    assert "bund_VwVG.md" in after
