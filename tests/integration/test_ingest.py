"""Incremental ingestion into a real Chroma with the real embedding model."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from ingest.manifest import DUPLICATE, INDEXED

# these tests are about the chunk index and its manifest; the reader's sentence vectors,
# written by the same ingest, are covered in test_reader.py
NO_SENTENCES = {"embed_at_ingest": False}
pytestmark = pytest.mark.integration


def chroma_ids(svc) -> list[str]:
    return [row["id"] for row in svc.components.store.iter_all()]


def assert_consistent(svc) -> None:
    """Manifest and store agree exactly; no chunk stored twice."""
    ids = chroma_ids(svc)
    assert len(ids) == len(set(ids))
    manifest_ids = [i for r in svc.documents.records(status=INDEXED) for i in r.chunk_ids]
    assert sorted(ids) == sorted(manifest_ids)


def test_ingest_is_incremental_and_consistent(make_services, corpus_subset: Path) -> None:
    svc = make_services(reader=NO_SENTENCES)
    first = svc.documents.ingest([corpus_subset], "allgemein")
    assert first.ok, first.failed
    assert len(first.indexed) == 5 and first.chunks_added > 100
    assert_consistent(svc)
    status = svc.documents.status()
    assert status["documents"] == 5
    assert status["chunks"] == first.chunks_added == svc.components.store.count()

    second = svc.documents.ingest([corpus_subset], "allgemein")
    assert second.chunks_added == 0 and second.embed_seconds == 0
    assert len(second.unchanged) == 5

    # a changed file replaces exactly its own chunks
    streu = corpus_subset / "gemeinde_BadBoll_Satzung_Streupflicht.md"
    before = {r.path: r.chunk_ids for r in svc.documents.records()}
    streu.write_text(streu.read_text(encoding="utf-8") + "\n\n### § 99 Testparagraph\n\n"
                     "Die Räumpflicht endet um 22 Uhr.\n", encoding="utf-8")
    third = svc.documents.ingest([corpus_subset], "allgemein")
    assert third.indexed == [str(streu.resolve())]
    after = {r.path: r.chunk_ids for r in svc.documents.records()}
    for path, ids in before.items():
        if path != str(streu.resolve()):
            assert after[path] == ids
    assert not set(before[str(streu.resolve())]) & set(after[str(streu.resolve())])
    assert_consistent(svc)
    hits = svc.asking.search("Wann endet die Räumpflicht am Abend? Testparagraph", k=5)
    assert any(h.section == "§ 99 Testparagraph" for h in hits)

    # a file gone from the folder is pruned
    (corpus_subset / "bund_VwVG.md").unlink()
    fourth = svc.documents.ingest([corpus_subset], "allgemein")
    assert [Path(p).name for p in fourth.removed] == ["bund_VwVG.md"]
    assert svc.documents.status()["documents"] == 4
    assert_consistent(svc)


def test_same_content_under_two_paths_is_embedded_once(make_services, corpus_subset: Path) -> None:
    svc = make_services(reader=NO_SENTENCES)
    copy = corpus_subset / "kopie_hundesteuer.md"
    shutil.copy(corpus_subset / "gemeinde_BadBoll_Satzung_Erhebung_Hundesteuer.md", copy)
    report = svc.documents.ingest([corpus_subset], "allgemein")
    assert len(report.duplicates) == 1
    statuses = Counter(r.status for r in svc.documents.records())
    assert statuses == {INDEXED: 5, DUPLICATE: 1}
    assert_consistent(svc)

    # removing the original hands its chunks to the duplicate, without re-embedding
    (corpus_subset / "gemeinde_BadBoll_Satzung_Erhebung_Hundesteuer.md").unlink()
    report = svc.documents.ingest([corpus_subset], "allgemein")
    assert report.chunks_added == 0
    heir = svc.components.manifest.get("allgemein", str(copy.resolve()))
    assert heir is not None and heir.status == INDEXED and heir.chunk_ids
    docs = {h.doc for h in svc.asking.search("Hundesteuer Steuersatz Kampfhund", k=5)}
    assert "kopie_hundesteuer.md" in docs
    assert "gemeinde_BadBoll_Satzung_Erhebung_Hundesteuer.md" not in docs
    assert_consistent(svc)


def test_collections_are_separate_and_filterable(make_services, corpus_subset: Path) -> None:
    svc = make_services(reader=NO_SENTENCES)
    svc.documents.ingest([corpus_subset / "bund_BMG.md"], "bund")
    svc.documents.ingest([corpus_subset / "gemeinde_BadBoll_Satzung_Streupflicht.md"], "satzungen")
    status = svc.documents.status()
    assert set(status["collections"]) == {"bund", "satzungen"}
    only_bund = svc.asking.search("Räum- und Streupflicht bei Schnee", k=5, collections=["bund"])
    assert only_bund and {h.doc for h in only_bund} == {"bund_BMG.md"}
    both = svc.asking.search("Räum- und Streupflicht bei Schnee", k=3)
    assert both[0].doc == "gemeinde_BadBoll_Satzung_Streupflicht.md"


def test_chunks_never_exceed_the_model_window(make_services, shared_corpus: Path) -> None:
    svc = make_services(reader=NO_SENTENCES)
    from ingest.loaders import load_document

    path = shared_corpus / "bund_SGB_II.md"  # long paragraphs, deep structure
    doc = load_document(path, path.read_bytes(), "x", None)
    chunks = svc.components.chunker.chunk(doc)
    counts = svc.components.embedder.count_tokens([c.embedding_text() for c in chunks])
    # e5's 512-token window, prefix included
    assert max(counts) <= svc.components.embedder.max_tokens
    assert max(counts) <= svc.settings.ingest.chunk_max_tokens
    assert all(c.section for c in chunks[1:])  # every chunk after the preamble cites a §
