"""The manifest: the journal that makes ingestion incremental and crash-safe."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.manifest import DUPLICATE, FAILED, INDEXED, PENDING, DocumentRecord, Manifest

pytestmark = pytest.mark.unit


@pytest.fixture
def manifest(tmp_path: Path):
    journal = Manifest(tmp_path / "manifest.sqlite3")
    yield journal
    journal.close()


def record(path: str, status: str = INDEXED, collection: str = "allgemein", **extra):
    return DocumentRecord(collection=collection, path=path, doc=Path(path).name, status=status,
                          **extra)


def test_a_record_round_trips_with_its_chunk_ids(manifest: Manifest) -> None:
    manifest.put(record("/akten/a.md", content_hash="h1", chunk_ids=["a#1", "a#2"], ocr=True,
                        title="A", doc_type="Satzung"))
    got = manifest.get("allgemein", "/akten/a.md")
    assert got is not None and got.chunk_ids == ["a#1", "a#2"] and got.ocr and got.updated_at > 0
    assert manifest.get("andere", "/akten/a.md") is None


def test_records_filter_by_collection_and_status(manifest: Manifest) -> None:
    manifest.put(record("/akten/a.md"))
    manifest.put(record("/akten/b.md", status=FAILED, reason="kaputt"))
    manifest.put(record("/akten/c.md", collection="intern"))
    assert [r.doc for r in manifest.records()] == ["a.md", "b.md", "c.md"]
    assert [r.doc for r in manifest.records(status=INDEXED)] == ["a.md", "c.md"]
    assert [r.doc for r in manifest.records(collection="intern")] == ["c.md"]
    assert manifest.collections() == ["allgemein", "intern"]


def test_pending_documents_are_what_searches_must_skip(manifest: Manifest) -> None:
    manifest.put(record("/akten/a.md"))
    manifest.put(record("/akten/b.md", status=PENDING))
    assert manifest.pending_paths() == ["/akten/b.md"]
    manifest.put(record("/akten/b.md"))
    assert manifest.pending_paths() == []


def test_content_hashes_and_duplicates_are_found(manifest: Manifest) -> None:
    manifest.put(record("/akten/a.md", content_hash="same"))
    manifest.put(record("/akten/kopie.md", status=DUPLICATE, content_hash="same",
                        duplicate_of="/akten/a.md"))
    assert [r.path for r in manifest.with_hash("same")] == ["/akten/a.md"]
    assert [r.path for r in manifest.duplicates_of("allgemein", "/akten/a.md")] == [
        "/akten/kopie.md"]


def test_a_failed_transaction_leaves_nothing_behind(manifest: Manifest) -> None:
    manifest.put(record("/akten/a.md"))
    with pytest.raises(RuntimeError), manifest.transaction():
        manifest.put(record("/akten/b.md"))
        manifest.delete("allgemein", "/akten/a.md")
        raise RuntimeError("crash in the middle")
    assert [r.path for r in manifest.records()] == ["/akten/a.md"]


def test_the_journal_survives_reopening(tmp_path: Path) -> None:
    first = Manifest(tmp_path / "m.sqlite3")
    first.put(record("/akten/a.md", chunk_ids=["x"]))
    first.close()
    again = Manifest(tmp_path / "m.sqlite3")
    assert again.get("allgemein", "/akten/a.md").chunk_ids == ["x"]
    again.close()


def test_a_manifest_from_before_versions_gains_the_version_columns(tmp_path) -> None:
    import sqlite3

    from ingest.manifest import INDEXED, DocumentRecord, Manifest

    path = tmp_path / "manifest.sqlite3"
    with sqlite3.connect(path) as old:  # the schema of the first release
        old.execute("CREATE TABLE documents (collection TEXT NOT NULL, path TEXT NOT NULL, "
                    "doc TEXT NOT NULL, content_hash TEXT, status TEXT NOT NULL, chunk_ids TEXT "
                    "NOT NULL DEFAULT '[]', old_chunk_ids TEXT NOT NULL DEFAULT '[]', title TEXT, "
                    "doc_type TEXT, reason TEXT, duplicate_of TEXT, size INTEGER, ocr INTEGER NOT "
                    "NULL DEFAULT 0, updated_at REAL NOT NULL, PRIMARY KEY (collection, path))")
        old.execute("INSERT INTO documents (collection, path, doc, status, updated_at) VALUES "
                    "('allgemein', '/a.md', 'a.md', 'indexed', 1.0)")
    manifest = Manifest(path)
    before = manifest.get("allgemein", "/a.md")
    assert before.status == INDEXED and before.norm_key is None
    manifest.put(DocumentRecord("allgemein", "/b.md", "b.md", INDEXED, norm_key="id:x",
                                starts="2019-01-01", effective_to="2023-12-31"))
    after = manifest.get("allgemein", "/b.md")
    assert (after.norm_key, after.starts, after.effective_to) == ("id:x", "2019-01-01",
                                                                  "2023-12-31")
    manifest.close()
