"""Find the files to ingest under the given paths."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ingest.loaders import SUPPORTED_SUFFIXES


@dataclass(frozen=True)
class FileProblem:
    """A file that was not indexed, with a reason a person can act on."""

    path: str
    reason: str


@dataclass
class Discovery:
    files: list[Path]
    roots: list[Path]  # directories given: files gone from them are pruned
    skipped: list[FileProblem]


def discover(paths: Iterable[Path]) -> Discovery:
    """Expand directories recursively (sorted, hidden entries ignored); unknown types are skipped."""
    found = Discovery([], [], [])
    seen: set[Path] = set()
    for given in paths:
        path = given.resolve()
        if path.is_dir():
            found.roots.append(path)
            candidates = sorted(
                Path(dirpath) / name
                for dirpath, dirnames, names in os.walk(path)
                for name in names
                if not name.startswith(".") and not _hidden(Path(dirpath), path)
            )
        else:
            candidates = [path]
        for file in candidates:
            if file in seen:
                continue
            seen.add(file)
            if file.suffix.lower() in SUPPORTED_SUFFIXES:
                found.files.append(file)
            else:
                found.skipped.append(
                    FileProblem(str(file), f"Dateityp nicht unterstützt / unsupported type "
                                           f"'{file.suffix or '(none)'}'")
                )
    return found


def _hidden(directory: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in directory.relative_to(root).parts)
