"""Console-script entry point: the `rathaus` CLI plus `rathaus serve`.

`serve` lives here because the UI sits on top of `assistant`: nothing imports `ui`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.cli import app, services
from assistant.cli import main as cli_main


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Bind address")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port")] = 7860,
) -> None:
    """Start the web app on HOST:PORT (127.0.0.1 by default: nothing is exposed unasked)."""
    from ui.app import CSS, build_app, local_theme
    from ui.session import login_check

    svc = services()
    svc.embedder.model  # load once before the first visitor
    svc.answer_service().warm()  # model loaded, fixed system prompt evaluated
    anonymous = svc.settings.web.allow_anonymous
    if not anonymous and not svc.accounts.users():
        typer.echo("Fehler: Es gibt noch keine Benutzer. Zuerst anlegen, z. B.\n"
                   "  rathaus users add admin --password ... --role admin", err=True)
        raise typer.Exit(2)
    build_app(svc).queue(default_concurrency_limit=2).launch(
        server_name=host, server_port=port, share=False, css=CSS, theme=local_theme(),
        auth=None if anonymous else login_check(svc),
        auth_message="Rathaus-Assistent – bitte mit Ihrem Benutzerkonto anmelden.",
        max_file_size=f"{svc.settings.web.max_upload_mb:g}mb", footer_links=[])


def main() -> None:
    cli_main()
