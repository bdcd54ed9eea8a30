"""`rathaus sync --watch` on a real folder: create, change, rename, delete, a file still being
written, an excluded file and an emptied (unmounted-looking) folder, with the index checked after
each step; once with filesystem events and once polling (as on an SMB/NFS mount)."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from tests.integration.cli import rathaus

pytestmark = [pytest.mark.integration, pytest.mark.slow]
NEW_RULE = "\n\n## § 9 Vogelschutz\n\nDie Zaunkönigregel gilt für alle Hecken im Ortskern.\n"


def wait_for(condition, what: str, timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while not condition():
        if time.time() > deadline:
            raise AssertionError(f"timed out waiting for: {what}")
        time.sleep(0.2)


@pytest.mark.parametrize("polling", ["never", "always"])
def test_watched_folder_follows_every_change(make_services, shared_corpus: Path,
                                             tmp_path: Path, polling: str) -> None:
    share = tmp_path / "share"
    share.mkdir()
    shutil.copyfile(shared_corpus / "gemeinde_BadBoll_Satzung_Streupflicht.md",
                    share / "streupflicht.md")
    shutil.copyfile(shared_corpus / "gemeinde_BadBoll_Satzung_Erhebung_Hundesteuer.md",
                    share / "hundesteuer.md")
    (share / "entwurf_hundesteuer.md").write_text("# Entwurf\n\nDie Entwurfsregel gilt.\n",
                                                  encoding="utf-8")
    services = make_services(llm_backend=None, sync={
        "sources": [{"name": "ordnungsamt", "path": str(share), "collection": "akten",
                     "exclude": ["entwurf_*"], "polling": polling, "interval_minutes": 60}],
        "stable_seconds": 1.5, "debounce_seconds": 0.3, "poll_seconds": 0.5})
    manifest, store = services.components.manifest, services.components.store
    runs: list = []

    def indexed() -> dict[str, str]:
        return {Path(r.path).name: r.content_hash
                for r in manifest.records(collection="akten") if r.status == "indexed"}

    def complete(name: str) -> bool:  # every chunk the manifest names is in the vector store
        record = next(r for r in manifest.records(collection="akten")
                      if Path(r.path).name == name)
        return len(store.get(record.chunk_ids)) == len(record.chunk_ids) > 0

    def found(words: str) -> set[str]:
        return {s.doc for s in services.asking.search(words, k=3, collections=["akten"])}

    stop = threading.Event()
    watcher = threading.Thread(target=services.folder_watcher(on_run=runs.append).watch,
                               args=(stop,), daemon=True)
    watcher.start()
    try:
        wait_for(lambda: set(indexed()) == {"streupflicht.md", "hundesteuer.md"}, "first run")
        assert "entwurf_hundesteuer.md" not in indexed()  # excluded by the glob

        with open(share / "streupflicht.md", "a", encoding="utf-8") as f:  # change
            f.write(NEW_RULE)
        wait_for(lambda: "streupflicht.md" in found("Zaunkönigregel Hecken"), "change")

        os.rename(share / "streupflicht.md", share / "winterdienst.md")  # rename
        wait_for(lambda: "winterdienst.md" in indexed() and "streupflicht.md" not in indexed(),
                 "rename")
        assert complete("winterdienst.md")  # the old path's removal kept the shared chunks
        assert found("Zaunkönigregel Hecken") >= {"winterdienst.md"}

        (share / "hundesteuer.md").unlink()  # delete
        wait_for(lambda: "hundesteuer.md" not in indexed(), "delete")
        assert "hundesteuer.md" not in found("Hundesteuer Steuersatz Kampfhund")

        half = (shared_corpus / "bund_VwVG.md").read_bytes()  # a copy in progress
        with open(share / "vwvg.md", "wb") as f:
            f.write(half[: len(half) // 2])
            f.flush()
            wait_for(lambda: any("vwvg.md" in " ".join(r.waiting) for r in runs), "waiting")
            assert "vwvg.md" not in indexed()
            f.write(half[len(half) // 2:])
        wait_for(lambda: "vwvg.md" in indexed(), "copy finished", timeout=120)
        import hashlib

        assert indexed()["vwvg.md"] == hashlib.sha256(half).hexdigest()  # never half

        for name in ("winterdienst.md", "vwvg.md", "entwurf_hundesteuer.md"):  # unmounted?
            (share / name).unlink()
        wait_for(lambda: runs[-1].error is not None, "empty folder noticed")
        assert set(indexed()) == {"winterdienst.md", "vwvg.md"}  # nothing removed
    finally:
        stop.set()
        watcher.join(timeout=60)
    assert not watcher.is_alive()
    status = services.sync.status()[0]
    assert status["name"] == "ordnungsamt" and "leer" in status["error"]


def test_sync_command_and_status_json(tmp_path: Path, shared_corpus: Path) -> None:
    """`rathaus sync` once, then `status --json`: the new key `sources`, the old keys kept."""
    share = tmp_path / "share"
    share.mkdir()
    shutil.copyfile(shared_corpus / "bund_VwVG.md", share / "vwvg.md")
    (share / "kaputt.pdf").write_bytes(b"%PDF-1.4 nothing else")
    config = tmp_path / "settings.yaml"
    config.write_text(json.dumps({"sync": {"stable_seconds": 0, "sources": [
        {"name": "recht", "path": str(share), "collection": "recht"}]}}), encoding="utf-8")
    data = tmp_path / "data"
    before = json.loads(rathaus("--config", str(config), "status", "--json", data_dir=data).stdout)
    assert before["sources"] == [{**before["sources"][0], "last_run": None, "ok": None}]
    run = rathaus("--config", str(config), "sync", "--json", data_dir=data)
    assert run.returncode == 1, run.stderr  # the broken PDF
    assert json.loads(run.stdout)[0]["indexed"] == 1
    status = json.loads(rathaus("--config", str(config), "status", "--json",
                                data_dir=data).stdout)
    assert {"documents", "chunks", "collections", "failed", "sources"} <= set(status)
    source = status["sources"][0]
    assert source["indexed"] == 1 and source["ok"] is False and source["runs"] == 1
    assert source["failed"][0]["path"].endswith("kaputt.pdf")
    assert status["collections"]["recht"]["documents"] == 1
    unknown = rathaus("--config", str(config), "sync", "--source", "gibtsnicht", data_dir=data)
    assert unknown.returncode == 2 and "Unbekannte Quelle" in unknown.stderr
