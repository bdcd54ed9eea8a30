"""`rathaus collections grant|list`: which groups may read which collection."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from cli.context import cli_context, fail
from core.errors import AssistantError

collections_app = typer.Typer(help="Collections and which groups may read them.",
                              no_args_is_help=True)


@collections_app.command("grant")
def collections_grant(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Collection")],
    groups: Annotated[str, typer.Option("--groups", help="G1,G2 — only these may read it; "
                                                         "empty: every logged-in user")],
) -> None:
    """Set which groups may read a collection (creates the collection if new)."""
    try:
        granted = cli_context(ctx).services.access.grant(name, groups)
    except AssistantError as exc:
        fail(exc)
    typer.echo(f"Sammlung {name}: lesbar für "
               + (f"Gruppen {', '.join(granted)}" if granted else "alle angemeldeten Benutzer"))


@collections_app.command("list")
def collections_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """Collections with document counts and reader groups."""
    services = cli_context(ctx).services
    counts = services.documents.status()["collections"]
    grants = services.access.grants()
    rows = [{"name": c, "documents": counts.get(c, {}).get("documents", 0),
             "chunks": counts.get(c, {}).get("chunks", 0), "groups": list(grants.get(c, ()))}
            for c in services.access.collections(grants)]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        readers = ",".join(r["groups"]) or "alle"
        typer.echo(f"{r['name']}\t{r['documents']} Dokumente\t{r['chunks']} Abschnitte\t"
                   f"lesbar: {readers}")


def register(app: typer.Typer) -> None:
    app.add_typer(collections_app, name="collections")
