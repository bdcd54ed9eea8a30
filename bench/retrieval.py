"""Side by side on the same questions and corpus: llama-index defaults vs. the product.

    python bench/retrieval.py [--questions ../shared/qa/dev.jsonl] [--corpus ../shared/corpus]
                              [--data-dir DIR] [--json]

`--data-dir` reuses a product index already built from the corpus (`rathaus ingest`);
without it the corpus is ingested into a temporary directory first (about 14 minutes for
../shared/corpus on 2 cores, most of it embedding).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from common import SHARED, emit

from assistant.evaluation.harness import load_questions, run_retrieval_eval, summarise
from assistant.wiring import build_services
from core.config import Settings
from vectorstore.results import SearchResult


def product_metrics(questions, data_dir: Path, corpus: Path, k: int) -> dict:
    svc = build_services(Settings(data_dir=data_dir))
    if svc.documents.status()["chunks"] == 0:
        svc.documents.ingest([corpus], "allgemein")
    rows = run_retrieval_eval(questions, lambda q, n: svc.asking.search(q, k=n), k=k)
    return summarise(rows).metrics


def baseline_metrics(questions, corpus: Path, k: int, embedder) -> dict:
    from llamaindex_baseline import build_index

    files = sorted(p for p in corpus.rglob("*") if p.is_file())
    started = time.perf_counter()
    index = build_index(files, embedder)
    build_s = time.perf_counter() - started
    retriever = index.as_retriever(similarity_top_k=k)

    def retrieve(question: str, n: int) -> list[SearchResult]:
        return [
            SearchResult(n_.node.node_id, n_.node.metadata.get("doc", ""), "", None, None,
                         n_.node.get_content(), float(n_.score or 0.0), "", "", {})
            for n_ in retriever.retrieve(question)
        ]

    metrics = summarise(run_retrieval_eval(questions, retrieve, k=k)).metrics
    metrics["index_build_s"] = round(build_s, 1)
    return metrics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=SHARED / "qa" / "dev.jsonl")
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus")
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    questions = load_questions(args.questions)
    with tempfile.TemporaryDirectory(prefix="rathaus-bench-") as tmp:
        data_dir = args.data_dir or Path(tmp) / "data"
        product = product_metrics(questions, data_dir, args.corpus, args.k)
        from vectorstore.embedders.sentence_model import SentenceTransformerEmbedder

        baseline = baseline_metrics(questions, args.corpus, args.k, SentenceTransformerEmbedder())
    keys = ["n", "hit_at_1", "hit_at_5", "hit_at_10", "mrr_at_10", "latency_ms_p50",
            "latency_ms_p95"]
    result = {f"baseline_{k}": baseline.get(k) for k in keys + ["index_build_s"]}
    result.update({f"product_{k}": product.get(k) for k in keys})
    emit(result, args.json)


if __name__ == "__main__":
    main()
