"""Find the files to ingest under the given paths.

Two rules keep a folder run from reading what it should not: the data directory (index,
accounts, audit, uploads) is never walked, and a symbolic link whose target lies outside the
folder it sits in is not followed unless IT allows it. Hidden files and folders are ignored, and
so are sidecar files (`<name>.meta.yaml`: facts about a file, read with it).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ingest.loaders import SUPPORTED_SUFFIXES
from ingest.versions import SIDECAR_SUFFIX


@dataclass(frozen=True)
class FileProblem:
    """A file that was not indexed, with a reason a person can act on."""

    path: str
    reason: str


@dataclass(frozen=True)
class FileRules:
    """What a folder walk may read. `excluded`: folders never walked (the data directory);
    `allowed`: folders inside them that may still be named file by file (the uploads)."""

    excluded: tuple[Path, ...] = ()
    allowed: tuple[Path, ...] = ()
    follow_external_symlinks: bool = False

    def is_excluded(self, path: Path) -> bool:
        resolved = path.resolve()
        return (any(resolved.is_relative_to(e.resolve()) for e in self.excluded)
                and not any(resolved.is_relative_to(a.resolve()) for a in self.allowed))


@dataclass
class Discovery:
    files: list[Path]
    roots: list[Path]  # directories given: files gone from them are pruned
    skipped: list[FileProblem]


_DATA_DIR = ("Liegt im Datenverzeichnis des Assistenten – wird nie indexiert / inside the data "
             "directory")
_LEAVES = ("Verknüpfung zeigt aus dem Ordner heraus – nicht gefolgt / symlink leaves the folder "
           "(ingest.follow_external_symlinks)")


def discover(paths: Iterable[Path], rules: FileRules = FileRules()) -> Discovery:
    """Expand directories recursively (sorted); unknown types, links out of the folder and the
    data directory are skipped with a reason."""
    found = Discovery([], [], [])
    seen: set[Path] = set()
    for given in paths:
        if rules.is_excluded(given):
            found.skipped.append(FileProblem(str(given), _DATA_DIR))
            continue
        if given.is_dir():
            root = given.resolve()
            found.roots.append(root)
            candidates = [(file, root) for file in _walk(root, rules)]
        else:
            candidates = [(given.absolute(), given.absolute().parent.resolve())]
        for file, folder in candidates:
            problem = _problem(file, folder, rules)
            file = file if file.is_symlink() else file.resolve()
            if file in seen:
                continue
            seen.add(file)
            if problem:
                found.skipped.append(FileProblem(str(file), problem))
            else:
                found.files.append(file)
    return found


def _walk(root: Path, rules: FileRules) -> list[Path]:
    """Every visible file under `root`; hidden and excluded folders are not entered (so the
    data directory's SQLite files are not even listed)."""
    files = []
    for dirpath, dirnames, names in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames
                       if not d.startswith(".") and not rules.is_excluded(here / d)]
        files.extend(here / name for name in names
                     if not name.startswith(".") and not name.endswith(SIDECAR_SUFFIX))
    return sorted(files)


def _problem(file: Path, folder: Path, rules: FileRules) -> str | None:
    if rules.is_excluded(file):
        return _DATA_DIR
    if file.is_symlink() and not rules.follow_external_symlinks:
        if not file.resolve().is_relative_to(folder):
            return _LEAVES
    if file.suffix.lower() not in SUPPORTED_SUFFIXES:
        return f"Dateityp nicht unterstützt / unsupported type '{file.suffix or '(none)'}'"
    return None
