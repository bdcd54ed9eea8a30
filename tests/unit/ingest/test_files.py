"""Folder walks: the data directory, hidden files and links out of the folder are never read."""

from __future__ import annotations

from pathlib import Path

from ingest.files import FileRules, discover


def _tree(root: Path) -> Path:
    """docs/ with a bylaw, hidden files, the assistant's data dir and a link out of the folder."""
    docs = root / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "satzung.md").write_text("# Satzung\n\n§ 1 Text")
    (docs / "sub" / "ordnung.md").write_text("# Ordnung\n\n§ 1 Text")
    (docs / ".~lock.satzung.md#").write_text("lock")
    (docs / ".git").mkdir()
    (docs / ".git" / "notiz.md").write_text("# Versteckt")
    data = docs / "data"
    (data / "uploads" / "allgemein").mkdir(parents=True)
    (data / "manifest.sqlite3").write_bytes(b"SQLite format 3\x00")
    (data / "uploads" / "allgemein" / "hochgeladen.md").write_text("# Hochgeladen")
    (data / "serve.log").write_text("log")
    secret = root / "geheim.md"
    secret.write_text("# Personalakte")
    (docs / "verweis.md").symlink_to(secret)
    (docs / "intern.md").symlink_to(docs / "satzung.md")
    return docs


def _rules(docs: Path, **kwargs) -> FileRules:
    data = docs / "data"
    return FileRules(excluded=(data,), allowed=(data / "uploads",), **kwargs)


def test_data_directory_and_hidden_files_are_not_walked(tmp_path: Path) -> None:
    docs = _tree(tmp_path)
    found = discover([docs], _rules(docs))
    names = sorted(p.name for p in found.files)
    assert names == ["intern.md", "ordnung.md", "satzung.md"]
    skipped = {Path(p.path).name: p.reason for p in found.skipped}
    assert set(skipped) == {"verweis.md"}  # no SQLite file, log or upload is even listed
    assert "symlink leaves the folder" in skipped["verweis.md"]


def test_links_out_of_the_folder_are_followed_only_when_allowed(tmp_path: Path) -> None:
    docs = _tree(tmp_path)
    found = discover([docs], _rules(docs, follow_external_symlinks=True))
    assert "verweis.md" in {p.name for p in found.files}
    single = discover([docs / "verweis.md"], _rules(docs))
    assert not single.files and "symlink" in single.skipped[0].reason


def test_uploads_may_be_named_but_the_data_directory_not_given(tmp_path: Path) -> None:
    docs = _tree(tmp_path)
    upload = docs / "data" / "uploads" / "allgemein" / "hochgeladen.md"
    assert discover([upload], _rules(docs)).files == [upload]
    refused = discover([docs / "data"], _rules(docs))
    assert not refused.files and not refused.roots
    assert "data directory" in refused.skipped[0].reason
