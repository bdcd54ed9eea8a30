"""Hostile files through `rathaus ingest` and through the upload: each gets a clear reason,
costs bounded time and memory, writes nothing outside the data directory, and leaves the
index as it was."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.hostile import (
    cyclic_pdf,
    docx_bytes,
    many_pages_pdf,
    pdf_named,
    sparse_file,
    zip_bomb_docx,
)
from tests.integration.cli import rathaus, rathaus_measured

pytestmark = pytest.mark.integration

SECRET = "Zitronenfalterpersonalakte"
EXPECTED = {  # file -> words of its reason
    "bombe.docx": "zip bomb",
    "viele_seiten.pdf": "3500 Seiten",
    "rekursiv.pdf": "beschädigt",
    "riesig.pdf": "zu groß",
    "bescheid.md": "passt nicht zur Endung .md",
    "tabelle.pdf": "passt nicht zur Endung .pdf",
    "leer.txt": "leer",
}


def _files_outside(root: Path, data: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.lstat().st_size, p.lstat().st_mtime_ns) for p in root.rglob("*")
            if not p.is_relative_to(data)}


def _hostile_folder(folder: Path, outside: Path) -> None:
    folder.mkdir()
    zip_bomb_docx(folder / "bombe.docx")
    many_pages_pdf(folder / "viele_seiten.pdf", 3500)
    cyclic_pdf(folder / "rekursiv.pdf")
    sparse_file(folder / "riesig.pdf", 500)
    pdf_named(folder / "bescheid.md")
    (folder / "tabelle.pdf").write_bytes(docx_bytes())
    (folder / "leer.txt").write_bytes(b"")
    (folder / "verweis.md").symlink_to(outside)


def test_hostile_folder_is_refused_cheaply_and_changes_nothing(tmp_path: Path,
                                                               shared_corpus: Path) -> None:
    data = tmp_path / "data"
    good = tmp_path / "gut"
    good.mkdir()
    shutil.copyfile(shared_corpus / "bund_VwVG.md", good / "bund_VwVG.md")
    assert rathaus("ingest", "-q", str(good), data_dir=data).returncode == 0
    before = json.loads(rathaus("status", "--json", data_dir=data).stdout)
    outside = tmp_path / "personal" / "akte.md"
    outside.parent.mkdir()
    outside.write_text(f"# Personalakte\n\n§ 1 Vertraulich\n\n{SECRET} Gehalt 5.000 Euro.\n")
    hostile = tmp_path / "feindlich"
    _hostile_folder(hostile, outside)
    files_before = _files_outside(tmp_path, data)

    result, cost = rathaus_measured("ingest", "-q", str(hostile), data_dir=data)

    assert result.returncode == 1, result.stderr
    for name, reason in EXPECTED.items():
        assert any(name in line and reason in line for line in result.stderr.splitlines()
                   if line.startswith("FEHLER")), (name, result.stderr)
    assert any("verweis.md" in line and "symlink leaves the folder" in line
               for line in result.stderr.splitlines() if line.startswith("übersprungen"))
    assert "0 indexiert" in result.stdout
    print(f"\nhostile folder: {cost['seconds']:.1f} s, peak {cost['peak_mb']:.0f} MB")
    assert cost["seconds"] < 120 and cost["peak_mb"] < 1500, cost  # a parsed bomb: > 2 GB
    assert _files_outside(tmp_path, data) == files_before  # nothing written outside data/
    after = json.loads(rathaus("status", "--json", data_dir=data).stdout)
    assert (after["documents"], after["chunks"], after["collections"]) == (
        before["documents"], before["chunks"], before["collections"])
    found = json.loads(rathaus("search", SECRET, "--json", data_dir=data).stdout)
    assert not any(SECRET in r["text"] for r in found["results"])


def test_hostile_uploads_are_refused_before_they_are_stored(make_services, tmp_path: Path,
                                                            shared_corpus: Path) -> None:
    services = make_services(web={"max_upload_mb": 100})
    documents = services.documents
    documents.ingest([shared_corpus / "bund_VwVG.md"], "allgemein")
    before = documents.status()
    inbox = tmp_path / "browser"
    inbox.mkdir()
    sources = [pdf_named(inbox / "bescheid\u202efdp.md"), sparse_file(inbox / "gross.pdf", 150),
               inbox / "programm.exe", inbox / ("x" * 200 + ".txt")]
    sources[2].write_bytes(b"MZ\x90\x00")
    sources[3].write_bytes(b"\x7fELF" + bytes(300))

    result = documents.upload(sources, "allgemein")

    reasons = {p.path: p.reason for p in result.refused}
    assert result.report is None and len(reasons) == 4, reasons
    assert "passt nicht zur Endung .md" in reasons["bescheidfdp.md"]
    assert "größer als 100 MB" in reasons["gross.pdf"]
    assert "nicht unterstützt" in reasons["programm.exe"]
    assert "Binärdaten" in reasons["x" * 116 + ".txt"]
    assert not (services.settings.data_dir / "uploads").exists()
    assert documents.status() == before


def test_the_data_directory_is_never_ingested(tmp_path: Path, shared_corpus: Path) -> None:
    docs = tmp_path / "srv" / "docs"
    data = docs / "data"
    docs.mkdir(parents=True)
    shutil.copyfile(shared_corpus / "bund_VwVG.md", docs / "bund_VwVG.md")
    (docs / ".~lock.bund_VwVG.md#").write_text("gesperrt")
    assert rathaus("ingest", "-q", str(docs), data_dir=data).returncode == 0
    upload = data / "uploads" / "allgemein" / "hochgeladen.md"
    upload.parent.mkdir(parents=True)
    upload.write_text("# Hochgeladene Satzung\n\n§ 1 Gegenstand\n\nText der Satzung.\n")
    (data / "serve.log").write_text("# Protokoll\n")

    again = rathaus("ingest", str(docs), data_dir=data)

    assert again.returncode == 0, again.stderr
    assert "sqlite3" not in again.stderr + again.stdout and "übersprungen" not in again.stderr
    status = json.loads(rathaus("status", "--json", data_dir=data).stdout)
    assert status["documents"] == 1 and not status["failed"]
