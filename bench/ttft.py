"""What staff wait for: the Fundstelle on screen, the model's first token, the whole answer.

    python bench/ttft.py --data-dir DIR [--questions ../shared/qa/dev.jsonl] [--limit 20]
                         [--backend llamacpp|extractive] [--prompt-chars 500] [--json]

For each question (answerable and not; the evidence threshold is kept, so refused questions
count for "Fundstelle visible" but not for TTFT): the time until the sources and the best
sentence (highlighted in its Absatz) are handed to the UI, until the model's first token, and
until the answer is done (refusals and Fundstellen too: what staff wait for). Also the prompt
size in the model's tokens (what prefill has to evaluate after the cached system prompt). Run
it with no other job on the machine, on an index whose sentence vectors are stored (built by
`rathaus ingest`; an older index is filled once by `rathaus serve` at start).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from common import SHARED, emit, percentile

from assistant.answer.result import Preview
from assistant.evaluation.harness import load_questions
from assistant.wiring import build_services
from core.config import Settings


def p50_p95(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    return round(statistics.median(values), 1), round(percentile(values, 0.95), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--questions", type=Path, default=SHARED / "qa" / "dev.jsonl")
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--prompt-chars", type=int, default=None)
    parser.add_argument("--backend", choices=["llamacpp", "extractive"], default="llamacpp")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    settings = Settings(data_dir=args.data_dir)
    settings.llm.backend = args.backend
    if args.prompt_chars:
        settings.answer.prompt_chars = args.prompt_chars
    svc = build_services(settings)
    svc.asking.search("Aufwärmen", k=5)  # load models and indexes before timing
    svc.asking.ask("Wie hoch ist die Hundesteuer für einen Hund?")  # and the system prompt's cache
    backend = svc.components.llm_backend
    visible, ttft, total, written, prompt_tokens = [], [], [], [], []
    questions = load_questions(args.questions)
    step = max(1, len(questions) // args.limit)  # spread over the file: all question types
    for question in questions[::step][: args.limit]:
        started = time.perf_counter()
        marks: dict[str, float] = {}

        def on_event(item: object, marks: dict[str, float] = marks) -> None:
            if isinstance(item, Preview):
                marks.setdefault("sources", time.perf_counter())
            elif isinstance(item, str):
                marks.setdefault("token", time.perf_counter())

        answer = svc.asking.ask(question.question, on_token=on_event)
        end = time.perf_counter()
        visible.append((marks["sources"] - started) * 1000)
        total.append((end - started) * 1000)
        if "token" in marks:
            ttft.append((marks["token"] - started) * 1000)
            written.append((end - started) * 1000)
        if answer.rendered_prompt and hasattr(backend, "count_tokens"):
            prompt_tokens.append(backend.count_tokens(answer.rendered_prompt))
    emit({
        "questions": len(visible), "generated": len(ttft), "backend": args.backend,
        "prompt_chars": settings.answer.prompt_chars,
        "excerpts": settings.answer.prompt_excerpts,
        "prompt_tokens_p50": p50_p95(prompt_tokens)[0],
        "fundstelle_visible_ms_p50": p50_p95(visible)[0],
        "fundstelle_visible_ms_p95": p50_p95(visible)[1],
        "ttft_ms_p50": p50_p95(ttft)[0], "ttft_ms_p95": p50_p95(ttft)[1],
        "answer_ms_p50": p50_p95(total)[0], "answer_ms_p95": p50_p95(total)[1],
        "model_answer_ms_p50": p50_p95(written)[0], "model_answer_ms_p95": p50_p95(written)[1],
    }, args.json)


if __name__ == "__main__":
    main()
