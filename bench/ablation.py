"""Ablation of the retrieval stack on a question set: what each stage contributes.

    python bench/ablation.py --data-dir DIR [--questions ../shared/qa/dev.jsonl] [--json]

DIR is a product index of the corpus (`rathaus --data-dir DIR ingest ../shared/corpus`). Keyword
variants are rebuilt in temporary directories from the same chunks, so only the named stage
differs; the chunking row re-chunks the corpus with plain 256-token windows (no § structure,
no heading context) and runs the full German BM25 on them.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from common import SHARED, emit

from assistant.evaluation.harness import load_questions, run_retrieval_eval, summarise
from assistant.wiring import build_services
from core.config import Settings
from vectorstore.dense import DenseRetriever
from vectorstore.filters import RetrievalFilter
from vectorstore.hybrid import HybridConfig, HybridRetriever
from vectorstore.lexical.german import GermanAnalyzer
from vectorstore.lexical.keyword_index import FieldWeights, KeywordIndex

BM25 = dict(use_dense=False, use_norm_lookup=False)


def copy_index(source: KeywordIndex, target: Path, analyzer: GermanAnalyzer,
               weights: FieldWeights) -> KeywordIndex:
    rows = source.mirror.rows()
    index = KeywordIndex(target, analyzer, weights)
    index.on_upsert([r.id for r in rows], [r.text for r in rows], [r.metadata for r in rows])
    index.flush()
    return index


def plain_window_index(corpus: Path, target: Path) -> KeywordIndex:
    """256-token windows (llama-index SentenceSplitter), no section metadata or context."""
    from llama_index.core.node_parser import SentenceSplitter
    from llamaindex_baseline import read_documents

    files = sorted(p for p in corpus.rglob("*") if p.is_file())
    nodes = SentenceSplitter(chunk_size=256, chunk_overlap=0).get_nodes_from_documents(
        read_documents(files))
    index = KeywordIndex(target, GermanAnalyzer(), FieldWeights(section=0, document=0))
    index.on_upsert([n.node_id for n in nodes], [n.get_content() for n in nodes],
                    [{"doc": n.metadata["doc"], "collection": "allgemein"} for n in nodes])
    index.flush()
    return index


def measure(questions, retriever: HybridRetriever) -> dict:
    rows = run_retrieval_eval(questions, lambda q, k: retriever.retrieve(q, k, RetrievalFilter()))
    return summarise(rows).metrics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--questions", type=Path, default=SHARED / "qa" / "dev.jsonl")
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    questions = load_questions(args.questions)
    svc = build_services(Settings(data_dir=args.data_dir))
    dense = DenseRetriever(svc.components.store, svc.components.embedder)
    product = svc.components.keyword
    rows: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="rathaus-ablation-") as tmp:
        tmp_dir = Path(tmp)
        words = copy_index(product, tmp_dir / "words",
                           GermanAnalyzer(stemming=False, compounds=False),
                           FieldWeights(section=0, document=0))
        stem = copy_index(product, tmp_dir / "stem", GermanAnalyzer(compounds=False),
                          FieldWeights(section=0, document=0))
        split = copy_index(product, tmp_dir / "split", GermanAnalyzer(),
                           FieldWeights(section=0, document=0))
        windows = plain_window_index(args.corpus, tmp_dir / "windows")
        def hybrid(**config) -> HybridRetriever:
            return HybridRetriever(dense, product, HybridConfig(**config))

        variants = [
            (f"dense only ({svc.components.embedder.identity}, § chunks)",
             hybrid(use_keyword=False, use_norm_lookup=False)),
            ("BM25 words only (lower-case, stop words)",
             HybridRetriever(None, words, HybridConfig(**BM25))),
            ("+ Snowball stemming, umlaut folding",
             HybridRetriever(None, stem, HybridConfig(**BM25))),
            ("+ compound splitting", HybridRetriever(None, split, HybridConfig(**BM25))),
            ("+ field weighting (section x2, title/file x1)",
             HybridRetriever(None, product, HybridConfig(**BM25))),
            ("+ § lookup (BM25 + § lookup, no dense)",
             HybridRetriever(None, product, HybridConfig(use_dense=False))),
            ("product default (settings)", svc.components.retriever),
        ]
        for weight in (0.2, 0.5, 1.0, 2.0):
            variants.append((f"score fusion, dense weight {weight}",
                             hybrid(fusion="score", dense_weight=weight)))
        for k, weight in ((60, 1.0), (10, 1.0), (10, 1.5), (10, 2.0), (30, 1.5)):
            variants.append((f"RRF k={k}, dense weight {weight}",
                             hybrid(fusion="rrf", rrf_k=k, dense_weight=weight)))
            variants.append((f"RRF k={k}, dense weight {weight}, no dense-only candidates",
                             hybrid(fusion="rrf", rrf_k=k, dense_weight=weight,
                                    dense_candidates=False)))
        variants.append(("full BM25 on plain 256-token windows (no § chunks, no context)",
                         HybridRetriever(None, windows, HybridConfig(**BM25))))
        for name, retriever in variants:
            rows[name] = measure(questions, retriever)
    keys = ["hit_at_1", "hit_at_5", "hit_at_10", "mrr_at_10", "latency_ms_p50", "latency_ms_p95"]
    if args.json:
        emit({name: {k: m.get(k) for k in keys} for name, m in rows.items()}, True)
        return
    print(f"{'variant':<68}{'hit@1':>7}{'hit@5':>7}{'hit@10':>7}{'MRR@10':>8}{'p50 ms':>8}")
    for name, m in rows.items():
        print(f"{name:<68}{m['hit_at_1']:>7.3f}{m['hit_at_5']:>7.3f}{m['hit_at_10']:>7.3f}"
              f"{m['mrr_at_10']:>8.3f}{m['latency_ms_p50']:>8.1f}")


if __name__ == "__main__":
    main()
