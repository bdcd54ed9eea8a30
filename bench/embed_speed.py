"""Embedding throughput on CPU: the bundled model in float32 vs. dynamic int8 quantisation.

    python bench/embed_speed.py --data-dir DIR [--n 1024] [--json]

Takes the first N chunk texts of an existing index (with their context prefix, as ingestion
embeds them), embeds them with each variant in ingestion's batches and reports chunks/s and how
close the int8 vectors are to the float32 ones (mean / minimum cosine). The retrieval-quality
change is measured separately with `rathaus eval` on an index built with
`RATHAUS_EMBEDDING__QUANTIZE=int8` (see docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from common import emit

from assistant.config import Settings
from assistant.services import build_services
from vectorstore.embedder import SentenceTransformerEmbedder


def texts_of(data_dir: Path, n: int) -> list[str]:
    svc = build_services(Settings(data_dir=data_dir))
    rows = svc.keyword._conn.execute("SELECT text, meta FROM chunks ORDER BY rowid LIMIT ?",
                                     (n,)).fetchall()
    svc.close()
    out = []
    for text, meta in rows:
        context = json.loads(meta).get("context", "")
        out.append(f"{context}\n{text}" if context else text)
    return out


def timed(embedder: SentenceTransformerEmbedder, texts: list[str], batch: int
          ) -> tuple[float, np.ndarray]:
    embedder.embed_documents(texts[:8])  # load + warm up
    started = time.perf_counter()
    vectors = np.vstack([embedder.embed_documents(texts[i:i + batch])
                         for i in range(0, len(texts), batch)])
    return time.perf_counter() - started, vectors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--n", type=int, default=1024)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    texts = texts_of(args.data_dir, args.n)
    batch = 256
    fp32_s, fp32 = timed(SentenceTransformerEmbedder("bundled"), texts, batch)
    int8_s, int8 = timed(SentenceTransformerEmbedder("bundled", quantize="int8"), texts, batch)
    cosines = np.sum(fp32 * int8, axis=1)
    emit({"chunks": len(texts), "fp32_chunks_per_s": round(len(texts) / fp32_s, 1),
          "int8_chunks_per_s": round(len(texts) / int8_s, 1),
          "speedup": round(fp32_s / int8_s, 2), "cosine_mean": round(float(cosines.mean()), 4),
          "cosine_min": round(float(cosines.min()), 4)}, args.json)


if __name__ == "__main__":
    main()
