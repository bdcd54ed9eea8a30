"""`rathaus`: global options, logging, and the registry of command groups."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from cli import (
    ask,
    audit,
    backup,
    collections,
    compare,
    documents,
    evaluate,
    models,
    prompts,
    search,
    serve,
    sync,
    tokens,
    users,
)
from cli.context import CliContext
from core import offline  # noqa: F401  (must precede library imports)
from core.config import load_settings
from core.errors import AssistantError

app = typer.Typer(
    name="rathaus", add_completion=False, no_args_is_help=True,
    help="Rathaus-Assistent: on-premise assistant for municipal regulations.",
)


@app.callback()
def main_options(
    ctx: typer.Context,
    data_dir: Annotated[Path | None, typer.Option(
        "--data-dir", help="Data directory (default ./data or RATHAUS_DATA_DIR)")] = None,
    config: Annotated[Path | None, typer.Option(
        "--config", help="settings.yaml (default: RATHAUS_CONFIG or ./settings.yaml)")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log INFO to stderr")] = False,
) -> None:
    """Global options shared by every command."""
    try:
        settings = load_settings(config, data_dir=data_dir)
    except AssistantError as exc:
        typer.echo(f"Fehler: {exc}", err=True)
        raise typer.Exit(2) from exc
    except Exception as exc:  # pydantic validation of settings.yaml / env
        typer.echo(f"Fehler in der Konfiguration / invalid configuration: {exc}", err=True)
        raise typer.Exit(2) from exc
    logging.basicConfig(
        level=logging.INFO if verbose else getattr(logging, settings.log_level),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr,
    )
    context = CliContext(settings)
    ctx.obj = context
    ctx.call_on_close(context.close)


for group in (documents, sync, search, ask, compare, prompts, evaluate, users, tokens, collections,
              audit, backup, serve, models):
    group.register(app)


def main() -> None:
    app()
