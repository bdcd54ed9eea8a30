"""The reader's sentence store: vectors are kept per (sentence, chunk), taken over by a
chunk that holds the same sentence, and forgotten with the last chunk that held it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from vectorstore.sentence_vectors import SentenceIndexer, SentenceVectorStore, chunk_sentence_texts

pytestmark = pytest.mark.unit
META = {"section": "§ 3 Räumpflicht", "doc": "a.md"}
OLD = "Der Gehweg ist bis 7 Uhr zu räumen. Die Pflicht gilt werktags."
NEW = "Die Pflicht gilt werktags."  # a re-index cut the text differently


class CountingEmbedder:
    identity = "counting"

    def __init__(self) -> None:
        self.texts: list[str] = []

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.texts.extend(texts)
        return np.vstack([np.full(4, float(len(t)), dtype=np.float32) for t in texts])


def test_a_new_chunk_takes_over_stored_vectors_and_stale_chunks_go(tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    store = SentenceVectorStore(tmp_path / "s.sqlite3", embedder)
    indexer = SentenceIndexer(store)
    indexer.on_upsert(["old"], [OLD], [META])
    assert len(embedder.texts) == 2
    indexer.on_upsert(["new", "other"], [NEW, "Hunde sind anzuleinen."], [META, META])
    assert embedder.texts[2:] == ["§ 3 Räumpflicht: Hunde sind anzuleinen."]  # only that
    assert indexer.retain({"new", "other"}) == 1
    assert store.chunk_ids() == {"new", "other"}
    texts = chunk_sentence_texts(NEW, META)
    assert store.vectors(["new"], texts)[0][0] == len(texts[0])  # found, not embedded
    assert len(embedder.texts) == 3
    assert indexer.retain(set()) == 2 and store.count() == 0


def test_vectors_embeds_only_what_is_missing_and_keeps_it(tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    store = SentenceVectorStore(tmp_path / "s.sqlite3", embedder)
    first = store.vectors(["a", "a"], ["eins", "zwei"])
    again = store.vectors(["a", "b"], ["zwei", "drei"])
    assert embedder.texts == ["eins", "zwei", "drei"] and store.embedded == 3
    assert again[0].tolist() == first[1].tolist()
