"""`rathaus ingest`, `rathaus status`, `rathaus remove`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from assistant.cli import app, fail, services, state
from assistant.errors import AssistantError
from assistant.progress import IngestProgress
from ingest.pipeline import IngestReport


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to index")],
    collection: Annotated[str | None, typer.Option(
        "--collection", "-c", help="Target collection (default: allgemein)")] = None,
    prune: Annotated[bool, typer.Option(
        "--prune/--no-prune", help="Remove documents whose file is gone from an ingested folder")]
    = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar, summary only")]
    = False,
) -> None:
    """Index files incrementally: unchanged files are skipped, changed ones replaced."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise typer.BadParameter(f"Pfad nicht gefunden / path not found: {', '.join(missing)}",
                                 param_hint="PATHS")
    target = collection or state.settings.default_collection
    svc = services()
    try:
        with IngestProgress(enabled=not quiet) as progress:
            report = svc.pipeline.run(paths, target, prune=prune, progress=progress.update)
    except KeyboardInterrupt:
        typer.echo("Abgebrochen – der nächste Lauf setzt die Indexierung fort.", err=True)
        raise typer.Exit(130) from None
    except AssistantError as exc:
        fail(exc)
    _print_report(report, target)
    raise typer.Exit(0 if report.ok else 1)


def _print_report(report: IngestReport, collection: str) -> None:
    for problem in report.failed:
        typer.echo(f"FEHLER {problem.path}: {problem.reason}", err=True)
    for problem in report.skipped:
        typer.echo(f"übersprungen {problem.path}: {problem.reason}", err=True)
    for problem in report.duplicates:
        typer.echo(f"Duplikat {problem.path}: {problem.reason}", err=True)
    rate = report.chunks_added / report.seconds if report.seconds else 0.0
    typer.echo(
        f"Sammlung '{collection}': {len(report.indexed)} indexiert, {len(report.unchanged)} "
        f"unverändert, {len(report.duplicates)} Duplikate, {len(report.removed)} entfernt, "
        f"{len(report.failed)} fehlgeschlagen, {len(report.skipped)} übersprungen; "
        f"{report.chunks_added} Abschnitte in {report.seconds:.1f} s "
        f"({rate:.1f} Abschnitte/s, Embedding {report.embed_seconds:.1f} s)"
        + (f"; {report.recovered} abgebrochene Dokumente zurückgerollt" if report.recovered else "")
    )


@app.command()
def reindex(
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar, summary only")]
    = False,
) -> None:
    """Re-embed every indexed file with the configured embedding model (after a model change)."""
    svc = services()
    try:
        with IngestProgress(enabled=not quiet) as progress:
            reports = svc.reindex(progress=progress.update)
    except AssistantError as exc:
        fail(exc)
    for collection, report in reports:
        _print_report(report, collection)
    raise typer.Exit(0 if all(r.ok for _, r in reports) else 1)


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """Documents and chunks per collection, and files that could not be indexed."""
    data = services().status()
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    typer.echo(f"{data['documents']} Dokumente, {data['chunks']} Abschnitte")
    for name, entry in sorted(data["collections"].items()):
        typer.echo(f"  {name}: {entry['documents']} Dokumente, {entry['chunks']} Abschnitte")
    for problem in data["failed"]:
        typer.echo(f"  nicht indexiert: {problem['path']}: {problem['reason']}")


@app.command()
def remove(
    paths: Annotated[list[Path], typer.Argument(help="Indexed files to remove")],
    collection: Annotated[str | None, typer.Option("--collection", "-c")] = None,
) -> None:
    """Remove documents from the index (the files themselves are not touched)."""
    target = collection or state.settings.default_collection
    pipeline = services().pipeline
    missing = [str(p) for p in paths if not pipeline.remove(target, str(p.resolve()))]
    for path in missing:
        typer.echo(f"nicht im Index / not indexed: {path}", err=True)
    raise typer.Exit(1 if missing else 0)
