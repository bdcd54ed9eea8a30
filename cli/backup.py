"""`rathaus backup --out FILE` and `rathaus restore FILE`: IT's snapshot of the data directory."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.context import cli_context, fail
from core.errors import AssistantError


def backup(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="The .tar.gz to write")],
) -> None:
    """Snapshot manifest, keyword index, vectors, users, audit, feedback, prompts and uploads
    (safe while `rathaus serve` runs; waits for no ingest, refuses while one runs)."""
    try:
        info = cli_context(ctx).services.backup.backup(out)
    except AssistantError as exc:
        fail(exc)
    typer.echo(f"Sicherung {out} geschrieben: {info.files} Dateien, {info.vectors} Vektoren "
               f"({info.embedding_model})")


def restore(
    ctx: typer.Context,
    archive: Annotated[Path, typer.Argument(help="A file written by `rathaus backup`")],
) -> None:
    """Restore a backup into an empty data directory (and an empty vector store)."""
    if not archive.is_file():
        raise typer.BadParameter(f"Datei nicht gefunden / file not found: {archive}",
                                 param_hint="ARCHIVE")
    try:
        info = cli_context(ctx).services.backup.restore(archive)
    except AssistantError as exc:
        fail(exc)
    typer.echo(f"Sicherung vom {info.created} wiederhergestellt: {info.files} Dateien, "
               f"{info.vectors} Vektoren")


def register(app: typer.Typer) -> None:
    app.command()(backup)
    app.command()(restore)
