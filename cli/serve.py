"""`rathaus serve`: the web app. The only command that imports `ui` (nothing imports `cli`)."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.context import cli_context


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Bind address")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port")] = 7860,
    sync: Annotated[bool, typer.Option(
        "--sync", help="Also watch the folder sources (sync.sources) in this process: for one "
        "machine with the embedded vector store, where a second writing process must not "
        "open it")] = False,
) -> None:
    """Start the web app on HOST:PORT (127.0.0.1 by default: nothing is exposed unasked)."""
    from ui.server import launch

    services = cli_context(ctx).services
    if not services.settings.web.allow_anonymous and not services.access.users():
        typer.echo("Fehler: Es gibt noch keine Benutzer. Zuerst anlegen, z. B.\n"
                   "  rathaus users add admin --password ... --role admin", err=True)
        raise typer.Exit(2)
    services.asking.warm()  # models loaded, fixed system prompt evaluated
    import threading

    # an index built before the sentence store existed: fill it while already serving
    threading.Thread(target=services.documents.fill_sentence_vectors, daemon=True,
                     name="sentence-vectors").start()
    if sync and services.sync.sources:
        from cli.sync import status_line

        watcher = services.folder_watcher(on_run=lambda s: typer.echo(status_line(s), err=True))
        threading.Thread(target=watcher.watch, args=(threading.Event(),), daemon=True,
                         name="sync").start()
    launch(services, host=host, port=port)


def register(app: typer.Typer) -> None:
    app.command()(serve)
