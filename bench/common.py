"""Helpers shared by the benchmark scripts (run from the project root)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def emit(result: dict, as_json: bool) -> None:
    """Print figures as a table for people, or one JSON object for tools."""
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
        return
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of the sorted values (p95 of 120 queries: the 114th)."""
    ordered = sorted(values)
    return ordered[int(q * (len(ordered) - 1))]


def indexed_texts(svc: Any, limit: int | None = None) -> list[str]:
    """The chunk texts of an index exactly as ingestion handed them to the model."""
    from ingest.documents import embedding_text

    return [embedding_text(row.metadata.get("context", ""), row.text)
            for row in svc.components.keyword.mirror.rows(limit)]


def embed_floor_seconds(svc: Any, texts: list[str]) -> float:
    """Seconds the model alone needs for `texts`, in the batches ingestion hands it."""
    svc.components.embedder.embed_documents(["Aufwärmen"])  # model load is not part of the floor
    batch = max(svc.settings.embedding.batch_size * 4, 64)
    started = time.perf_counter()
    for i in range(0, len(texts), batch):
        svc.components.embedder.embed_documents(texts[i:i + batch])
    return time.perf_counter() - started
