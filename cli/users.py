"""`rathaus users add|passwd|remove|list`: run by IT on the server."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from assistant.identity.accounts import ROLES, parse_groups
from cli.context import cli_context, fail
from core.errors import AssistantError

users_app = typer.Typer(help="Users of the web app: add, passwd, remove, list.",
                        no_args_is_help=True)
Password = Annotated[str, typer.Option("--password", help="Password (stored as a scrypt hash)")]


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Login name")],
    password: Password,
    role: Annotated[str, typer.Option("--role", help=f"One of {', '.join(ROLES)}")] = "staff",
    groups: Annotated[str | None, typer.Option("--groups", help="G1,G2")] = None,
) -> None:
    """Create a user."""
    try:
        user = cli_context(ctx).services.access.add_user(name, password, role,
                                                         parse_groups(groups))
    except AssistantError as exc:
        fail(exc)
    typer.echo(f"Benutzer {user.name} angelegt (Rolle {user.role}, "
               f"Gruppen: {', '.join(user.groups) or '–'})")


@users_app.command("passwd")
def users_passwd(ctx: typer.Context, name: Annotated[str, typer.Argument()],
                 password: Password) -> None:
    """Set a new password."""
    try:
        services = cli_context(ctx).services
        services.access.set_password(name, password)
        ended = services.login.end_sessions_of(name)
    except AssistantError as exc:
        fail(exc)
    typer.echo(f"Passwort für {name} geändert ({ended} Sitzung(en) beendet)")


@users_app.command("remove")
def users_remove(ctx: typer.Context, name: Annotated[str, typer.Argument()]) -> None:
    """Delete a user (the audit log keeps their past entries); their sessions end."""
    try:
        services = cli_context(ctx).services
        services.access.remove_user(name)
        ended = services.login.end_sessions_of(name)
    except AssistantError as exc:
        fail(exc)
    typer.echo(f"Benutzer {name} entfernt ({ended} Sitzung(en) beendet)")


@users_app.command("list")
def users_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """All users with role and groups (never passwords)."""
    users = cli_context(ctx).services.access.users()
    if as_json:
        typer.echo(json.dumps([{"name": u.name, "role": u.role, "groups": list(u.groups)}
                               for u in users], ensure_ascii=False, indent=2))
        return
    for u in users:
        typer.echo(f"{u.name}\t{u.role}\t{','.join(u.groups)}")


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
