"""Calibrate the refusal threshold (answer.min_support) on a question set.

    python bench/calibrate_refusal.py --data-dir DIR [--questions ../shared/qa/dev.jsonl] [--json]

For every question the evidence score (idf-weighted coverage of the question's terms in the
best of the top three passages) is computed once; the table shows, per threshold, the share of
unanswerable questions refused and of answerable ones wrongly refused. The suggestion is the
threshold with the most correct refusals while wrongly refusing at most 10 %.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from common import SHARED, emit

from assistant.config import Settings
from assistant.evaluation import load_questions
from assistant.services import build_services

MAX_FALSE_REFUSALS = 0.10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--questions", type=Path, default=SHARED / "qa" / "dev.jsonl")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    svc = build_services(Settings(data_dir=args.data_dir))
    scored = []
    for q in load_questions(args.questions):
        sources = svc.search(q.question, k=svc.settings.answer.k)
        scored.append((svc.evidence_support(q.question, sources), q.answerable))
    n_ans = sum(1 for _, a in scored if a) or 1
    n_un = sum(1 for _, a in scored if not a) or 1
    table = []
    for step in range(0, 81, 5):
        t = step / 100
        refused_ok = sum(1 for s, a in scored if not a and s < t) / n_un
        false_ref = sum(1 for s, a in scored if a and s < t) / n_ans
        table.append((t, round(refused_ok, 3), round(false_ref, 3)))
    allowed = [row for row in table if row[2] <= MAX_FALSE_REFUSALS]
    best = max(allowed, key=lambda r: (r[1], -r[2]))
    if args.json:
        emit({"table": table, "suggested_min_support": best[0],
              "refusal_accuracy": best[1], "false_refusal_rate": best[2]}, True)
        return
    print(f"{'threshold':>10}{'unanswerable refused':>22}{'answerable refused':>20}")
    for t, ok, bad in table:
        print(f"{t:>10.2f}{ok:>22.3f}{bad:>20.3f}")
    print(f"suggested answer.min_support = {best[0]:.2f} "
          f"(refuses {best[1]:.0%} of unanswerable, {best[2]:.0%} of answerable)")


if __name__ == "__main__":
    main()
