"""Bad files get one clear line each; the batch goes on; nothing indexed is lost."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.integration.cli import rathaus
from tests.pdfmaker import make_encrypted_pdf, make_text_pdf, make_zero_page_pdf

pytestmark = pytest.mark.integration

BAD = {
    "kaputt.pdf": "beschädigt",
    "verschluesselt.pdf": "passwortgeschützt",
    "leer.md": "leer",
    "zufall.pdf": "passt nicht zur Endung .pdf",
    "latin1.txt": "UTF-8",
    "ohne_seiten.pdf": "keine Seiten",
    "riesig.txt": "zu groß",
}


def make_bad_files(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kaputt.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\n"
                                        b"endobj\ntrailer << /Root 1 0 R >>\n%%EOF\x00\xff")
    make_encrypted_pdf(folder / "verschluesselt.pdf", "Geheime Dienstanweisung")
    (folder / "leer.md").write_text("")
    (folder / "zufall.pdf").write_bytes(bytes((i * 7919) % 256 for i in range(20000)))
    (folder / "latin1.txt").write_bytes("Satzung über Gebühren für Müll".encode("latin-1"))
    make_zero_page_pdf(folder / "ohne_seiten.pdf")
    (folder / "riesig.txt").write_text("Wort " * 300_000)
    (folder / "bild.png").write_bytes(b"\x89PNG\r\n")


def test_bad_input_is_reported_and_the_rest_indexed(tmp_path: Path, shared_corpus: Path) -> None:
    data = tmp_path / "data"
    good = tmp_path / "gut"
    good.mkdir()
    shutil.copyfile(shared_corpus / "bund_VwVG.md", good / "bund_VwVG.md")
    first = rathaus("ingest", "-q", str(good), data_dir=data)
    assert first.returncode == 0, first.stderr
    before = json.loads(rathaus("status", "--json", data_dir=data).stdout)

    batch = tmp_path / "gemischt"
    make_bad_files(batch)
    make_text_pdf(batch / "gute_satzung.pdf",
                  ["Satzung über Testgebühren\n\n§ 1 Gebühr\n\n(1) Die Gebühr beträgt 17,50 Euro."])
    result = rathaus("ingest", "-q", str(batch), data_dir=data, RATHAUS_INGEST__MAX_FILE_MB="1")
    assert result.returncode == 1
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("FEHLER")]
    assert len(lines) == len(BAD), result.stderr
    for name, reason in BAD.items():
        assert any(name in ln and reason in ln for ln in lines), (name, result.stderr)
    assert "übersprungen" in result.stderr and "bild.png" in result.stderr
    assert "1 indexiert" in result.stdout

    after = json.loads(rathaus("status", "--json", data_dir=data).stdout)
    assert after["documents"] == before["documents"] + 1
    assert after["chunks"] > before["chunks"]
    assert {Path(f["path"]).name for f in after["failed"]} == set(BAD)
    found = json.loads(rathaus("search", "Zwangsgeld Höhe", "--json", data_dir=data).stdout)
    assert any(r["doc"] == "bund_VwVG.md" for r in found["results"])


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    result = rathaus("ingest", str(tmp_path / "gibt-es-nicht"), data_dir=tmp_path / "data")
    assert result.returncode == 2
    assert "nicht gefunden" in result.stderr or "not found" in result.stderr
    assert rathaus("search", data_dir=tmp_path / "data").returncode == 2


def test_corrupted_update_keeps_the_indexed_version(make_services, tmp_path: Path,
                                                    shared_corpus: Path) -> None:
    folder = tmp_path / "k"
    folder.mkdir()
    target = folder / "satzung.md"
    shutil.copyfile(shared_corpus / "gemeinde_BadBoll_Satzung_Streupflicht.md", target)
    svc = make_services()
    assert svc.documents.ingest([folder], "allgemein").ok
    chunks = svc.documents.status()["chunks"]
    target.write_bytes(b"\xff\xfe kaputt \xc3")
    report = svc.documents.ingest([folder], "allgemein")
    assert not report.ok
    status = svc.documents.status()
    assert status["chunks"] == chunks and status["documents"] == 1
    assert "alte Fassung bleibt" in status["failed"][0]["reason"]
