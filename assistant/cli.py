"""`rathaus` command line. Commands stay thin: they parse options and call services."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from assistant.config import Settings, load_settings
from assistant.errors import AssistantError
from assistant.services import Services, build_services
from vectorstore import offline  # noqa: F401  (must precede library imports)

app = typer.Typer(
    name="rathaus", add_completion=False, no_args_is_help=True,
    help="Rathaus-Assistent: on-premise assistant for municipal regulations.",
)


class _State:
    settings: Settings | None = None
    services: Services | None = None


state = _State()


def services() -> Services:
    if state.services is None:
        assert state.settings is not None
        state.services = build_services(state.settings)
    return state.services


def user_option(name: str | None):
    """The `--user NAME` of ask/search: that user's rights, or None (the local operator)."""
    if name is None:
        return None
    try:
        return services().accounts.require_user(name)
    except AssistantError as exc:
        fail(exc, code=2)


def fail(exc: AssistantError, code: int = 1) -> None:
    typer.echo(f"Fehler: {exc.message_de}", err=True)
    logging.getLogger("rathaus").debug("detail: %s", exc.detail)
    if exc.detail != exc.message_de:
        typer.echo(f"  ({exc.detail})", err=True)
    raise typer.Exit(code)


@app.callback()
def main_options(
    data_dir: Annotated[Path | None, typer.Option(
        "--data-dir", help="Data directory (default ./data or RATHAUS_DATA_DIR)")] = None,
    config: Annotated[Path | None, typer.Option(
        "--config", help="settings.yaml (default: RATHAUS_CONFIG or ./settings.yaml)")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log INFO to stderr")] = False,
) -> None:
    """Global options shared by every command."""
    try:
        state.settings = load_settings(config, data_dir=data_dir)
    except AssistantError as exc:
        typer.echo(f"Fehler: {exc}", err=True)
        raise typer.Exit(2) from exc
    except Exception as exc:  # pydantic validation of settings.yaml / env
        typer.echo(f"Fehler in der Konfiguration / invalid configuration: {exc}", err=True)
        raise typer.Exit(2) from exc
    level = logging.INFO if verbose else getattr(logging, state.settings.log_level.upper(), 20)
    logging.basicConfig(
        level=max(level, logging.INFO) if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr,
    )


def _register() -> None:
    from assistant.commands import admin_cmd, ask_cmd, eval_cmd, ingest_cmd, search_cmd  # noqa: F401


def main() -> None:
    _register()
    app()


__all__ = ["app", "fail", "main", "services", "state", "user_option"]
