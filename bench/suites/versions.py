"""The version question set (tests/data/versions_qa.jsonl) run against an index of the version
test data plus laws of other levels: shared by bench/versions.py and the integration test."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from assistant.answer.conflicts import CONTRADICTION
from assistant.wiring import Services

DATA = Path(__file__).resolve().parents[2] / "tests" / "data"
VERSIONS = DATA / "versions"
QUESTIONS = DATA / "versions_qa.jsonl"
OTHER_LEVELS = ["bund_VwVG.md", "bund_BMG.md", "gemeinde_BadBoll_Polizeiverordnung.md"]
BLUEPRINT = "blaupause_uc8_leipzig.md"  # today's version; its invented predecessor is in VERSIONS


@dataclass(frozen=True)
class VersionResult:
    question: str
    kind: str  # today | date | as_of | before_change | changed
    right_version: bool  # every citation from the expected version and the figure quoted
    superseded_cited: int  # citations of a version not in force today
    refused: bool
    contradiction: bool  # the answer says two levels of norms disagree
    as_of: str
    cited: tuple[str, ...]


def load_questions(path: Path = QUESTIONS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def index(services: Services, shared_corpus: Path) -> None:
    report = services.documents.ingest([VERSIONS], "allgemein")
    assert report.ok, report.failed
    services.documents.ingest([shared_corpus / name for name in OTHER_LEVELS]
                              + [shared_corpus.parent / "corpus-blueprints" / BLUEPRINT],
                              "allgemein")


def run(services: Services, case: dict, today: date) -> VersionResult:
    answer = services.asking.ask(case["question"], as_of=case.get("as_of"),
                                 collections=["allgemein"])
    cited = tuple(c.doc for c in answer.citations)
    quoted = " ".join(c.quote for c in answer.citations) + " " + answer.answer
    expected = set(case.get("expect_docs") or [case["expect_doc"]])
    # a change answer cites both versions; any other answer only the expected version
    right = (bool(cited) and (set(cited) == expected if case["kind"] == "changed"
                              else set(cited) <= expected)
             and case["expect_text"] in quoted)
    superseded = sum(1 for c in answer.citations
                     if c.valid_to and date.fromisoformat(c.valid_to) < today)
    return VersionResult(case["question"], case["kind"], right, superseded, answer.refused,
                         answer.answer.startswith(CONTRADICTION), answer.as_of, cited)


def summary(results: list[VersionResult]) -> dict:
    today = [r for r in results if r.kind == "today"]
    by_kind: dict[str, list[VersionResult]] = {}
    for r in results:
        by_kind.setdefault(r.kind, []).append(r)
    return {
        "questions": len(results),
        "right_version": sum(r.right_version for r in results),
        "right_version_share": round(sum(r.right_version for r in results) / len(results), 3),
        **{f"right_{kind}": f"{sum(r.right_version for r in rs)}/{len(rs)}"
           for kind, rs in sorted(by_kind.items())},
        "superseded_citations_in_today_questions": sum(r.superseded_cited for r in today),
        "refused": sum(r.refused for r in results),
        "contradictions_flagged": sum(r.contradiction for r in results),
    }
