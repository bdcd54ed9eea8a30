"""Faults while serving: the Chroma server dies and comes back, `rathaus serve` is killed
mid-answer, the disk fills up during an ingest.

    python bench/faults.py [--only chroma,sigkill,diskfull] [--json]

- chroma: `rathaus serve` on a `chroma run` server; the server is killed (SIGKILL) and
  restarted on the same port and path. Reports the error a user sees meanwhile and the seconds
  until answers work again, with no restart of `rathaus serve`.
- sigkill: `rathaus serve` (bundled LLM) is killed with SIGKILL while it writes an answer; then
  `PRAGMA integrity_check` on every SQLite file and `rathaus audit verify`.
- diskfull: the data directory on a 64 MB tmpfs (needs root for `mount`); the free space is
  filled, an ingest runs (must fail clearly, index unchanged), the filler is deleted and the
  ingest re-run (must succeed).
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, SHARED, emit

from bench.suites.cli import cli_env, free_port, rathaus, wait_for_http

QUESTION = "Wie hoch darf das Zwangsgeld sein?"
CHROMA = str(Path(sys.executable).parent / "chroma")


def _serve(data: Path, port: int, **env: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port)],
                            cwd=data.parent, env=cli_env(data, **env),
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    wait_for_http(f"http://127.0.0.1:{port}/", proc, "rathaus serve", timeout=300)
    return proc


def _chroma(path: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([CHROMA, "run", "--path", str(path), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.STDOUT,
                            env={"ANONYMIZED_TELEMETRY": "False", "PATH": "/usr/bin:/bin"})
    wait_for_http(f"http://127.0.0.1:{port}/api/v2/heartbeat", proc, "chroma run")
    return proc


def _ask(client, timeout: float = 60) -> str:
    """One answer's text; a request that hangs counts as an error after `timeout` seconds."""
    job = client.submit(QUESTION, [], "Alle meine Sammlungen", api_name="/ask")
    chat, *_ = job.result(timeout=timeout)
    return chat[-1]["content"][0]["text"]


def _log(message: str) -> None:
    print(f"[faults] {message}", file=sys.stderr, flush=True)


def chroma_restart(tmp: Path) -> dict:
    from gradio_client import Client

    data, port, chroma_port = tmp / "data", free_port(), free_port()
    env = {"RATHAUS_CHROMA__HOST": "127.0.0.1", "RATHAUS_CHROMA__PORT": str(chroma_port),
           "RATHAUS_LLM__BACKEND": "extractive", "RATHAUS_WEB__ALLOW_ANONYMOUS": "true"}
    chroma = _chroma(tmp / "chroma-db", chroma_port)
    rathaus("ingest", "-q", str(SHARED / "corpus" / "bund_VwVG.md"), data_dir=data, **env)
    serve = _serve(data, port, **env)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        before = "Zwangsgeld" in _ask(client)
        _log("answered before the kill")
        chroma.send_signal(signal.SIGKILL)
        chroma.wait()
        try:  # the chat shows an error in the answer bubble ("⚠️ ..."), the API gets that text
            during = " ".join(_ask(client).split())[:220]
        except Exception as exc:
            during = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
        _log(f"while down: {during}")
        chroma = _chroma(tmp / "chroma-db", chroma_port)
        restarted = time.perf_counter()
        recovered = None
        while time.perf_counter() - restarted < 120:
            try:
                if "Zwangsgeld" in _ask(client):
                    recovered = round(time.perf_counter() - restarted, 1)
                    break
            except Exception:
                time.sleep(1)
        return {"answer_before": before, "shown_while_down": during,
                "german_error_while_down": during.startswith("⚠️"),
                "seconds_to_recover_after_restart": recovered,
                "serve_restarted": False, "serve_alive": serve.poll() is None}
    finally:
        serve.terminate()
        serve.wait(timeout=30)
        chroma.terminate()
        chroma.wait(timeout=30)


def sigkill_mid_answer(tmp: Path) -> dict:
    from gradio_client import Client

    data, port = tmp / "data", free_port()
    rathaus("ingest", "-q", str(SHARED / "corpus" / "bund_VwVG.md"), data_dir=data)
    rathaus("users", "add", "anna", "--password", "Amsel-Passwort-1", data_dir=data)
    serve = _serve(data, port, RATHAUS_LLM__BACKEND="llamacpp")
    client = Client(f"http://127.0.0.1:{port}/", auth=("anna", "Amsel-Passwort-1"),
                    verbose=False)
    for _ in range(3):  # answered and audited, with feedback, before the kill
        chat, *_ = client.predict(QUESTION, [], "Alle meine Sammlungen", api_name="/ask")
    job = client.submit(QUESTION, [], "Alle meine Sammlungen", api_name="/ask")
    time.sleep(4)  # the model is writing
    serve.send_signal(signal.SIGKILL)
    serve.wait()
    killed_mid_answer = not job.done()
    checks = {}
    for path in sorted(data.rglob("*.sqlite3")):
        with sqlite3.connect(path) as db:
            checks[str(path.relative_to(data))] = db.execute("PRAGMA integrity_check"
                                                             ).fetchone()[0]
    verify = rathaus("audit", "verify", "--json", data_dir=data)
    status = rathaus("status", "--json", data_dir=data)
    return {"killed_while_answering": killed_mid_answer, "integrity_check": checks,
            "audit_verify": json.loads(verify.stdout),
            "status_after_kill_ok": status.returncode == 0}


def disk_full(tmp: Path) -> dict:
    mount = tmp / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode:
        return {"skipped": f"mount failed: {done.stderr.strip()}"}
    try:
        data = mount / "data"
        first = rathaus("ingest", "-q", str(SHARED / "corpus" / "bund_VwVG.md"), data_dir=data)
        before = json.loads(rathaus("status", "--json", data_dir=data).stdout)
        filler = mount / "filler"
        free = shutil.disk_usage(mount).free
        with filler.open("wb") as handle:
            handle.write(b"\0" * max(0, free - 256 * 1024))
        more = sorted((SHARED / "corpus").glob("gemeinde_BadBoll_*.md"))[:3]
        full = rathaus("ingest", "-q", *map(str, more), data_dir=data)
        during = json.loads(rathaus("status", "--json", data_dir=data).stdout or "{}")
        filler.unlink()
        again = rathaus("ingest", "-q", *map(str, more), data_dir=data)
        after = json.loads(rathaus("status", "--json", data_dir=data).stdout)
        return {"first_ingest_rc": first.returncode, "full_ingest_rc": full.returncode,
                "full_ingest_message": (full.stderr.strip().splitlines() or [""])[-1][:300],
                "indexed_documents_unchanged_while_full": (
                    during.get("documents"), during.get("chunks")) == (
                    before["documents"], before["chunks"]),
                "rerun_rc": again.returncode,
                "documents_before_full_after": (before["documents"], after["documents"])}
    finally:
        subprocess.run(["umount", str(mount)], check=False)


SCENARIOS = {"chroma": chroma_restart, "sigkill": sigkill_mid_answer, "diskfull": disk_full}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SCENARIOS))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = {}
    for name in args.only.split(","):
        with tempfile.TemporaryDirectory(dir=ROOT.parent) as tmp:
            result[name] = SCENARIOS[name](Path(tmp))
    emit(result, args.json)


if __name__ == "__main__":
    main()
