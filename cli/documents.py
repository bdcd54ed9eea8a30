"""`rathaus ingest`, `reindex`, `status`, `remove`: IT keeps the index in step with the files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from assistant.operations.documents import report_lines
from cli.context import cli_context, fail
from cli.progress import IngestProgress
from core.errors import AssistantError
from ingest.pipeline import IngestReport

Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar, summary only")]


def ingest(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to index")],
    collection: Annotated[str | None, typer.Option(
        "--collection", "-c", help="Target collection (default: allgemein)")] = None,
    prune: Annotated[bool, typer.Option(
        "--prune/--no-prune", help="Remove documents whose file is gone from an ingested folder")]
    = True,
    quiet: Quiet = False,
) -> None:
    """Index files incrementally: unchanged files are skipped, changed ones replaced."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise typer.BadParameter(f"Pfad nicht gefunden / path not found: {', '.join(missing)}",
                                 param_hint="PATHS")
    context = cli_context(ctx)
    target = collection or context.settings.default_collection
    try:
        with IngestProgress(enabled=not quiet) as progress:
            report = context.services.documents.ingest(paths, target, prune=prune,
                                                       progress=progress.update)
    except KeyboardInterrupt:
        typer.echo("Abgebrochen – der nächste Lauf setzt die Indexierung fort.", err=True)
        raise typer.Exit(130) from None
    except AssistantError as exc:
        fail(exc)
    _print_report(report, target)
    raise typer.Exit(0 if report.ok else 1)


def _print_report(report: IngestReport, collection: str) -> None:
    summary, problems = report_lines(report, collection)
    for line in problems:
        typer.echo(line, err=True)
    typer.echo(summary)


def reindex(ctx: typer.Context, quiet: Quiet = False) -> None:
    """Re-embed every indexed file with the configured embedding model (after a model change)."""
    documents = cli_context(ctx).services.documents
    try:
        with IngestProgress(enabled=not quiet) as progress:
            reports = documents.reindex_all(progress=progress.update)
    except AssistantError as exc:
        fail(exc)
    for collection, report in reports:
        _print_report(report, collection)
    raise typer.Exit(0 if all(r.ok for _, r in reports) else 1)


def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """Documents and chunks per collection, files that could not be indexed, and the last run
    of each sync source."""
    services = cli_context(ctx).services
    try:
        data = {**services.documents.status(), "sources": services.sync.status()}
    except AssistantError as exc:  # e.g. two sync sources with one name
        fail(exc, code=2)
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    typer.echo(f"{data['documents']} Dokumente, {data['chunks']} Abschnitte")
    for name, entry in sorted(data["collections"].items()):
        typer.echo(f"  {name}: {entry['documents']} Dokumente, {entry['chunks']} Abschnitte")
    for problem in data["failed"]:
        typer.echo(f"  nicht indexiert: {problem['path']}: {problem['reason']}")
    for source in data["sources"]:
        state = ("noch nie gelaufen" if source["last_run"] is None
                 else f"Fehler: {source['error']}" if source["error"]
                 else f"zuletzt {source['last_run']}: {source['indexed']} indexiert, "
                      f"{source['removed']} entfernt, {len(source['failed'])} fehlgeschlagen")
        typer.echo(f"  Quelle {source['name']} ({source['path']} → {source['collection']}): "
                   f"{state}")


def remove(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Indexed files to remove")],
    collection: Annotated[str | None, typer.Option("--collection", "-c")] = None,
) -> None:
    """Remove documents from the index (the files themselves are not touched)."""
    context = cli_context(ctx)
    target = collection or context.settings.default_collection
    documents = context.services.documents
    missing = [str(p) for p in paths
               if not documents.remove(target, str(p.resolve()), delete_upload=False)]
    for path in missing:
        typer.echo(f"nicht im Index / not indexed: {path}", err=True)
    raise typer.Exit(1 if missing else 0)


def register(app: typer.Typer) -> None:
    for command in (ingest, reindex, status, remove):
        app.command()(command)
