"""`rathaus prompts list|show|render`: the versioned prompt templates, for developers."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.answer.prompting import PromptTemplate
from cli.context import cli_context, fail
from core.errors import AssistantError

prompts_app = typer.Typer(help="Versioned prompt templates: list, show, render.",
                          no_args_is_help=True)


def _load(ctx: typer.Context, name: str) -> PromptTemplate:
    """NAME or NAME@VERSION -> the template (unknown names and bad versions fail clearly)."""
    base, _, version = name.partition("@")
    try:
        library = cli_context(ctx).services.asking.prompts
        return library.load(base, int(version) if version else None)
    except ValueError:
        fail(AssistantError(f"Ungültige Version in {name!r} (erwartet NAME@ZAHL)",
                            f"bad version in {name!r}"))
    except AssistantError as exc:
        fail(exc)


@prompts_app.command("list")
def prompts_list(ctx: typer.Context) -> None:
    """All prompts with their versions; the pinned ones are marked."""
    asking = cli_context(ctx).services.asking
    pinned = asking.pinned_refs()
    for name in asking.prompts.names():
        for version in asking.prompts.versions(name):
            ref = f"{name}@{version}"
            template = asking.prompts.load(name, version)
            typer.echo(f"{ref:<28} {template.kind:<11} {'(aktiv)' if ref in pinned else ''}")


@prompts_app.command("show")
def prompts_show(ctx: typer.Context,
                 name: Annotated[str, typer.Argument(help="NAME or NAME@VERSION")]) -> None:
    """Print a prompt template as stored."""
    template = _load(ctx, name)
    typer.echo(f"# {template.ref} ({template.kind}, {template.language})")
    if template.system:
        typer.echo("## system\n" + template.system)
    typer.echo("## body\n" + template.body)


@prompts_app.command("render")
def prompts_render(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="NAME or NAME@VERSION")],
    question: Annotated[str, typer.Option("--question", help="Question to render with")],
    collection: Annotated[list[str] | None, typer.Option("--collection", "-c")] = None,
    k: Annotated[int | None, typer.Option(
        "--k", min=1, max=20, help="Passages retrieved (default: answer.k, as when answering)")]
    = None,
) -> None:
    """Render a prompt with the passages retrieved for QUESTION: exactly what the model sees
    when answering (same retrieval, same excerpts, same rendering function)."""
    template = _load(ctx, name)
    try:
        rendered = cli_context(ctx).services.asking.render_prompt(
            question, template, collections=collection or None, k=k)
    except AssistantError as exc:
        fail(exc)
    if rendered.system:
        typer.echo("=== system ===\n" + rendered.system)
    typer.echo("=== prompt ===\n" + rendered.prompt)


def register(app: typer.Typer) -> None:
    app.add_typer(prompts_app, name="prompts")
