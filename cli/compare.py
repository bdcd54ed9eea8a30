"""`rathaus compare NORM --from DATE --to DATE`: what changed between two versions of a norm."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from cli.context import cli_context, fail
from core.errors import AssistantError
from legal.dates import parse_date


def _day(value: str) -> object:
    day = parse_date(value)
    if day is None:
        raise typer.BadParameter(f"kein Datum / not a date: {value!r} (z. B. 2020-03-01)")
    return day


def compare(
    ctx: typer.Context,
    norm: Annotated[str, typer.Argument(help="norm_id, or the file name of one of its versions")],
    first: Annotated[str, typer.Option("--from", help="A day in the older version")],
    second: Annotated[str, typer.Option("--to", help="A day in the newer version")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """Show what changed § by § between the versions in force on two days."""
    try:
        result = cli_context(ctx).services.compare.compare(norm, _day(first), _day(second))
    except AssistantError as exc:
        fail(exc, code=1)
    if as_json:
        typer.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return
    for line in result.lines():
        typer.echo(line)


def register(app: typer.Typer) -> None:
    app.command()(compare)
