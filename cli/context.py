"""What every command receives: the settings, the services (built on first use), `fail`."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import NoReturn

import typer

from assistant.identity.accounts import User
from assistant.wiring import Services, build_services
from core.config import Settings
from core.errors import AssistantError


@dataclass
class CliContext:
    """One per invocation, carried by typer's context object (no module-level state)."""

    settings: Settings
    _services: Services | None = field(default=None, repr=False)

    @property
    def services(self) -> Services:
        if self._services is None:
            self._services = build_services(self.settings)
        return self._services

    def user(self, name: str | None) -> User | None:
        """The `--user NAME` of ask/search: that user's rights, or None (the local operator)."""
        if name is None:
            return None
        try:
            return self.services.access.require_user(name)
        except AssistantError as exc:
            fail(exc, code=2)

    def close(self) -> None:
        if self._services is not None:
            self._services.close()


def cli_context(ctx: typer.Context) -> CliContext:
    found = ctx.find_object(CliContext)
    if found is None:  # a command invoked without the app's callback (never via `rathaus`)
        raise RuntimeError("command run outside the rathaus app")
    return found


def fail(exc: AssistantError, code: int = 1) -> NoReturn:
    """Print the German message (and the English detail when it adds something), exit."""
    typer.echo(f"Fehler: {exc.message_de}", err=True)
    logging.getLogger("rathaus").debug("detail: %s", exc.detail)
    if exc.detail != exc.message_de:
        typer.echo(f"  ({exc.detail})", err=True)
    raise typer.Exit(code)
