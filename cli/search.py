"""`rathaus search`: retrieved passages with citations."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from cli.context import cli_context, fail
from core.errors import AssistantError
from vectorstore.results import source_label


def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="Question or keywords")],
    collection: Annotated[list[str] | None, typer.Option(
        "--collection", "-c", help="Limit to this collection (repeatable); default: all")] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="Number of passages")] = 5,
    doc: Annotated[list[str] | None, typer.Option(
        "--doc", help="Only this document (file name, repeatable)")] = None,
    doc_type: Annotated[list[str] | None, typer.Option(
        "--type", help="Bundesrecht, Landesrecht, Satzung, Dienstanweisung, Blaupause")] = None,
    valid_at: Annotated[str | None, typer.Option(
        "--valid-at", help="Only documents valid on this date (YYYY-MM-DD), where known")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
    user: Annotated[str | None, typer.Option(
        "--user", help="Search with this user's rights")] = None,
) -> None:
    """Find the passages that best match a question."""
    context = cli_context(ctx)
    account = context.user(user)
    try:
        results = context.services.asking.search(
            query, k=k, collections=collection or None, docs=doc or None,
            doc_types=doc_type or None, valid_at=valid_at, user=account)
    except AssistantError as exc:
        fail(exc)
    if as_json:
        typer.echo(json.dumps({"results": [r.to_json() for r in results]}, ensure_ascii=False,
                              indent=2))
        return
    if not results:
        typer.echo("Keine passenden Abschnitte gefunden.")
    for i, result in enumerate(results, start=1):
        typer.echo(f"[{i}] {source_label(result.doc, result.section, result.page)}"
                   f"  (Score {result.score:.3f})")
        typer.echo("    " + " ".join(result.text.split())[:400])


def register(app: typer.Typer) -> None:
    app.command()(search)
