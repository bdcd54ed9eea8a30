"""A morning rush: simulated staff asking through the served app's HTTP API at once.

    python bench/concurrency.py [--limit-mb N | --data-dir DIR] [--users 16]
                                [--questions-per-user 3] [--backend extractive,llamacpp] [--json]

Starts `rathaus serve` on 127.0.0.1 over the product index of a scale slice (built or reused
in bench/results/cache/index-<slice>/, see bench/query.py) or over DIR, logs in every simulated
user through `gradio_client`, and lets each ask its share of the development questions once
(a bounded loop: it stops by itself). Reports throughput, p50/p95 answer latency and errors
per backend, and the server's resident memory after start-up and at its peak.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from common import ROOT, emit, percentile
from query import build, questions
from scale import CACHE, free_port, process_rss_mb, slice_name, wait_for_http

USER, PASSWORD = "lasttest", "lasttest-passwort"


def ensure_user(data_dir: Path) -> None:
    from assistant.identity.accounts import AccountStore

    store = AccountStore(data_dir / "access.sqlite3")
    if store.user(USER) is None:
        store.add_user(USER, PASSWORD, "staff")
    store.close()


def rush(url: str, users: int, per_user: int) -> dict:
    from gradio_client import Client

    pool = questions()
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def staff(number: int) -> None:
        try:
            client = Client(url, auth=(USER, PASSWORD), verbose=False)
        except Exception as exc:  # a login failure is an error of the run, not a crash
            with lock:
                errors.extend([f"login: {exc}"] * per_user)
            return
        for i in range(per_user):
            question = pool[(number * per_user + i) % len(pool)]
            started = time.perf_counter()
            try:
                client.predict(question, [], "Alle meine Sammlungen", api_name="/ask")
                with lock:
                    latencies.append(time.perf_counter() - started)
            except Exception as exc:
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}"[:200])

    threads = [threading.Thread(target=staff, args=(n,)) for n in range(users)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {"answers": len(latencies), "errors": len(errors), "wall_s": round(wall, 1),
            "answers_per_min": round(60 * len(latencies) / wall, 1),
            "p50_s": round(statistics.median(latencies), 2) if latencies else None,
            "p95_s": round(percentile(latencies, 0.95), 2) if latencies else None,
            "first_errors": errors[:3]}


def serve_and_rush(data_dir: Path, backend: str, users: int, per_user: int) -> dict:
    port = free_port()
    env = dict(os.environ, RATHAUS_DATA_DIR=str(data_dir), RATHAUS_LLM__BACKEND=backend,
               HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False", PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/", proc, "rathaus serve", timeout=300)
        rss_start, _ = process_rss_mb(proc.pid)
        figures = rush(f"http://127.0.0.1:{port}/", users, per_user)
        rss_now, rss_peak = process_rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    return {"backend": backend, "users": users, **figures, "serve_rss_start_mb": rss_start,
            "serve_rss_end_mb": rss_now, "serve_rss_peak_mb": rss_peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit-mb", type=float, default=None)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--questions-per-user", type=int, default=3)
    parser.add_argument("--backend", default="extractive,llamacpp")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    data_dir = args.data_dir or CACHE / f"index-{slice_name(args.limit_mb)}"
    if args.data_dir is None:
        build(data_dir, args.limit_mb)
    ensure_user(data_dir)
    from assistant.wiring import build_services
    from core.config import Settings

    svc = build_services(Settings(data_dir=data_dir))
    chunks = svc.documents.status()["chunks"]
    svc.close()
    rows = []
    for backend in args.backend.split(","):
        row = {"chunks": chunks, **serve_and_rush(data_dir, backend, args.users,
                                                  args.questions_per_user)}
        rows.append(row)
        emit(row, args.json)
    out = ROOT / "bench" / "results" / f"concurrency-{data_dir.name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
