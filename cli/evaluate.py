"""`rathaus eval`: the quality measurement developers and IT run before and after a change."""

from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer

from assistant.evaluation.harness import EvalSummary, load_questions
from assistant.stdio import native_stdout_to_stderr
from cli.context import cli_context, fail
from core.errors import AssistantError

_TABLE_KEYS = {"n", "hit_at_1", "hit_at_5", "hit_at_10", "hit_at_20", "mrr_at_10",
               "latency_ms_p50", "latency_ms_p95"}


def evaluate(
    ctx: typer.Context,
    questions: Annotated[Path, typer.Option("--questions", exists=True, dir_okay=False,
                                            help="Question file (JSONL, dev-set schema)")],
    collection: Annotated[list[str] | None, typer.Option("--collection", "-c")] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=100)] = 10,
    retrieval_only: Annotated[bool, typer.Option("--retrieval-only",
                                                 help="Measure retrieval, generate no answers")]
    = False,
    out: Annotated[Path | None, typer.Option("--out", help="Per-question results (JSONL)")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="Summary as JSON")] = False,
) -> None:
    """Measure hit@1/5/10/20 and MRR@10 (and answer quality unless --retrieval-only)."""
    asking = cli_context(ctx).services.asking
    try:
        with native_stdout_to_stderr() if as_json else nullcontext():
            rows, summary = asking.evaluate(load_questions(questions),
                                            collections=collection or None, k=k,
                                            retrieval_only=retrieval_only)
    except AssistantError as exc:
        fail(exc)
    if out is not None:
        with out.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row.to_json(), ensure_ascii=False) + "\n")
    if as_json:
        typer.echo(json.dumps(summary.to_json(), ensure_ascii=False, indent=2))
        return
    _print_table(summary)


def _print_table(summary: EvalSummary) -> None:
    m = summary.metrics
    header = (f"{'type':<16}{'n':>5}{'hit@1':>8}{'hit@5':>8}{'hit@10':>8}{'hit@20':>8}"
              f"{'MRR@10':>8}")
    typer.echo(header)
    typer.echo("-" * len(header))
    for name, entry in [("all", m), *sorted(summary.by_type.items())]:
        if "hit_at_1" not in entry:
            typer.echo(f"{name:<16}{entry['n']:>5}{'(excluded)':>40}")
            continue
        typer.echo(f"{name:<16}{entry['n']:>5}{entry['hit_at_1']:>8.3f}{entry['hit_at_5']:>8.3f}"
                   f"{entry['hit_at_10']:>8.3f}{entry['hit_at_20']:>8.3f}{entry['mrr_at_10']:>8.3f}")
    if "latency_ms_p50" in m:
        typer.echo(f"retrieval latency: p50 {m['latency_ms_p50']} ms, p95 {m['latency_ms_p95']} ms")
    for key in sorted(k for k in m if k not in _TABLE_KEYS):
        typer.echo(f"{key}: {m[key]}")


def register(app: typer.Typer) -> None:
    app.command("eval")(evaluate)
