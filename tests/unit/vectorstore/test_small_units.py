"""Small-to-big: passages ranked by their best sentence, from the real sentence store and a
real keyword index; the embedder is scripted (a word's presence is a dimension)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from vectorstore.filters import RetrievalFilter
from vectorstore.lexical.keyword_index import KeywordIndex
from vectorstore.sentence_vectors import SentenceVectorStore
from vectorstore.small_units import SmallUnitRanker

pytestmark = pytest.mark.unit
WORDS = ["steuer", "hund", "pferd", "gehweg", "schnee", "uhr", "gebühr", "marke"]


class WordEmbedder:
    identity = "words"

    def __init__(self) -> None:
        self.calls = 0

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        return np.vstack([self.embed_query(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        v = np.array([float(w in text.lower()) for w in WORDS] + [0.1], dtype=np.float32)
        return v / np.linalg.norm(v)


CHUNKS = {
    # the average of a long passage: one sentence on the Gehweg at 7 Uhr among tax sentences
    "mixed": ("a.md", "§ 2 Pflichten", "Die Steuer wird jährlich erhoben. Die Steuer ist am 1. "
              "Juli fällig. Der Gehweg ist werktags bis 7 Uhr von Schnee zu räumen."),
    "tax": ("b.md", "§ 5 Steuersatz", "Die Steuer für jeden Hund beträgt 120 Euro."),
    "fee": ("c.md", "§ 1 Gebühr", "Die Gebühr für eine Marke beträgt 5 Euro."),
}


def meta(chunk_id: str) -> dict:
    doc, section, _ = CHUNKS[chunk_id]
    return {"doc": doc, "section": section, "title": doc, "collection": "allgemein",
            "doc_type": "Satzung", "path": f"/akten/{doc}"}


@pytest.fixture
def parts(tmp_path: Path):
    keyword = KeywordIndex(tmp_path / "kw")
    embedder = WordEmbedder()
    store = SentenceVectorStore(tmp_path / "sentences.sqlite3", embedder)
    ids = ["mixed", "tax"]
    keyword.on_upsert(ids, [CHUNKS[i][2] for i in ids], [meta(i) for i in ids])
    keyword.flush()
    yield keyword, store, embedder
    keyword.close()
    store.close()


def test_the_passage_with_the_matching_sentence_ranks_first(parts) -> None:
    keyword, store, embedder = parts
    ranker = SmallUnitRanker(keyword, store, embedder.embed_query)
    ranked = ranker.rank("Bis wann muss der Gehweg von Schnee geräumt sein? Uhr", 5)
    assert [c for c, _ in ranked][0] == "mixed"
    mixed, = [s for c, s in ranked if c == "mixed"]
    # its best sentence, not the passage's average, is the score
    sentence = "§ 2 Pflichten: Der Gehweg ist werktags bis 7 Uhr von Schnee zu räumen."
    query = "Bis wann muss der Gehweg von Schnee geräumt sein? Uhr"
    assert mixed == pytest.approx(float(embedder.embed_query(sentence)
                                        @ embedder.embed_query(query)), abs=1e-5)


def test_filters_new_chunks_and_deletions_are_followed(parts) -> None:
    keyword, store, embedder = parts
    ranker = SmallUnitRanker(keyword, store, embedder.embed_query)
    assert [c for c, _ in ranker.rank("Gebühr Marke", 5)][0] != "fee"
    keyword.on_upsert(["fee"], [CHUNKS["fee"][2]], [meta("fee")])
    keyword.flush()
    assert ranker.rank("Gebühr Marke", 5)[0][0] == "fee"  # a new generation is loaded
    only_b = RetrievalFilter.of(docs=["b.md"])
    assert [c for c, _ in ranker.rank("Gebühr Marke", 5, only_b)] == ["tax"]
    keyword.on_delete(["fee"])
    keyword.flush()
    assert "fee" not in [c for c, _ in ranker.rank("Gebühr Marke", 5)]


def test_stored_sentences_are_not_embedded_again(parts) -> None:
    keyword, store, embedder = parts
    SmallUnitRanker(keyword, store, embedder.embed_query).rank("Steuer", 3)
    calls = embedder.calls
    SmallUnitRanker(keyword, store, embedder.embed_query).rank("Steuer", 3)  # a restart
    assert embedder.calls == calls and store.count() == 4
