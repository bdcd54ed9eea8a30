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

    svc = services()
    svc.embedder.model  # load once before the first visitor
    build_app(svc).launch(server_name=host, server_port=port, share=False, css=CSS,
                            theme=local_theme())


def main() -> None:
    cli_main()
