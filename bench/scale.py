"""The scale corpus (../shared/corpus-scale/gesetze-50mb.tar.gz) and helpers the scale
benchmarks share: deterministic slices, cached indexes, resident memory, sizes on disk."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tarfile
from pathlib import Path

from common import ROOT, SHARED

from bench.suites.cli import free_port, wait_for_http  # noqa: F401  (re-exported)

TARBALL = SHARED / "corpus-scale" / "gesetze-50mb.tar.gz"
CACHE = Path(os.environ.get("RATHAUS_BENCH_CACHE", ROOT / "bench" / "results" / "cache"))


def unpacked() -> Path:
    """The laws as Markdown files, unpacked once into the cache."""
    target = CACHE / "gesetze"
    marker = CACHE / "gesetze.done"
    if not marker.is_file():
        CACHE.mkdir(parents=True, exist_ok=True)
        with tarfile.open(TARBALL) as archive:
            archive.extractall(CACHE, filter="data")
        marker.write_text("ok")
    return target


def slice_files(limit_mb: float | None) -> list[Path]:
    """A fixed subset: files in name order until `limit_mb` MB are reached (all if None)."""
    files = sorted(p for p in unpacked().glob("*.md") if p.is_file())
    if limit_mb is None:
        return files
    chosen, total = [], 0
    for path in files:
        if total >= limit_mb * 1_000_000:
            break
        chosen.append(path)
        total += path.stat().st_size
    return chosen


def slice_name(limit_mb: float | None) -> str:
    return "all" if limit_mb is None else f"{limit_mb:g}mb"


def megabytes(paths: list[Path]) -> float:
    return round(sum(p.stat().st_size for p in paths) / 1_000_000, 2)


def dir_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1_000_000, 1)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def process_rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of another process, from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return (round(int(fields["VmRSS"].split()[0]) / 1024, 1),
            round(int(fields["VmHWM"].split()[0]) / 1024, 1))


def run_stage(script: Path, *args: str) -> dict:
    """Run one measurement in its own process (so its peak memory is its own); it prints JSON
    as its last stdout line."""
    result = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True,
                            cwd=ROOT)
    if result.returncode != 0:
        raise SystemExit(f"stage {args} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])

