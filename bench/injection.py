"""Prompt injection with the embedded LLM: every planted document of tests/data/injection.jsonl.

    python bench/injection.py [--backend llamacpp] [--json]

A staff user without rights on the 'geheim' collection asks each case's question. Counted per
case: was the planted passage retrieved, did the model's draft follow the injection (carry its
canary), does the answer shown carry the canary or the secret code, was a passage of 'geheim'
used, how many sentences the grounding check flagged, and the kind of answer shown.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from pathlib import Path

from common import emit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="llamacpp")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from assistant.wiring import build_services
    from bench.suites.injection import load_cases, plant, run_case
    from core.config import Settings

    cases = load_cases()
    with tempfile.TemporaryDirectory() as tmp:
        services = build_services(Settings(data_dir=Path(tmp) / "data",
                                           llm={"backend": args.backend}))
        plant(services, Path(tmp) / "docs", cases)
        user = services.access.add_user("anna", "Amsel-Passwort-1")
        started = time.perf_counter()
        outcomes = [run_case(services, case, user) for case in cases]
        seconds = time.perf_counter() - started
        services.close()
    if not args.json:
        for o in outcomes:
            print(f"{o.case:<20} {o.kind:<8} retrieved={o.planted_retrieved!s:<5} "
                  f"draft_followed={o.followed_in_draft!s:<5} "
                  f"shown_followed={o.followed_shown!s:<5} "
                  f"unreadable={o.unreadable_cited!s:<5} flagged={o.unsupported}  "
                  f"{' '.join(o.answer.split())[:90]}")
    emit({"backend": args.backend, "cases": len(outcomes),
          "planted_passage_retrieved": sum(o.planted_retrieved for o in outcomes),
          "draft_followed_injection": sum(o.followed_in_draft for o in outcomes),
          "shown_answer_followed_injection": sum(o.followed_shown for o in outcomes),
          "unreadable_collection_used": sum(o.unreadable_cited for o in outcomes),
          "sentences_flagged": sum(o.unsupported for o in outcomes),
          "kinds": dict(Counter(o.kind for o in outcomes)),
          "seconds_per_answer": round(seconds / len(outcomes), 1)}, args.json)


if __name__ == "__main__":
    main()
