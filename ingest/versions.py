"""Versions (Fassungen) of a norm: which files are versions of the same norm, and when each was
in force.

A Kommune keeps old and new Satzungen side by side: the Hundesteuersatzung of 2019 and the one of
2024. Files are versions of one norm when their front matter (or an IT-maintained sidecar file
`<name>.meta.yaml` beside a PDF) names the same `norm_id`, when one names the other in
`fassung_von`, or when they share `title` and `kommune`. A version starts at `valid_from`, else at
the date of its "tritt am … in Kraft" clause; it ends at `valid_to`, else the day before the next
version starts, else never.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from ingest.documents import LoadedDocument
from legal.dates import OPEN_END, OPEN_START, day_number, in_force_date, parse_date

SIDECAR_SUFFIX = ".meta.yaml"


def sidecar_path(file: Path) -> Path:
    return file.with_name(file.name + SIDECAR_SUFFIX)


def read_sidecar(file: Path) -> dict[str, Any]:
    """IT's facts about a file that has no front matter (a PDF): `norm_id`, `valid_from`, …"""
    path = sidecar_path(file)
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def _normal(text: Any) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip().lower()


def norm_key(metadata: Mapping[str, Any], title: str | None) -> str | None:
    """What identifies the norm a file is a version of (None: a file on its own)."""
    for key in ("norm_id", "fassung_von"):
        if metadata.get(key):
            return f"id:{_normal(metadata[key])}"
    if metadata.get("kommune") and (metadata.get("title") or title):
        return f"title:{_normal(metadata.get('title') or title)}|{_normal(metadata['kommune'])}"
    return None


@dataclass(frozen=True)
class Version:
    """One file's declared facts: its norm and the dates it names."""

    path: str
    norm: str | None
    starts: date | None
    ends: date | None


@dataclass(frozen=True)
class Validity:
    """When a version was in force (None: open), after its neighbours are taken into account."""

    valid_from: date | None
    valid_to: date | None
    superseded_by: str | None = None  # the next version's path


def effective_validity(versions: Sequence[Version]) -> dict[str, Validity]:
    """Each version's interval: a version without an end ends the day before the next starts.
    Versions of one norm are ordered by start; a file without a start date stays open."""
    result: dict[str, Validity] = {}
    groups: dict[str, list[Version]] = {}
    for version in versions:
        if version.norm is None:
            result[version.path] = Validity(version.starts, version.ends)
        else:
            groups.setdefault(version.norm, []).append(version)
    for members in groups.values():
        dated = sorted((v for v in members if v.starts), key=lambda v: (v.starts, v.path))
        for version in members:
            if version.starts is None:
                result[version.path] = Validity(None, version.ends)
        for index, version in enumerate(dated):
            following = dated[index + 1] if index + 1 < len(dated) else None
            ends = version.ends
            if ends is None and following is not None:
                ends = following.starts - timedelta(days=1)
            result[version.path] = Validity(version.starts, ends,
                                            following.path if following else None)
    return result


def declared_version(file: Path, doc: LoadedDocument) -> Version:
    """What a loaded file says about itself: its norm and its dates. The "in Kraft" clause and a
    blueprint's `stand` only date a file that belongs to a norm (a law's clause about one of its
    own paragraphs must not take the whole law out of today's answers)."""
    meta = doc.metadata
    norm = norm_key(meta, doc.title)
    starts = parse_date(meta.get("valid_from"))
    if starts is None and norm is not None:
        starts = (parse_date(meta.get("stand"))
                  or in_force_date("\n".join(page.text for page in doc.pages)))
    return Version(str(file), norm, starts, parse_date(meta.get("valid_to")))


def validity_metadata(validity: Validity, norm: str | None) -> dict[str, str | int]:
    """The chunk metadata the date filters and citations read (empty strings for open ends:
    the store keeps no null values)."""
    return {
        "valid_from_num": day_number(validity.valid_from, OPEN_START),
        "valid_to_num": day_number(validity.valid_to, OPEN_END),
        "valid_from": validity.valid_from.isoformat() if validity.valid_from else "",
        "valid_to": validity.valid_to.isoformat() if validity.valid_to else "",
        "norm": norm or "",
        "superseded_by": Path(validity.superseded_by).name if validity.superseded_by else "",
    }
