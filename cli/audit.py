"""`rathaus audit export`: the audit log of questions asked, as JSON lines."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from cli.context import cli_context

audit_app = typer.Typer(help="The audit log of questions asked.", no_args_is_help=True)


@audit_app.command("export")
def audit_export(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option("--since", help="YYYY-MM-DD (UTC)")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write JSONL here, not stdout")]
    = None,
) -> None:
    """Audit entries as JSON lines, oldest first."""
    try:
        start = date.fromisoformat(since) if since else None
    except ValueError:
        raise typer.BadParameter(f"Datum erwartet (JJJJ-MM-TT), erhalten: {since}",
                                 param_hint="--since") from None
    entries = cli_context(ctx).services.audit.entries(start)
    lines = (json.dumps(e, ensure_ascii=False) for e in entries)
    if out is None:
        for line in lines:
            typer.echo(line)
        return
    count = 0
    with out.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(line + "\n")
            count += 1
    typer.echo(f"{count} Einträge nach {out} geschrieben", err=True)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
