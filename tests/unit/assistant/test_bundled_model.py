"""Assembling the split GGUF: pinned size and sha256, refusal on any mismatch.

Runs the real assembly code on small part packages made here (the real parts are 1.1 GB)."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

from assistant.llm.bundled import SplitModel, assemble, verify
from core.errors import BackendUnavailable, ModelIntegrityError

pytestmark = pytest.mark.unit
PARTS = [b"GGUF" + bytes(range(256)) * 40, bytes(range(255, -1, -1)) * 30, b"tail"]


@pytest.fixture
def split_model(tmp_path: Path, monkeypatch) -> SplitModel:
    site = tmp_path / "site"
    for n, data in enumerate(PARTS, start=1):
        package = site / f"probe_model_part{n}"
        (package / "data").mkdir(parents=True)
        (package / "__init__.py").write_text("")
        (package / "data" / f"part{n:02d}.bin").write_bytes(data)
    monkeypatch.syspath_prepend(str(site))
    whole = b"".join(PARTS)
    yield SplitModel("probe.gguf", "probe_model_part{n}", "data/part{n:02d}.bin", len(PARTS),
                     len(whole), hashlib.sha256(whole).hexdigest())
    for n in range(1, len(PARTS) + 1):
        sys.modules.pop(f"probe_model_part{n}", None)


def test_parts_are_joined_in_order_and_verified(tmp_path: Path, split_model) -> None:
    path = assemble(tmp_path / "cache", split_model)
    assert path.read_bytes() == b"".join(PARTS)
    assert path.with_suffix(".gguf.verified").is_file()
    assert assemble(tmp_path / "cache", split_model) == path  # cached, not rebuilt


def test_a_changed_file_is_refused(tmp_path: Path, split_model) -> None:
    path = assemble(tmp_path / "cache", split_model)
    data = bytearray(path.read_bytes())
    data[10] ^= 0xFF  # same size, one byte flipped
    path.write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match="SHA-256"):
        verify(path, split_model)
    path.write_bytes(bytes(data[:-1]))
    with pytest.raises(ModelIntegrityError, match="Größe"):
        verify(path, split_model)


def test_wrong_pinned_digest_leaves_no_model_behind(tmp_path: Path, split_model) -> None:
    tampered = SplitModel(**{**split_model.__dict__, "sha256": "0" * 64})
    with pytest.raises(ModelIntegrityError):
        assemble(tmp_path / "cache", tampered)
    assert not any((tmp_path / "cache").glob("*.gguf*"))


def test_missing_part_package_names_the_package(tmp_path: Path, split_model) -> None:
    missing = SplitModel(**{**split_model.__dict__, "parts": len(PARTS) + 1})
    with pytest.raises(BackendUnavailable, match="probe-model-part4"):
        assemble(tmp_path / "cache", missing)
