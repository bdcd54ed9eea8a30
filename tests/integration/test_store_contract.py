"""The vector-store contract, run against the embedded Chroma and a real `chroma run` server.

Any other store adapter must pass the same class (subclass it with a `store` fixture)."""

from __future__ import annotations

import math
import uuid
from pathlib import Path

import pytest

from core.errors import StoreError
from ingest.pipeline import ChunkStore
from vectorstore.chroma_store import ChromaStore
from vectorstore.filters import RetrievalFilter
from vectorstore.protocols import VectorStore

pytestmark = pytest.mark.integration
MODEL = "contract-test-model"


def unit(*values: float) -> list[float]:
    norm = math.sqrt(sum(v * v for v in values))
    return [v / norm for v in values]


ROWS = {
    "a1": (unit(1, 0, 0, 0), "Hundesteuer 120 Euro", {"doc": "a.md", "collection": "allgemein"}),
    "a2": (unit(1, 1, 0, 0), "Kampfhund 600 Euro", {"doc": "a.md", "collection": "allgemein"}),
    "b1": (unit(0, 1, 0, 0), "Streupflicht", {"doc": "b.md", "collection": "bauamt"}),
    "c1": (unit(0, 0, 1, 0), "Friedhof", {"doc": "c.md", "collection": "allgemein"}),
    "c2": (unit(0, 0, 0, 1), "Ruhezeit", {"doc": "c.md", "collection": "allgemein"}),
}


IN_FORCE = {"a1": (20200101, 20231231)}  # an old version; the others are open-ended


def fill(store: VectorStore) -> None:
    ids = list(ROWS)
    store.upsert(ids, [ROWS[i][0] for i in ids], [ROWS[i][1] for i in ids],
                 [dict(ROWS[i][2], page=1, path=f"/akten/{ROWS[i][2]['doc']}",
                       valid_from_num=IN_FORCE.get(i, (0, 0))[0],
                       valid_to_num=IN_FORCE.get(i, (0, 99991231))[1]) for i in ids])


class StoreContract:
    """What the product relies on from a vector store."""

    @pytest.fixture
    def store(self) -> VectorStore:
        raise NotImplementedError

    @pytest.fixture
    def other_model(self, store: VectorStore) -> VectorStore:
        """The same collection opened for another embedding model."""
        raise NotImplementedError

    def test_it_implements_both_protocols(self, store: VectorStore) -> None:
        assert isinstance(store, VectorStore) and isinstance(store, ChunkStore)

    def test_written_chunks_come_back_in_the_order_asked(self, store: VectorStore) -> None:
        fill(store)
        assert store.count() == 5
        rows = store.get(["c1", "a1"], with_embeddings=True)
        assert [r["id"] for r in rows] == ["c1", "a1"]
        assert rows[1]["text"] == "Hundesteuer 120 Euro" and rows[1]["metadata"]["doc"] == "a.md"
        assert rows[1]["embedding"] == pytest.approx(ROWS["a1"][0], abs=1e-6)

    def test_queries_rank_by_cosine_and_filter_inside_the_store(self, store: VectorStore) -> None:
        fill(store)
        hits = store.query(unit(1, 0.2, 0, 0), 3)
        assert [h.id for h in hits][:2] == ["a1", "a2"]
        cosine = sum(a * b for a, b in zip(unit(1, 0.2, 0, 0), ROWS["a1"][0], strict=True))
        assert hits[0].score == pytest.approx(cosine, abs=1e-4)
        only = RetrievalFilter.of(collections=["bauamt"]).chroma_where()
        assert [h.id for h in store.query(unit(1, 0, 0, 0), 5, only)] == ["b1"]
        without_a = RetrievalFilter.of(collections=["allgemein"], exclude_docs=["a.md"])
        assert {h.id for h in store.query(unit(1, 0, 0, 0), 5, without_a.chroma_where())} == {
            "c1", "c2"}
        assert store.query(unit(1, 0, 0, 0), 0) == []

    def test_dates_and_paths_are_filtered_inside_the_store_alone(self, store: VectorStore
                                                                 ) -> None:
        """Retrieval trusts the store's `where` (nothing filters the hits again): the
        interval in force and the paths being written must hold in it."""
        fill(store)

        def found(flt: RetrievalFilter) -> set[str]:
            return {h.id for h in store.query(unit(1, 0, 0, 0), 5, flt.chroma_where())}

        assert found(RetrievalFilter.of(valid_at="2024-06-01")) == set(ROWS) - {"a1"}
        assert "a1" in found(RetrievalFilter.of(valid_at="2022-01-01"))
        assert "a1" in found(RetrievalFilter.of(valid_at="2023-06-01", valid_until="2024-06-01"))
        assert found(RetrievalFilter.of(exclude_paths=["/akten/c.md"])) == {"a1", "a2", "b1"}

    def test_several_vectors_are_answered_in_one_request(self, store: VectorStore) -> None:
        fill(store)
        vectors = [unit(1, 0.2, 0, 0), unit(0, 1, 0, 0)]
        only = RetrievalFilter.of(collections=["allgemein"]).chroma_where()
        together = store.query_many(vectors, 3, only)
        assert together == [store.query(v, 3, only) for v in vectors]
        assert [h.id for h in together[1]] != [h.id for h in together[0]]
        assert store.query_many([], 3) == [] and store.query_many(vectors, 0) == [[], []]

    def test_metadata_updates_keep_the_vectors(self, store: VectorStore) -> None:
        fill(store)
        store.update_metadata(["b1"], [{"doc": "b.md", "collection": "allgemein", "page": 2}])
        assert store.get(["b1"])[0]["metadata"]["collection"] == "allgemein"
        assert store.query(unit(0, 1, 0, 0), 1)[0].id == "b1"

    def test_deletes_and_paging_through_everything(self, store: VectorStore) -> None:
        fill(store)
        store.delete(["a2", "c2"])
        assert store.count() == 3 and store.get(["a2"]) == []
        assert sorted(r["id"] for r in store.iter_all(page_size=2)) == ["a1", "b1", "c1"]

    def test_vectors_of_another_model_are_refused_until_reset(
            self, store: VectorStore, other_model: VectorStore) -> None:
        fill(store)
        with pytest.raises(StoreError, match="anderen Embedding-Modell"):
            other_model.query(unit(1, 0, 0, 0), 1)
        with pytest.raises(StoreError):
            other_model.upsert(["x"], [unit(1, 0, 0, 0)], ["x"], [{"doc": "x.md"}])
        other_model.reset()
        assert other_model.count() == 0
        other_model.upsert(["x"], [unit(1, 0, 0, 0)], ["x"], [{"doc": "x.md"}])
        assert [h.id for h in other_model.query(unit(1, 0, 0, 0), 1)] == ["x"]


class TestEmbeddedChroma(StoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> ChromaStore:
        return ChromaStore(collection_name="contract", embedding_model=MODEL,
                           persist_dir=tmp_path / "chroma")

    @pytest.fixture
    def other_model(self, store: ChromaStore, tmp_path: Path) -> ChromaStore:
        return ChromaStore(collection_name="contract", embedding_model="another-model",
                           persist_dir=tmp_path / "chroma")


class TestChromaServer(StoreContract):
    @pytest.fixture
    def store(self, chroma_server: int) -> ChromaStore:
        return ChromaStore(collection_name=f"contract_{uuid.uuid4().hex[:8]}",
                           embedding_model=MODEL, host="127.0.0.1", port=chroma_server)

    @pytest.fixture
    def other_model(self, store: ChromaStore, chroma_server: int) -> ChromaStore:
        return ChromaStore(collection_name=store.collection_name,
                           embedding_model="another-model", host="127.0.0.1", port=chroma_server)
