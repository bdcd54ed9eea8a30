"""Hybrid retrieval latency on the scale corpus, embedded Chroma and a `chroma run` server.

    python bench/query.py [--limit-mb N] [--sizes 2,8,20] [--no-server] [--json]

Builds (or reuses) the product index of the slice in bench/results/cache/index-<slice>/ —
slices are name-ordered prefixes, so `--sizes` grows one index step by step and measures at
each size. Queries: the 60 development questions, twice, after a warm-up; each is one
`Services.search(k=10)` (German BM25 + dense bonus + § lookup + filters), timed end to end.
With the server, the same Chroma files are served by `chroma run` on 127.0.0.1.
Prints figures and writes bench/results/query-<slice>.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT, SHARED, emit, percentile
from scale import CACHE, free_port, slice_files, slice_name, wait_for_http

ROUNDS = 2


def questions() -> list[str]:
    lines = (SHARED / "qa" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def services(data_dir: Path, host: str | None = None, port: int = 8000):
    from assistant.wiring import build_services
    from core.config import ChromaSettings, Settings

    chroma = ChromaSettings(host=host, port=port) if host else ChromaSettings()
    return build_services(Settings(data_dir=data_dir, chroma=chroma))


def build(data_dir: Path, limit_mb: float | None) -> float:
    """Index the slice (incremental: files already indexed are skipped). Returns seconds."""
    svc = services(data_dir)
    started = time.perf_counter()
    report = svc.documents.ingest(slice_files(limit_mb), "scale", prune=False)
    svc.close()
    if report.failed:
        raise SystemExit(f"ingest failed: {report.failed[:3]}")
    return time.perf_counter() - started


def latencies(svc, queries: list[str]) -> dict:
    for query in queries[:5]:  # warm-up: model, caches, BM25 matrix
        svc.asking.search(query, k=10)
    times = []
    for _ in range(ROUNDS):
        for query in queries:
            started = time.perf_counter()
            svc.asking.search(query, k=10)
            times.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 0.95), 1), "queries": len(times)}


def with_server(data_dir: Path, queries: list[str]) -> dict:
    """The same index through `chroma run` (the embedded client must not hold the files)."""
    chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = free_port()
    proc = subprocess.Popen([chroma, "run", "--path", str(data_dir / "chroma"), "--host",
                             "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/api/v2/heartbeat", proc, "chroma run")
        svc = services(data_dir, "127.0.0.1", port)
        figures = latencies(svc, queries)
        svc.close()
        return figures
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def measure(limit_mb: float | None, cache_as: str, server: bool) -> dict:
    data_dir = CACHE / f"index-{cache_as}"
    build_s = build(data_dir, limit_mb)
    svc = services(data_dir)
    chunks = svc.components.keyword.mirror.count()
    indexed = sum(1 for _ in svc.documents.records())
    files = len(slice_files(limit_mb))
    if indexed != files:  # a bigger slice is cached here: this step cannot be measured
        svc.close()
        return {"slice": slice_name(limit_mb), "skipped": f"index holds {indexed} documents, "
                f"slice has {files}; remove {data_dir} to measure growth"}
    queries = questions()
    result = {"slice": slice_name(limit_mb), "files": files,
              "chunks": chunks, "build_or_update_s": round(build_s, 1),
              **latencies(svc, queries)}
    svc.close()
    if server:
        result.update({f"server_{k}": v for k, v in with_server(data_dir, queries).items()
                       if k != "queries"})
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit-mb", type=float, default=None)
    parser.add_argument("--sizes", help="comma-separated MB steps for a growth curve")
    parser.add_argument("--no-server", action="store_true", help="skip the chroma run server")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    if args.sizes:
        steps = sorted(float(x) for x in args.sizes.split(","))
        cache_as = slice_name(steps[-1])
        rows = [measure(step, cache_as, not args.no_server) for step in steps]
        (out_dir / f"query-growth-{cache_as}.json").write_text(json.dumps(rows, indent=2))
        for row in rows:
            emit(row, args.json)
        return
    result = measure(args.limit_mb, slice_name(args.limit_mb), not args.no_server)
    (out_dir / f"query-{result['slice']}.json").write_text(json.dumps(result, indent=2))
    emit(result, args.json)


if __name__ == "__main__":
    main()
