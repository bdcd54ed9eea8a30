"""`rathaus tokens create|list|revoke`: bearer tokens for the OpenAI-compatible API."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from cli.context import cli_context, fail
from core.errors import AssistantError

tokens_app = typer.Typer(help="API tokens for /v1 (OpenAI-compatible): create, list, revoke.",
                         no_args_is_help=True)


@tokens_app.command("create")
def tokens_create(
    ctx: typer.Context,
    user: Annotated[str, typer.Argument(help="The user whose rights the token carries")],
    expires: Annotated[float | None, typer.Option(
        "--expires", help="Valid for DAYS (default: until revoked)", metavar="DAYS")] = None,
) -> None:
    """Create a token; it is printed once, as the last line, and only its hash is kept."""
    services = cli_context(ctx).services
    try:
        services.access.require_user(user)
        info, secret = services.tokens.create(user, expires)
    except AssistantError as exc:
        fail(exc)
    services.audit.record_event("token_created", info.user,
                                f"id={info.id} expires={info.expires or 'never'}")
    until = f"gültig bis {info.expires}" if info.expires else "gültig bis zum Widerruf"
    typer.echo(f"Token {info.id} für {info.user} angelegt ({until}). Es wird nur jetzt "
               "angezeigt:")
    typer.echo(secret)


@tokens_app.command("list")
def tokens_list(
    ctx: typer.Context,
    user: Annotated[str | None, typer.Option("--user", help="Only this user's tokens")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """Every token's id, user, dates and state (never the token)."""
    tokens = cli_context(ctx).services.tokens.tokens(user)
    if as_json:
        typer.echo(json.dumps([t.to_json() for t in tokens], ensure_ascii=False, indent=2))
        return
    for t in tokens:
        state = ("widerrufen" if t.revoked else "aktiv" if t.active else "abgelaufen")
        typer.echo(f"{t.id}\t{t.user}\t{state}\tangelegt {t.created}\tbis {t.expires or '–'}"
                   f"\tzuletzt {t.last_used or '–'}")


@tokens_app.command("revoke")
def tokens_revoke(ctx: typer.Context,
                  token_id: Annotated[str, typer.Argument(help="Token id (from `tokens list`)")]
                  ) -> None:
    """Revoke a token: requests with it are refused from now on."""
    services = cli_context(ctx).services
    try:
        info = services.tokens.revoke(token_id)
    except AssistantError as exc:
        fail(exc)
    services.audit.record_event("token_revoked", info.user, f"id={info.id}")
    typer.echo(f"Token {info.id} von {info.user} widerrufen")


def register(app: typer.Typer) -> None:
    app.add_typer(tokens_app, name="tokens")
