"""`rathaus ask` (streamed answer with citations) and `rathaus prompts` (for developers)."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from assistant.answering import Preview, Redraft
from assistant.cli import app, fail, services, user_option
from assistant.commands.search_cmd import format_citation
from assistant.errors import AssistantError
from assistant.stdio import native_stdout_to_stderr

prompts_app = typer.Typer(help="Versioned prompt templates: list, show, render.", no_args_is_help=True)
app.add_typer(prompts_app, name="prompts")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="Question in German")],
    collection: Annotated[list[str] | None, typer.Option("--collection", "-c")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
    user: Annotated[str | None, typer.Option(
        "--user", help="Answer with this user's rights (and log it under that name)")] = None,
) -> None:
    """Answer a question from the indexed documents, with numbered citations."""
    account = user_option(user)
    svc = services()

    def show(item: object) -> None:
        if isinstance(item, Preview) and item.passage is not None:
            p = item.passage
            typer.echo(f"Fundstelle (wörtlich) [{p.n}] {format_citation(p.doc, p.section, p.page)}:"
                       f" „{p.quote}“\n… die Antwort wird geprüft:")
        elif isinstance(item, Redraft):
            typer.echo("\n… zweiter Entwurf:")
        elif isinstance(item, str):
            sys.stdout.write(item)
            sys.stdout.flush()

    try:
        if as_json:  # native libraries print to fd 1; the JSON must stand alone on stdout
            with native_stdout_to_stderr():
                answer = svc.ask(question, collections=collection or None, user=account)
        else:
            answer = svc.ask(question, collections=collection or None, on_token=show,
                             user=account)
    except AssistantError as exc:
        fail(exc)
    svc.record_audit(account.name if account else "cli", collection, question, answer)
    if as_json:
        typer.echo(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
        return
    if answer.draft:
        typer.echo("\n")
    typer.echo(f"{answer.label[:1].upper()}{answer.label[1:]} ({answer.backend}, {answer.prompt}):")
    typer.echo(answer.answer)
    for note in answer.notes:
        typer.echo(f"Hinweis: {note}")
    for removed in answer.unsupported:
        typer.echo(f"Entfernt (nicht belegt): {removed}")
    label = "Nächstliegende Quellen" if answer.refused else "Quellen"
    typer.echo(f"\n{label}:")
    if answer.citations:
        for c in answer.citations:
            typer.echo(f"[{c.n}] {format_citation(c.doc, c.section, c.page)}: „{c.quote}“")
    else:
        for i, s in enumerate(answer.sources, start=1):
            typer.echo(f"[{i}] {format_citation(s.doc, s.section, s.page)}")


@prompts_app.command("list")
def prompts_list() -> None:
    """All prompts with their versions; the pinned ones are marked."""
    svc = services()
    pinned = {svc.settings.answer.prompt_chat, svc.settings.answer.prompt_completion}
    for name in svc.prompts.names():
        for version in svc.prompts.versions(name):
            ref = f"{name}@{version}"
            template = svc.prompts.load(name, version)
            typer.echo(f"{ref:<28} {template.kind:<11} {'(aktiv)' if ref in pinned else ''}")


@prompts_app.command("show")
def prompts_show(name: Annotated[str, typer.Argument(help="NAME or NAME@VERSION")]) -> None:
    """Print a prompt template as stored."""
    base, _, version = name.partition("@")
    try:
        template = services().prompts.load(base, int(version) if version else None)
    except (AssistantError, ValueError) as exc:
        fail(exc if isinstance(exc, AssistantError) else AssistantError(str(exc)))
    typer.echo(f"# {template.ref} ({template.kind}, {template.language})")
    if template.system:
        typer.echo("## system\n" + template.system)
    typer.echo("## body\n" + template.body)


@prompts_app.command("render")
def prompts_render(
    name: Annotated[str, typer.Argument(help="NAME or NAME@VERSION")],
    question: Annotated[str, typer.Option("--question", help="Question to render with")],
    collection: Annotated[list[str] | None, typer.Option("--collection", "-c")] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=20)] = 5,
) -> None:
    """Render a prompt with the passages retrieved for QUESTION (what the model would see)."""
    svc = services()
    base, _, version = name.partition("@")
    try:
        template = svc.prompts.load(base, int(version) if version else None)
        sources = svc.search(question, k=k, collections=collection or None)
    except AssistantError as exc:
        fail(exc)
    service = svc.answer_service(collection or None)
    rendered = service.render(template, question, service.excerpts(question, sources))
    if template.system:
        typer.echo("=== system ===\n" + template.system)
    typer.echo("=== prompt ===\n" + rendered)
