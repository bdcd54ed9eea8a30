"""Which files a sync source takes, and when `--watch` polls instead of waiting for events."""

from __future__ import annotations

from pathlib import Path

from assistant.operations.folder_watch import filesystem_type, uses_polling
from assistant.operations.sync import matches
from core.config import SyncSource

MOUNTS = """\
overlay / overlay rw 0 0
//fileserver/bauamt /mnt/bauamt cifs rw,vers=3.0 0 0
nas:/export/satzungen /mnt/nas nfs4 rw 0 0
/dev/sda1 /mnt/nas/lokal ext4 rw 0 0
/dev/sdb1 /mnt/mit\\040leerzeichen ext4 rw 0 0
"""


def test_globs_match_the_relative_path_or_the_file_name() -> None:
    assert matches("archiv/2019/satzung.pdf", ["archiv/**"])
    assert matches("archiv/2019/satzung.pdf", ["*.pdf"])
    assert matches("Entwurf_Hundesteuer.md", ["Entwurf*"])
    assert not matches("satzung.md", ["*.pdf", "Entwurf*"])
    assert not matches("satzung.md", [])


def test_filesystem_type_takes_the_longest_mount_point() -> None:
    assert filesystem_type(Path("/mnt/bauamt/Satzungen"), MOUNTS) == "cifs"
    assert filesystem_type(Path("/mnt/nas/a.pdf"), MOUNTS) == "nfs4"
    assert filesystem_type(Path("/mnt/nas/lokal/a.pdf"), MOUNTS) == "ext4"
    assert filesystem_type(Path("/mnt/mit leerzeichen/a"), MOUNTS) == "ext4"
    assert filesystem_type(Path("/mnt/bauamtx"), MOUNTS) == "overlay"


def test_polling_is_chosen_for_network_mounts_or_when_asked(tmp_path: Path) -> None:
    local = SyncSource(name="lokal", path=tmp_path)
    assert uses_polling(local) is False  # tmp_path is no network filesystem here
    assert uses_polling(SyncSource(name="x", path=tmp_path, polling="always")) is True
    assert uses_polling(SyncSource(name="x", path=tmp_path, polling="never")) is False
