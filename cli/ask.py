"""`rathaus ask`: a streamed answer with citations (audited like a chat question)."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from assistant.answer.citations import Citation
from assistant.answer.result import Answer, Preview
from assistant.stdio import native_stdout_to_stderr
from cli.context import cli_context, fail
from core.errors import AssistantError
from vectorstore.results import source_label


def _show(item: object) -> None:
    """Stream: the Fundstellen first (the answering sentence between » «), then the model's
    draft."""
    if isinstance(item, Preview) and item.passage is not None:
        for i, found in enumerate(item.fundstellen or (item.passage,)):
            title = "Fundstelle (wörtlich)" if i == 0 else "Weitere Fundstelle"
            typer.echo(f"{title} [{found.n}] {found.label()}: „{_marked(found)}“")
    elif isinstance(item, str):
        sys.stdout.write(item)
        sys.stdout.flush()


def ask(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="Question in German")],
    collection: Annotated[list[str] | None, typer.Option("--collection", "-c")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
    user: Annotated[str | None, typer.Option(
        "--user", help="Answer with this user's rights (and log it under that name)")] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Use the versions in force on DATE (default: a date in the question, "
        "else today)", metavar="DATE")] = None,
) -> None:
    """Answer a question from the indexed documents, with numbered citations."""
    context = cli_context(ctx)
    account = context.user(user)
    asking = context.services.asking
    try:
        if as_json:  # native libraries print to fd 1; the JSON must stand alone on stdout
            with native_stdout_to_stderr():
                answer = asking.ask(question, collections=collection or None, user=account,
                                    as_of=as_of)
        else:
            answer = asking.ask(question, collections=collection or None, on_token=_show,
                                user=account, as_of=as_of)
    except AssistantError as exc:
        fail(exc)
    if as_json:
        typer.echo(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
        return
    _print_answer(answer)


def _marked(citation: Citation) -> str:
    """The quote with its answering sentence between » and «."""
    before, sentence, after = citation.parts()
    return f"{before}»{sentence}«{after}" if sentence else after


def _print_answer(answer: Answer) -> None:
    if answer.draft:
        typer.echo("\n")
    typer.echo(f"{answer.label[:1].upper()}{answer.label[1:]} ({answer.backend}, {answer.prompt}):")
    typer.echo(answer.answer)
    for note in answer.notes:
        typer.echo(f"Hinweis: {note}")
    for removed in answer.unsupported:
        typer.echo(f"Entfernt (nicht belegt): {removed}")
    typer.echo(f"\n{'Nächstliegende Quellen' if answer.refused else 'Quellen'}:")
    if answer.citations:
        for c in answer.citations:
            version = "; ".join(x for x in (c.level, c.version_label()) if x)
            typer.echo(f"[{c.n}] {c.label()} ({version}): „{_marked(c)}“")
    else:
        for i, s in enumerate(answer.sources, start=1):
            typer.echo(f"[{i}] {source_label(s.doc, s.section, s.page)}")


def register(app: typer.Typer) -> None:
    app.command()(ask)
