"""Ingestion at scale vs. the embedding floor and vs. the llama-index default pipeline.

    python bench/ingest.py [--limit-mb N] [--json]

On a slice of ../shared/corpus-scale (files in name order up to N MB; all 52 MB without
--limit-mb), in one run and each stage in its own process:
  1. product ingest into a fresh data directory (`IngestPipeline`, as `rathaus ingest`),
  2. re-ingest of the unchanged slice,
  3. embed-only: the same chunk texts (with their context prefix) through the same model,
  4. llama-index defaults: SimpleDirectoryReader -> VectorStoreIndex on Chroma, same model,
  5. the same llama-index pipeline with its splitter sized to the model window, so that it
     embeds the whole text as the product does.
The model is loaded before the clock starts in every stage, so all compare embedding work.
Results go to stdout (table, or one JSON object with --json) and bench/results/ingest-<slice>.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from common import ROOT, embed_floor_seconds, emit, indexed_texts
from scale import CACHE, dir_mb, megabytes, peak_rss_mb, run_stage, slice_files, slice_name

SCRIPT = Path(__file__).resolve()


def embedded_tokens(embedder, texts: list[str]) -> int:
    """Word pieces the model actually reads: [CLS]/[SEP] included, cut at its window."""
    window = int(embedder.model.max_seq_length)
    return sum(min(n + 2, window) for n in embedder.count_tokens(texts))


def stage_product(data_dir: Path, limit_mb: float | None) -> dict:
    from assistant.config import Settings
    from assistant.services import build_services

    svc = build_services(Settings(data_dir=data_dir))
    svc.embedder.embed_documents(["Aufwärmen"])
    files = slice_files(limit_mb)
    started = time.perf_counter()
    report = svc.pipeline.run(files, "scale", prune=False)
    seconds = time.perf_counter() - started
    if report.failed:
        raise SystemExit(f"{len(report.failed)} files failed, first: {report.failed[0]}")
    svc.close()
    return {"documents": len(report.indexed) + len(report.unchanged) + len(report.duplicates),
            "indexed": len(report.indexed), "chunks_added": report.chunks_added,
            "seconds": round(seconds, 2), "embed_seconds": round(report.embed_seconds, 2),
            "peak_rss_mb": peak_rss_mb()}


def stage_embed_only(data_dir: Path) -> dict:
    from assistant.config import Settings
    from assistant.services import build_services

    svc = build_services(Settings(data_dir=data_dir))
    texts = indexed_texts(svc)
    seconds = embed_floor_seconds(svc, texts)
    return {"chunks": len(texts), "seconds": round(seconds, 2), "peak_rss_mb": peak_rss_mb(),
            "tokens": embedded_tokens(svc.embedder, texts)}


def stage_baseline(work_dir: Path, limit_mb: float | None, whole_text: bool = False) -> dict:
    """llama-index: SimpleDirectoryReader -> VectorStoreIndex on Chroma, same model.

    Defaults: SentenceSplitter(1024, 200), whose chunks MiniLM truncates to 256 word pieces.
    `whole_text` sizes the splitter to the model window with the model's own tokenizer (no
    overlap), so that every word is embedded, as the product does — the fair comparison.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from llama_index.core import Settings, SimpleDirectoryReader, StorageContext, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.core.schema import MetadataMode
    from llama_index.vector_stores.chroma import ChromaVectorStore
    from llamaindex_baseline import SameModelEmbedding

    from vectorstore.embedder import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder("bundled")
    embedder.embed_documents(["Aufwärmen"])
    Settings.embed_model = SameModelEmbedding(embedder=embedder)  # default batch size 10
    Settings.llm = None
    splitter = SentenceSplitter()  # what VectorStoreIndex.from_documents uses by default
    if whole_text:
        tokenizer = embedder.model.tokenizer
        splitter = SentenceSplitter(
            chunk_size=embedder.max_tokens - 2, chunk_overlap=0,  # [CLS] and [SEP]
            tokenizer=lambda text: tokenizer.encode(text, add_special_tokens=False))
    files = slice_files(limit_mb)
    started = time.perf_counter()
    client = chromadb.PersistentClient(path=str(work_dir / "chroma"),
                                       settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.get_or_create_collection("baseline")
    store = ChromaVectorStore(chroma_collection=collection)
    documents = SimpleDirectoryReader(input_files=[str(f) for f in files]).load_data()
    VectorStoreIndex.from_documents(
        documents, storage_context=StorageContext.from_defaults(vector_store=store),
        transformations=[splitter])
    seconds = time.perf_counter() - started
    nodes = splitter.get_nodes_from_documents(documents)  # after the clock: the same split again
    texts = [node.get_content(metadata_mode=MetadataMode.EMBED) for node in nodes]
    return {"chunks": collection.count(), "seconds": round(seconds, 2),
            "peak_rss_mb": peak_rss_mb(), "tokens": embedded_tokens(embedder, texts)}


def measure(limit_mb: float | None) -> dict:
    files = slice_files(limit_mb)
    work = Path(tempfile.mkdtemp(prefix="rathaus-bench-ingest-", dir=CACHE))
    data = work / "data"
    limit = [] if limit_mb is None else ["--limit-mb", str(limit_mb)]
    try:
        first = run_stage(SCRIPT, "--stage", "product", "--data-dir", str(data), *limit)
        again = run_stage(SCRIPT, "--stage", "product", "--data-dir", str(data), *limit)
        floor = run_stage(SCRIPT, "--stage", "embed", "--data-dir", str(data))
        baseline = run_stage(SCRIPT, "--stage", "baseline", "--data-dir", str(work / "li"),
                             *limit)
        whole = run_stage(SCRIPT, "--stage", "baseline-whole-text", "--data-dir",
                          str(work / "li-whole"), *limit)
        index_mb = dir_mb(data)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ingest_s = first["seconds"]
    return {
        "slice": slice_name(limit_mb), "files": len(files), "mb": megabytes(files),
        "documents": first["documents"], "chunks": floor["chunks"],
        "ingest_s": ingest_s, "docs_per_s": round(first["documents"] / ingest_s, 2),
        "chunks_per_s": round(floor["chunks"] / ingest_s, 1),
        "embed_in_ingest_s": first["embed_seconds"], "peak_rss_mb": first["peak_rss_mb"],
        "index_mb": index_mb, "embed_only_s": floor["seconds"],
        "ratio": round(ingest_s / floor["seconds"], 3),
        "reingest_s": again["seconds"], "reingest_share": round(again["seconds"] / ingest_s, 4),
        "baseline_ingest_s": baseline["seconds"], "baseline_chunks": baseline["chunks"],
        "baseline_peak_rss_mb": baseline["peak_rss_mb"],
        "baseline_over_product": round(baseline["seconds"] / ingest_s, 2),
        "baseline_whole_text_s": whole["seconds"], "baseline_whole_text_chunks": whole["chunks"],
        "baseline_whole_text_over_product": round(whole["seconds"] / ingest_s, 2),
        "tokens": floor["tokens"], "baseline_tokens": baseline["tokens"],
        "baseline_whole_text_tokens": whole["tokens"],
        "tokens_per_s": round(floor["tokens"] / ingest_s),
        "embed_only_tokens_per_s": round(floor["tokens"] / floor["seconds"]),
        "baseline_tokens_per_s": round(baseline["tokens"] / baseline["seconds"]),
        "baseline_whole_text_tokens_per_s": round(whole["tokens"] / whole["seconds"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit-mb", type=float, default=None)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--stage", help=argparse.SUPPRESS,
                        choices=["product", "embed", "baseline", "baseline-whole-text"])
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage == "product":
        print(json.dumps(stage_product(args.data_dir, args.limit_mb)))
    elif args.stage == "embed":
        print(json.dumps(stage_embed_only(args.data_dir)))
    elif args.stage in ("baseline", "baseline-whole-text"):
        args.data_dir.mkdir(parents=True, exist_ok=True)
        print(json.dumps(stage_baseline(args.data_dir, args.limit_mb,
                                        whole_text=args.stage == "baseline-whole-text")))
    else:
        result = measure(args.limit_mb)
        out = ROOT / "bench" / "results" / f"ingest-{result['slice']}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2))
        emit(result, args.json)


if __name__ == "__main__":
    main()
