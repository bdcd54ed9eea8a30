"""Time to first token of the embedded backend with 5 sources, and full answer time.

    python bench/ttft.py --data-dir DIR [--questions ../shared/qa/dev.jsonl] [--limit 20] [--json]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from common import SHARED, emit, percentile

from assistant.config import Settings
from assistant.evaluation import load_questions
from assistant.services import build_services


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--questions", type=Path, default=SHARED / "qa" / "dev.jsonl")
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    settings = Settings(data_dir=args.data_dir)
    settings.llm.backend = "llamacpp"
    settings.answer.min_support = 0.0  # measure generation on every question
    svc = build_services(settings)
    svc.search("Aufwärmen", k=5)  # load models and indexes before timing
    svc.ask("Wie hoch ist die Gebühr?")
    ttft, total = [], []
    for question in load_questions(args.questions)[: args.limit]:
        started = time.perf_counter()
        first: list[float] = []
        svc.ask(question.question, on_token=lambda _t: first or first.append(time.perf_counter()))
        end = time.perf_counter()
        if first:
            ttft.append((first[0] - started) * 1000)
        total.append((end - started) * 1000)
    emit({
        "questions": len(total), "sources": settings.answer.k, "backend": "llamacpp",
        "ttft_ms_p50": round(statistics.median(ttft), 1) if ttft else None,
        "ttft_ms_p95": round(percentile(ttft, 0.95), 1) if ttft else None,
        "answer_ms_p50": round(statistics.median(total), 1),
        "answer_ms_p95": round(percentile(total, 0.95), 1),
    }, args.json)


if __name__ == "__main__":
    main()
