"""`rathaus sync [--watch]`: keep the configured folders (`sync.sources`) in step with the index."""

from __future__ import annotations

import json
import signal
import threading
from typing import Annotated

import typer

from assistant.operations.sync import SourceStatus
from assistant.wiring import Services
from cli.context import cli_context, fail
from core.errors import AssistantError


def status_line(status: SourceStatus) -> str:
    """One line per run, for IT's logs (journald)."""
    if status.error:
        return f"{status.name}: Fehler – {status.error}"
    parts = [f"{status.indexed} indexiert", f"{status.removed} entfernt",
             f"{status.unchanged} unverändert"]
    if status.waiting:
        parts.append(f"{len(status.waiting)} warten (werden noch geschrieben)")
    if status.failed:
        parts.append(f"{len(status.failed)} fehlgeschlagen")
    return f"{status.name} → {status.collection}: {', '.join(parts)} ({status.seconds:.1f} s)"


def sync(
    ctx: typer.Context,
    source: Annotated[list[str] | None, typer.Option(
        "--source", "-s", help="Only this source (by name; repeatable)")] = None,
    watch: Annotated[bool, typer.Option(
        "--watch", help="Keep running: sync on filesystem events (polling on network mounts) "
        "and at each source's interval")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output (one run)")]
    = False,
) -> None:
    """Run the incremental ingest (with prune) for every configured folder source."""
    services = cli_context(ctx).services
    try:
        if not services.sync.sources:
            fail(AssistantError("Keine Quellen konfiguriert (sync.sources in settings.yaml)",
                                "no sync sources configured"), code=2)
        for name in source or []:
            services.sync.source(name)
        if watch:
            _watch(services, source or [])
            return
        statuses = services.sync.run(source or [])
    except AssistantError as exc:
        fail(exc, code=2)
    if as_json:
        typer.echo(json.dumps([s.to_json() for s in statuses], ensure_ascii=False, indent=2))
    else:
        for status in statuses:
            typer.echo(status_line(status))
            for problem in status.failed:
                typer.echo(f"  nicht indexiert: {problem['path']}: {problem['reason']}", err=True)
    raise typer.Exit(0 if all(s.ok for s in statuses) else 1)


def _watch(services: Services, names: list[str]) -> None:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    typer.echo(f"Beobachte {len(names) or len(services.sync.sources)} Quelle(n) – Ende mit "
               "Strg+C", err=True)
    services.folder_watcher(on_run=lambda s: typer.echo(status_line(s))).watch(stop, names)


def register(app: typer.Typer) -> None:
    app.command()(sync)
