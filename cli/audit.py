"""`rathaus audit export` (JSON lines) and `rathaus audit verify` (the hash chain)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from cli.context import cli_context

audit_app = typer.Typer(help="The audit log of questions asked and login events.",
                        no_args_is_help=True)


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


@audit_app.command("verify")
def audit_verify(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """Check the hash chain and its signed checkpoints: exit 1 if any entry was edited,
    inserted or deleted."""
    report = cli_context(ctx).services.audit.verify()
    if as_json:
        typer.echo(json.dumps({"ok": report.ok, "checked": report.checked,
                               "problems": report.problems}, ensure_ascii=False, indent=2))
    elif report.ok:
        typer.echo(f"Audit-Protokoll unversehrt: {report.checked} Einträge geprüft")
    else:
        for problem in report.problems:
            typer.echo(f"FEHLER {problem}", err=True)
        typer.echo(f"Audit-Protokoll verändert: {len(report.problems)} Befunde in "
                   f"{report.checked} Einträgen")
    raise typer.Exit(0 if report.ok else 1)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
