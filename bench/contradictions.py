"""Contradictions between levels of norms flagged on the dev questions (false alarms cost
trust: the shared corpus has no known contradiction between levels).

    python bench/contradictions.py [--json]

Indexes ../shared/corpus (Markdown) and the blueprints, answers qa/dev.jsonl extractively and
counts the answers that say two levels contradict each other, with their sources.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from common import SHARED, emit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from assistant.answer.conflicts import CONTRADICTION
    from assistant.wiring import build_services
    from core.config import Settings

    questions = [json.loads(line) for line in
                 (SHARED / "qa" / "dev.jsonl").read_text("utf-8").splitlines() if line]
    with tempfile.TemporaryDirectory() as tmp:
        services = build_services(Settings(data_dir=Path(tmp) / "data"), llm_backend=None)
        services.documents.ingest(sorted((SHARED / "corpus").glob("*.md"))
                                  + [SHARED / "corpus-blueprints"], "allgemein")
        flagged = []
        for case in questions:
            answer = services.asking.ask(case["question"])
            if answer.answer.startswith(CONTRADICTION):
                flagged.append(f"{case['id']}: " + " / ".join(
                    f"{c.doc} {c.section or ''}" for c in answer.citations))
        services.close()
    emit({"questions": len(questions), "contradictions_flagged": len(flagged),
          "flagged": flagged}, args.json)


if __name__ == "__main__":
    main()
