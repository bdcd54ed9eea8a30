"""The deployment recipe in deploy/: the systemd units pass `systemd-analyze verify`, the compose
file validates against the Compose specification, and the units' own commands (chroma run,
rathaus serve, rathaus sync --watch, with the units' environment and the example settings)
run together on 127.0.0.1 and answer a question through the OpenAI-compatible API."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.integration.cli import REPO, free_port, wait_for_http

pytestmark = [pytest.mark.integration, pytest.mark.slow]
DEPLOY = REPO / "deploy"
UNITS = ["rathaus-chroma.service", "rathaus-serve.service", "rathaus-sync.service"]
BIN = Path(sys.executable).parent


def unit_fields(unit: str) -> tuple[list[str], dict[str, str]]:
    """ExecStart (split like systemd does for simple commands) and Environment= entries."""
    command, env = [], {}
    for line in (DEPLOY / "systemd" / unit).read_text(encoding="utf-8").splitlines():
        if line.startswith("ExecStart="):
            command = shlex.split(line.removeprefix("ExecStart="))
        elif line.startswith("Environment="):
            key, _, value = line.removeprefix("Environment=").partition("=")
            env[key] = value
    return command, env


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze missing")
def test_systemd_units_verify(tmp_path: Path) -> None:
    for unit in UNITS:  # the install prefix pointed at this checkout's virtualenv
        text = (DEPLOY / "systemd" / unit).read_text(encoding="utf-8")
        (tmp_path / unit).write_text(text.replace("/opt/rathaus/.venv/bin", str(BIN)),
                                     encoding="utf-8")
    result = subprocess.run(["systemd-analyze", "verify", *UNITS], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Unknown" not in result.stderr and "ignoring" not in result.stderr.lower()


def test_the_image_copies_every_package_and_installs_the_default_embedder() -> None:
    """A package left out of the image would only show when the container first answers."""
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    packages = project["tool"]["setuptools"]["packages"]["find"]["include"]
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    for package in (p.rstrip("*") for p in packages):
        assert f"COPY {package} {package}" in dockerfile, package
    install = dockerfile.index("RUN pip install .")
    assert dockerfile.index("RUN rathaus models install embeddinggemma") > install


def test_compose_file_is_valid_and_keeps_to_the_house_rules() -> None:
    compose = DEPLOY / "docker-compose.yml"
    result = subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema",
                             "vendor.compose-spec", str(compose)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    services = yaml.safe_load(compose.read_text(encoding="utf-8"))["services"]
    assert {"assistant", "chroma", "ollama", "sync"} <= set(services)
    for name, service in services.items():
        assert "healthcheck" in service, name
        assert all(str(p).startswith("127.0.0.1:") for p in service.get("ports", [])), name
    env = services["assistant"]["environment"]
    assert env["ANONYMIZED_TELEMETRY"] == "False" and env["HF_HUB_OFFLINE"] == "1"
    assert services["sync"]["command"][-2:] == ["sync", "--watch"]


def _settings(tmp_path: Path, chroma_port: int) -> Path:
    """deploy/settings.yaml with /srv/rathaus moved under tmp_path and the test's Chroma port."""
    text = (DEPLOY / "settings.yaml").read_text(encoding="utf-8")
    settings = yaml.safe_load(text.replace("/srv/rathaus", str(tmp_path / "srv")))
    settings["chroma"]["port"] = chroma_port
    settings["sync"]["stable_seconds"] = 1
    path = tmp_path / "etc" / "settings.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(yaml.safe_dump(settings), encoding="utf-8")
    return path


def test_the_units_commands_serve_sync_and_answer(tmp_path: Path, shared_corpus: Path) -> None:
    import openai

    chroma_port, web_port = free_port(), free_port()
    settings = _settings(tmp_path, chroma_port)
    folder = tmp_path / "srv" / "dokumente" / "satzungen"
    folder.mkdir(parents=True)
    procs: list[subprocess.Popen] = []

    def start(unit: str, **extra: str) -> subprocess.Popen:
        command, env = unit_fields(unit)
        line = " ".join(command).replace("/opt/rathaus/.venv/bin", str(BIN))
        line = line.replace("/srv/rathaus", str(tmp_path / "srv"))
        line = line.replace("--port 8000", f"--port {chroma_port}")
        line = line.replace("--port 7860", f"--port {web_port}")
        environment = {**os.environ, **{k: v.replace("/etc/rathaus/settings.yaml", str(settings))
                                        .replace("/srv/rathaus", str(tmp_path / "srv"))
                                        for k, v in env.items()}, **extra}
        proc = subprocess.Popen(shlex.split(line), cwd=tmp_path, env=environment,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        procs.append(proc)
        return proc

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        _, env = unit_fields("rathaus-serve.service")
        environment = {**os.environ, "RATHAUS_CONFIG": str(settings),
                       "RATHAUS_DATA_DIR": str(tmp_path / "srv" / "data"),
                       "PYTHONPATH": str(REPO)}
        assert env["RATHAUS_CONFIG"] == "/etc/rathaus/settings.yaml"
        return subprocess.run([str(BIN / "rathaus"), *args], cwd=tmp_path, env=environment,
                              capture_output=True, text=True, timeout=300)

    try:
        chroma = start("rathaus-chroma.service")
        wait_for_http(f"http://127.0.0.1:{chroma_port}/api/v2/heartbeat", chroma, "chroma run")
        assert cli("users", "add", "admin", "--password", "Dachs-Passwort-4",
                   "--role", "admin").returncode == 0
        token = cli("tokens", "create", "admin", "--expires", "1").stdout.strip().splitlines()[-1]
        shutil.copyfile(shared_corpus / "bund_VwVG.md", folder / "vwvg.md")
        (folder / "Entwurf_neu.md").write_text("# Entwurf\n\nNoch nicht beschlossen.\n")
        sync = start("rathaus-sync.service")
        serve = start("rathaus-serve.service", RATHAUS_LLM__BACKEND="extractive")
        wait_for_http(f"http://127.0.0.1:{web_port}/login", serve, "rathaus serve")

        def synced() -> dict:
            status = json.loads(cli("status", "--json").stdout)
            return {s["name"]: s for s in status["sources"]}

        deadline = time.time() + 240
        # a file copied in a moment ago waits `stable_seconds` for a later run
        while ((synced()["satzungen"]["last_run"] is None or synced()["satzungen"]["waiting"])
               and time.time() < deadline):
            assert sync.poll() is None, sync.stdout.read()
            time.sleep(1)
        sources = synced()
        assert sources["satzungen"]["ok"] is True and sources["satzungen"]["indexed"] == 1, (
            sources["satzungen"])
        assert "nicht gefunden" in sources["bauamt"]["error"]  # the share is not mounted here

        client = openai.OpenAI(base_url=f"http://127.0.0.1:{web_port}/v1", api_key=token,
                               max_retries=0, timeout=120)
        answer = client.chat.completions.create(
            model="rathaus:allgemein",
            messages=[{"role": "user", "content": "Wie hoch darf das Zwangsgeld sein?"}])
        citations = answer.model_extra["citations"]
        assert citations and citations[0]["doc"] == "vwvg.md"
        assert "[1]" in answer.choices[0].message.content
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
    assert all(p.returncode in (0, -15) for p in procs), [p.returncode for p in procs]
