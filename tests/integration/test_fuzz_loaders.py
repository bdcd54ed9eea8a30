"""Generated and mutated files through the real ingest pipeline: truncated and bit-flipped
PDFs and DOCX, random bytes under every supported extension, deep HTML nesting. Each file
ends indexed or refused with a named reason; none crashes the batch, runs past a time bound,
or changes an already indexed document.

A fixed example budget keeps the CI share small; `FUZZ_EXAMPLES` scales it for a long run."""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile import docx_bytes
from tests.integration.served import services_with
from tests.pdfmaker import make_text_pdf

pytestmark = [pytest.mark.integration, pytest.mark.slow]
SCALE = float(os.environ.get("FUZZ_EXAMPLES", "1"))
RUN_BOUND_SECONDS = 120.0  # one batch of three generated files; a real one takes seconds
SUFFIXES = (".pdf", ".docx", ".html", ".htm", ".md", ".markdown", ".txt")
OUTCOMES: Counter[str] = Counter()


def _seed_pdf() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        return make_text_pdf(Path(tmp) / "seed.pdf", [
            "Satzung über die Benutzung der Testhalle\n\n§ 1 Geltung\n"
            "(1) Die Halle steht Vereinen offen.", "§ 2 Gebühr\n(1) 42 Euro."]).read_bytes()


SEEDS = {".pdf": _seed_pdf(), ".docx": docx_bytes(),
         ".html": b"<html><body><h1>Ordnung</h1><p>\xc2\xa7 1 Geltung</p></body></html>",
         ".md": "# Ordnung\n\n## § 1 Geltung\n\n(1) Gilt überall.\n".encode()}


@st.composite
def mutated(draw) -> tuple[str, bytes]:
    """(suffix, content): a seed truncated, bit-flipped or spliced; random bytes; or deep
    nesting."""
    suffix = draw(st.sampled_from(SUFFIXES))
    kind = draw(st.sampled_from(["truncate", "flip", "splice", "random", "nest"]))
    seed = SEEDS.get(suffix, SEEDS[".md"] if suffix != ".htm" else SEEDS[".html"])
    if kind == "truncate":
        return suffix, seed[:draw(st.integers(0, len(seed)))]
    if kind == "flip":
        data = bytearray(seed)
        for position in draw(st.lists(st.integers(0, len(data) - 1), min_size=1, max_size=40)):
            data[position] ^= 1 << draw(st.integers(0, 7))
        return suffix, bytes(data)
    if kind == "splice":
        at = draw(st.integers(0, len(seed)))
        return suffix, seed[:at] + draw(st.binary(max_size=2000)) + seed[at:]
    if kind == "random":
        return suffix, draw(st.binary(max_size=5000))
    depth = draw(st.integers(100, 60_000))
    tag = draw(st.sampled_from(["div", "p", "b", "table", "ul", "li", "span"]))
    return ".html", (f"<{tag}>" * depth + "§ 1 Tief verschachtelt" + f"</{tag}>" * depth).encode()


@pytest.fixture(scope="module")
def indexed(tmp_path_factory, embedder, shared_corpus: Path):
    """A data directory with one real Satzung, and what its chunks say."""
    data = tmp_path_factory.mktemp("fuzz-loaders") / "data"
    services = services_with(data, embedder,
                             [shared_corpus / "gemeinde_BadBoll_Satzung_Streupflicht.md"])
    yield services, _chunks(services), data.parent
    services.close()


def _chunks(services) -> dict[str, object]:
    """The indexed Satzung: its manifest record, and per chunk the keyword index's text and the
    vector store's text and metadata."""
    parts = services.components
    (record,) = parts.manifest.records(collection="allgemein")
    stored = parts.keyword.mirror.chunks(record.chunk_ids)
    state: dict[str, object] = {"record": (record.content_hash, record.status,
                                           tuple(record.chunk_ids))}
    for row in parts.store.get(record.chunk_ids):
        for key, value in row["metadata"].items():
            state[f"{row['id']} {key}"] = value
        state[f"{row['id']} text"] = (row["text"], stored[row["id"]].text)
    return state


def _ingest_bounded(services, paths: list[Path]):
    """The pipeline in a thread: a hang fails the test instead of stalling CI."""
    done: dict = {}
    worker = threading.Thread(target=lambda: done.update(
        report=services.documents.ingest(paths, "fuzz", prune=False)), daemon=True)
    started = time.monotonic()
    worker.start()
    worker.join(RUN_BOUND_SECONDS)
    assert not worker.is_alive(), f"ingest of {[p.name for p in paths]} ran past the bound"
    return done["report"], time.monotonic() - started


def test_generated_files_are_indexed_or_refused_with_a_reason(indexed) -> None:
    services, before, workdir = indexed
    slowest = [0.0]
    counter = iter(range(10**9))

    @given(st.lists(mutated(), min_size=1, max_size=3))
    @settings(max_examples=max(1, int(30 * SCALE)), deadline=None, database=None,
              suppress_health_check=list(HealthCheck), derandomize=True)
    def batch(files: list[tuple[str, bytes]]) -> None:
        folder = workdir / f"batch{next(counter)}"
        folder.mkdir()
        paths = []
        for n, (suffix, content) in enumerate(files):
            path = folder / f"datei{n}{suffix}"
            path.write_bytes(content)
            paths.append(path)
        report, seconds = _ingest_bounded(services, paths)
        slowest[0] = max(slowest[0], seconds)
        refused = {Path(p.path).name: p.reason
                   for p in report.failed + report.skipped + report.duplicates}
        for path in paths:
            ended_indexed = any(Path(done).name == path.name for done in report.indexed)
            assert ended_indexed or refused.get(path.name), (
                f"{path.name} neither indexed nor refused with a reason: {report}")
            OUTCOMES["indexed" if ended_indexed else "refused"] += 1

    batch()
    after = _chunks(services)
    changed = {k: (before.get(k), after.get(k)) for k in before.keys() | after.keys()
               if before.get(k) != after.get(k)}
    assert changed == {}  # the indexed Satzung is untouched
    status = services.documents.status()
    assert status["collections"]["allgemein"]["documents"] == 1
    print(f"\nloader fuzz: {dict(OUTCOMES)} files, slowest batch {slowest[0]:.1f} s")
    assert sum(OUTCOMES.values()) >= 30
