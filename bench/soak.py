"""A working day in miniature: `rathaus serve` with the bundled model under a steady load.

    python bench/soak.py [--minutes 30] [--staff 3] [--sync-every 3] [--admin-every 4]
                         [--from-index DIR] [--backend llamacpp] [--json]

Builds a fresh data directory (bench/results/cache/soak/): a copy of `--from-index` (a data
directory indexed with `rathaus ingest ../shared/corpus`, 54 min here) or, without it, three
documents of ../shared/corpus indexed with the default embedder. It starts `rathaus serve
--sync` on 127.0.0.1 and then, for the set time:
- simulated staff ask the development questions whose document is indexed through the chat's
  `/ask` endpoint, one after the other each (the answers mix the sentence reader's and the
  model's, as in production);
- every few minutes a document in the watched folder changes (the folder sync re-indexes it);
- one admin uploads a document through `/upload` and removes the one uploaded before.
Every 15 s it samples the server's resident memory, open file descriptors and the SQLite
write-ahead logs of the data directory. At the end it prints errors, answer p50/p95 per
quarter of the run, RSS at start, after warm-up (first quarter) and at the end, file
descriptors, the largest WAL, audit rows written against questions asked, and
`rathaus audit verify`. Run by hand (not in CI); figures go to docs/security.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from common import ROOT, emit, percentile
from scale import free_port, process_rss_mb, wait_for_http

from assistant.answer.result import AnswerKind

SHARED = ROOT.parent / "shared"
CORPUS = ["gemeinde_BadBoll_Satzung_Streupflicht.md",
          "gemeinde_BadBoll_Satzung_Erhebung_Hundesteuer.md", "bund_VwVG.md"]
STAFF, ADMIN = ("soak-staff", "Soak-Passwort-1"), ("soak-admin", "Soak-Passwort-2")
SAMPLE_SECONDS = 15.0
KINDS = [kind.label for kind in AnswerKind]


def prepare(data: Path, folder: Path, from_index: Path | None) -> list[str]:
    """A fresh data directory (a copy of `from_index`, or a few laws and bylaws), the two
    users, a watched folder; returns the questions about indexed documents."""
    from assistant.wiring import build_services
    from core.config import Settings

    for path in (data, folder):
        shutil.rmtree(path, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copyfile(SHARED / "corpus" / "gemeinde_BadBoll_Satzung_Streupflicht.md",
                    folder / "amtsblatt_streupflicht.md")
    if from_index is not None:
        shutil.copytree(from_index, data, ignore=shutil.ignore_patterns("ingest.lock"))
    services = build_services(Settings(data_dir=data))
    if from_index is None:
        services.documents.ingest([SHARED / "corpus" / name for name in CORPUS], "allgemein")
    for name, password, role in (*STAFF, "staff"), (*ADMIN, "admin"):
        if services.access.user(name) is None:
            services.access.add_user(name, password, role)
    indexed = {Path(r.path).name for r in services.components.manifest.records()}
    services.close()
    rows = [json.loads(line) for line in (SHARED / "qa" / "dev.jsonl").read_text(
        encoding="utf-8").splitlines() if line.strip()]
    return [row["question"] for row in rows
            if set(row["doc"] if isinstance(row["doc"], list) else [row["doc"]]) <= indexed]


class Sampler(threading.Thread):
    """RSS, open descriptors and WAL sizes of the served process every SAMPLE_SECONDS."""

    def __init__(self, pid: int, data: Path, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.pid, self.data, self.stop = pid, data, stop
        self.samples: list[dict] = []

    def sample(self) -> dict:
        rss, _ = process_rss_mb(self.pid)
        wal = {str(p.relative_to(self.data)): p.stat().st_size
               for p in self.data.rglob("*-wal") if p.exists()}
        return {"t": time.monotonic(), "rss_mb": rss,
                "fds": len(os.listdir(f"/proc/{self.pid}/fd")), "wal_bytes": wal}

    def run(self) -> None:
        while not self.stop.is_set():
            self.samples.append(self.sample())
            self.stop.wait(SAMPLE_SECONDS)


class Load:
    """What the simulated people did, with the time of each answer."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.answers: list[tuple[float, float]] = []  # (monotonic end, seconds)
        self.errors: list[str] = []
        self.asked = 0
        self.kinds: dict[str, int] = {}  # the label under each answer (checked, quote, refusal)
        self.sync_changes = 0
        self.uploads = 0
        self.removals = 0

    def error(self, what: str, exc: Exception) -> None:
        with self.lock:
            self.errors.append(f"{what}: {type(exc).__name__}: {exc}"[:300])


def staff(url: str, number: int, pool: list[str], until: float, load: Load) -> None:
    from gradio_client import Client

    client = Client(url, auth=STAFF, verbose=False)
    i = number * 7
    while time.monotonic() < until:
        question = pool[i % len(pool)]
        i += 1
        started = time.monotonic()
        try:
            chat, *_ = client.predict(question, [], "Alle meine Sammlungen", api_name="/ask")
            shown = _text(chat[-1]["content"]) if chat else ""
            if not shown or shown.startswith("⚠️"):
                raise RuntimeError(f"no answer shown for {question!r}: {shown[:200]}")
            kind = next((label for label in KINDS if f"{label} ·" in shown), "other")
            with load.lock:
                load.asked += 1
                load.kinds[kind] = load.kinds.get(kind, 0) + 1
                load.answers.append((time.monotonic(), time.monotonic() - started))
        except Exception as exc:  # noqa: BLE001 - every failure is a figure of the run
            load.error("ask", exc)


def _text(content) -> str:
    """A chat message's text: a string, or Gradio's list of parts."""
    if isinstance(content, list):
        return " ".join(str(p.get("text", "")) if isinstance(p, dict) else str(p)
                        for p in content)
    return str(content or "")


def folder_changes(folder: Path, every: float, until: float, load: Load) -> None:
    """Rewrite the watched document with a new paragraph (as an Amtsblatt update would)."""
    target = folder / "amtsblatt_streupflicht.md"
    base = target.read_text(encoding="utf-8")
    while time.monotonic() + every < until:
        time.sleep(every)
        stamp = time.strftime("%H:%M:%S")
        target.write_text(base + f"\n\nBekanntmachung: Stand der Satzung {stamp} Uhr "
                          f"(Änderung {load.sync_changes + 1}).\n", encoding="utf-8")
        with load.lock:
            load.sync_changes += 1


def admin(url: str, data: Path, every: float, until: float, load: Load) -> None:
    """Upload a short Dienstanweisung, and remove the one uploaded before."""
    from gradio_client import Client, handle_file

    client = Client(url, auth=ADMIN, verbose=False)
    inbox = data.parent / "admin-inbox"
    inbox.mkdir(exist_ok=True)
    previous: Path | None = None
    number = 0
    while time.monotonic() + every < until:
        time.sleep(every)
        number += 1
        source = inbox / f"dienstanweisung_{number}.md"
        source.write_text(f"# Dienstanweisung Nr. {number}\n\n## § 1 Geltung\n\n(1) Die "
                          f"Dienstanweisung Nr. {number} regelt die Ausgabe von "
                          f"{number * 3} Dienstschlüsseln an das Bauamt.\n", encoding="utf-8")
        try:
            client.predict([handle_file(str(source))], "soak-uploads", api_name="/upload")
            with load.lock:
                load.uploads += 1
            if previous is not None:
                key = f"soak-uploads | {data / 'uploads' / 'soak-uploads' / previous.name}"
                status, *_ = client.predict(key, api_name="/document_delete")
                if "entfernt" not in status:
                    raise RuntimeError(status)
                with load.lock:
                    load.removals += 1
            previous = source
        except Exception as exc:  # noqa: BLE001
            load.error("admin", exc)


def audit_questions(data: Path, user: str) -> dict[str, int]:
    """The user's `ask` rows in the audit log, per answering backend."""
    conn = sqlite3.connect(data / "audit.sqlite3")
    try:
        return dict(conn.execute("SELECT backend, COUNT(*) FROM audit WHERE event = 'ask' "
                                 "AND user = ? GROUP BY backend", (user,)).fetchall())
    finally:
        conn.close()


def indexed_hash(data: Path, path: Path) -> str | None:
    conn = sqlite3.connect(data / "manifest.sqlite3")
    try:
        row = conn.execute("SELECT content_hash FROM documents WHERE path = ?",
                           (str(path.resolve()),)).fetchone()
    finally:
        conn.close()
    return row[0] if row else None


def quarters(load: Load, started: float, seconds: float) -> list[dict]:
    rows = []
    for q in range(4):
        lo = started + q * seconds / 4
        hi = started + (q + 1) * seconds / 4 if q < 3 else float("inf")  # answers ending late
        times = [s for end, s in load.answers if lo <= end < hi]
        rows.append({"quarter": q + 1, "answers": len(times),
                     "p50_s": round(statistics.median(times), 1) if times else None,
                     "p95_s": round(percentile(times, 0.95), 1) if times else None})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--staff", type=int, default=3)
    parser.add_argument("--sync-every", type=float, default=3.0, help="minutes")
    parser.add_argument("--admin-every", type=float, default=4.0, help="minutes")
    parser.add_argument("--backend", default="llamacpp")
    parser.add_argument("--from-index", type=Path, help="a data directory to copy")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    work = ROOT / "bench" / "results" / "cache" / "soak"
    data, folder = work / "data", work / "amtsblatt"
    pool = prepare(data, folder, args.from_index)
    port = free_port()
    env = dict(os.environ, RATHAUS_DATA_DIR=str(data), RATHAUS_LLM__BACKEND=args.backend,
               RATHAUS_SYNC__SOURCES=json.dumps([{"name": "amtsblatt", "path": str(folder),
                                                  "collection": "amtsblatt"}]),
               HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False", PYTHONPATH=str(ROOT))
    log = (work / "serve.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--sync", "--port", str(port)],
                            env=env, cwd=work, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    stop = threading.Event()
    load = Load()
    try:
        wait_for_http(url, proc, "rathaus serve", timeout=300)
        sampler = Sampler(proc.pid, data, stop)
        sampler.start()
        seconds = args.minutes * 60
        started = time.monotonic()
        until = started + seconds
        workers = [threading.Thread(target=staff, args=(url, n, pool, until, load))
                   for n in range(args.staff)]
        workers.append(threading.Thread(target=folder_changes,
                                        args=(folder, args.sync_every * 60, until, load)))
        workers.append(threading.Thread(target=admin,
                                        args=(url, data, args.admin_every * 60, until, load)))
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        time.sleep(SAMPLE_SECONDS)  # the last folder change has time to be indexed
        stop.set()
        sampler.join()
        final = sampler.sample()
    finally:
        stop.set()
        proc.terminate()
        proc.wait(timeout=60)
        log.close()
    verify = subprocess.run([sys.executable, "-m", "cli", "audit", "verify"], env=env, cwd=work,
                            capture_output=True, text=True)
    samples = sampler.samples + [final]
    warm = [s for s in samples if s["t"] >= started + seconds / 4]
    rss_warm = warm[0]["rss_mb"] if warm else samples[0]["rss_mb"]
    wal_max = max((max(s["wal_bytes"].values(), default=0) for s in samples), default=0)
    wal_end = final["wal_bytes"]
    watched = folder / "amtsblatt_streupflicht.md"
    result = {
        "minutes": args.minutes, "staff": args.staff, "backend": args.backend,
        "errors": len(load.errors), "first_errors": load.errors[:5],
        "question_pool": len(pool), "questions_answered": load.asked,
        "answer_kinds": load.kinds,
        "quarters": quarters(load, started, seconds),
        "rss_start_mb": samples[0]["rss_mb"], "rss_after_warmup_mb": rss_warm,
        "rss_end_mb": final["rss_mb"],
        "rss_growth_after_warmup_pct": round(100 * (final["rss_mb"] - rss_warm) / rss_warm, 1),
        "fds_start": samples[0]["fds"], "fds_max": max(s["fds"] for s in samples),
        "fds_end": final["fds"],
        "wal_max_bytes": wal_max, "wal_end_bytes": wal_end,
        "audit_ask_rows_by_backend": audit_questions(data, STAFF[0]),
        "sync_changes": load.sync_changes,
        "sync_last_change_indexed": indexed_hash(data, watched)
        == hashlib.sha256(watched.read_bytes()).hexdigest(),
        "uploads": load.uploads, "removals": load.removals,
        "audit_verify_exit": verify.returncode,
        "audit_verify": (verify.stdout + verify.stderr).strip()[-300:],
    }
    result["audit_ask_rows"] = sum(result["audit_ask_rows_by_backend"].values())
    result["audit_rows_lost"] = result["questions_answered"] - result["audit_ask_rows"]
    emit(result, args.json)
    out = ROOT / "bench" / "results" / f"soak-{args.minutes:g}min.json"
    out.write_text(json.dumps({**result, "samples": samples}, indent=2))


if __name__ == "__main__":
    main()
