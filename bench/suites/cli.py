"""Run the real `rathaus` CLI in a subprocess, and wait for the servers it starts: shared by
the benchmarks and the tests (which pin their own embedder on top, tests/integration/cli.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """This process's environment, offline, pointed at `data_dir`, plus `extra`."""
    env = dict(os.environ)
    env.update({"RATHAUS_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1",
                "ANONYMIZED_TELEMETRY": "False", "PYTHONPATH": str(REPO)})
    env.update(extra)
    return env


def run_cli(args: tuple[str, ...], env: dict[str, str], cwd: Path, timeout: float = 600
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=cwd)


def rathaus(*args: str, data_dir: Path, timeout: float = 600, **extra: str
            ) -> subprocess.CompletedProcess[str]:
    """`rathaus ARGS` with the configured (default) embedder."""
    return run_cli(args, cli_env(data_dir, **extra), data_dir.parent, timeout)


def free_port() -> int:
    """A port on 127.0.0.1 nobody listens on right now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, proc: subprocess.Popen, what: str, timeout: float = 120) -> None:
    """Poll `url` until it answers (2xx or a redirect); kill `proc` and raise if it never does
    or exits.

    Shared by the tests and the benchmarks."""
    import time

    import httpx

    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode} before answering")
        try:
            if httpx.get(url, timeout=2).status_code < 400:  # a redirect to the login page counts
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"{what} did not come up at {url}")
