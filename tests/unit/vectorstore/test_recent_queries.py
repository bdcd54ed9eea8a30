"""One cache of recent query vectors for every embedder: a question's texts are embedded once."""

from __future__ import annotations

import pytest

from vectorstore.embedders.base import RecentQueries

pytestmark = pytest.mark.unit


def test_only_texts_not_asked_recently_are_embedded_in_one_call() -> None:
    calls: list[list[str]] = []

    def embed(texts: list[str]) -> list[list[float]]:
        calls.append(texts)
        return [[float(len(t)), 1.0] for t in texts]

    recent = RecentQueries(size=2)
    assert recent.vectors(["ab", "abc", "ab"], embed) == [[2.0, 1.0], [3.0, 1.0], [2.0, 1.0]]
    assert calls == [["ab", "abc"]]
    assert recent.vectors(["abc"], embed) == [[3.0, 1.0]] and len(calls) == 1
    recent.vectors(["abcd"], embed)  # the oldest ("ab") makes room
    recent.vectors(["ab", "abcd"], embed)
    assert calls[-1] == ["ab"]
    first = recent.vectors(["abcd"], embed)[0]
    first.append(0.0)  # callers get copies
    assert recent.vectors(["abcd"], embed) == [[4.0, 1.0]]
