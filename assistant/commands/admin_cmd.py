"""`rathaus users ...`, `rathaus collections ...`, `rathaus audit export`: run by IT on the server."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from assistant.accounts import ROLES, parse_groups
from assistant.cli import app, fail, services
from assistant.errors import AssistantError

users_app = typer.Typer(help="Users of the web app: add, passwd, remove, list.",
                        no_args_is_help=True)
collections_app = typer.Typer(help="Collections and which groups may read them.",
                              no_args_is_help=True)
audit_app = typer.Typer(help="The audit log of questions asked.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(collections_app, name="collections")
app.add_typer(audit_app, name="audit")

Password = Annotated[str, typer.Option("--password", help="Password (stored as a scrypt hash)")]


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Login name")],
    password: Password,
    role: Annotated[str, typer.Option("--role", help=f"One of {', '.join(ROLES)}")] = "staff",
    groups: Annotated[str | None, typer.Option("--groups", help="G1,G2")] = None,
) -> None:
    """Create a user."""
    try:
        user = services().accounts.add_user(name, password, role, parse_groups(groups))
    except AssistantError as exc:
        fail(exc)
    typer.echo(f"Benutzer {user.name} angelegt (Rolle {user.role}, "
               f"Gruppen: {', '.join(user.groups) or '–'})")


@users_app.command("passwd")
def users_passwd(name: Annotated[str, typer.Argument()], password: Password) -> None:
    """Set a new password."""
    try:
        services().accounts.set_password(name, password)
    except AssistantError as exc:
        fail(exc)
    typer.echo(f"Passwort für {name} geändert")


@users_app.command("remove")
def users_remove(name: Annotated[str, typer.Argument()]) -> None:
    """Delete a user (the audit log keeps their past entries)."""
    try:
        services().accounts.remove_user(name)
    except AssistantError as exc:
        fail(exc)
    typer.echo(f"Benutzer {name} entfernt")


@users_app.command("list")
def users_list(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """All users with role and groups (never passwords)."""
    users = services().accounts.users()
    if as_json:
        typer.echo(json.dumps([{"name": u.name, "role": u.role, "groups": list(u.groups)}
                               for u in users], ensure_ascii=False, indent=2))
        return
    for u in users:
        typer.echo(f"{u.name}\t{u.role}\t{','.join(u.groups)}")


@collections_app.command("grant")
def collections_grant(
    name: Annotated[str, typer.Argument(help="Collection")],
    groups: Annotated[str, typer.Option("--groups", help="G1,G2 — only these may read it; "
                                                         "empty: every logged-in user")],
) -> None:
    """Set which groups may read a collection (creates the collection if new)."""
    try:
        granted = services().accounts.grant(name, groups)
    except AssistantError as exc:
        fail(exc)
    typer.echo(f"Sammlung {name}: lesbar für "
               + (f"Gruppen {', '.join(granted)}" if granted else "alle angemeldeten Benutzer"))


@collections_app.command("list")
def collections_list(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """Collections with document counts and reader groups."""
    svc = services()
    counts = svc.status()["collections"]
    grants = svc.accounts.grants()
    rows = [{"name": c, "documents": counts.get(c, {}).get("documents", 0),
             "chunks": counts.get(c, {}).get("chunks", 0), "groups": list(grants.get(c, ()))}
            for c in svc.collections()]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        readers = ",".join(r["groups"]) or "alle"
        typer.echo(f"{r['name']}\t{r['documents']} Dokumente\t{r['chunks']} Abschnitte\t"
                   f"lesbar: {readers}")


@audit_app.command("export")
def audit_export(
    since: Annotated[str | None, typer.Option("--since", help="YYYY-MM-DD (UTC)")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write JSONL here, not stdout")]
    = None,
) -> None:
    """Audit entries as JSON lines, oldest first."""
    try:
        start = date.fromisoformat(since) if since else None
    except ValueError:
        raise typer.BadParameter(f"Datum erwartet (JJJJ-MM-TT), erhalten: {since}",
                                 param_hint="--since") from None
    lines = (json.dumps(e, ensure_ascii=False) for e in services().audit.entries(start))
    if out is None:
        for line in lines:
            typer.echo(line)
        return
    count = 0
    with out.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(line + "\n")
            count += 1
    typer.echo(f"{count} Einträge nach {out} geschrieben", err=True)
