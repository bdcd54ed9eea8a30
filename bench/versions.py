"""Answers as of a date: the share answered from the right version, and citations of superseded
versions in questions about today.

    python bench/versions.py [--llm] [--json]

Indexes tests/data/versions/ (two versions each of two Bad Boll Satzungen, test data) plus laws
of other levels, then asks tests/data/versions_qa.jsonl (today / a date in the question /
`as_of` / "vor der Änderung"). Extractive answers by default; `--llm` uses the bundled model.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from common import SHARED, emit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--llm", action="store_true", help="answer with the bundled model")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from assistant.wiring import build_services
    from bench.suites.versions import index, load_questions, run, summary
    from core.config import Settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data")
        services = (build_services(settings) if args.llm
                    else build_services(settings, llm_backend=None))
        index(services, SHARED / "corpus")
        started = time.perf_counter()
        results = [run(services, case, date.today()) for case in load_questions()]
        seconds = time.perf_counter() - started
        services.close()
    figures = summary(results)
    figures["backend"] = "bundled" if args.llm else "extractive"
    figures["seconds_per_answer"] = round(seconds / len(results), 2)
    figures["wrong"] = [f"{r.question} -> {', '.join(r.cited) or 'keine Quelle'}"
                        for r in results if not r.right_version]
    emit(figures, args.json)


if __name__ == "__main__":
    main()
