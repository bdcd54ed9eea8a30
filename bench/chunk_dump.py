"""Ingest equivalence: every corpus document's chunks, headings, pages, type and dates as JSON.

    python bench/chunk_dump.py OUT.json [--code TREE] [--docs CACHE.pkl]

Run it on two trees (`--code` a checkout of the old commit) and compare the files with `cmp`:
a refactoring of ingest that changes no chunk leaves them byte-identical. Documents are loaded
once (OCR from an index's cache when `--ocr-cache` is given) and kept in CACHE.pkl, so both
runs chunk the same loaded text; the token budget is a word count, not a model.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sys
from pathlib import Path

SUFFIXES = {".md", ".txt", ".pdf", ".docx", ".html", ".htm"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--code", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--docs", type=Path, default=Path("/tmp/chunk_dump_docs.pkl"))
    parser.add_argument("--ocr-cache", type=Path, default=Path("/tmp/chunk_dump_ocr"))
    parser.add_argument("--corpus", type=Path, nargs="*", default=[
        Path(__file__).resolve().parents[2] / "shared" / "corpus",
        Path(__file__).resolve().parents[2] / "shared" / "corpus-blueprints"])
    args = parser.parse_args()
    sys.path.insert(0, str(args.code))
    from core.config import Settings
    from ingest.chunking import LegalChunker
    from ingest.loaders import LoadLimits, load_document
    from ingest.metadata import derive_doc_type, document_metadata
    from ingest.ocr import TesseractOcr
    from ingest.versions import declared_version, in_force_date, read_sidecar

    if args.docs.exists():
        docs = pickle.loads(args.docs.read_bytes())
    else:
        ocr = TesseractOcr(args.ocr_cache)
        docs = {}
        for root in args.corpus:
            for file in sorted(root.rglob("*")):
                if file.is_file() and file.suffix.lower() in SUFFIXES:
                    data = file.read_bytes()
                    doc = load_document(file, data, hashlib.sha256(data).hexdigest(), ocr,
                                        LoadLimits())
                    doc.metadata.update(read_sidecar(file))
                    docs[str(file)] = doc
        args.docs.write_bytes(pickle.dumps(docs))
    settings = Settings()
    chunker = LegalChunker(lambda texts: [len(t.split()) * 4 // 3 for t in texts], 200,
                           settings.ingest.skip_headings)
    found = {}
    for name, doc in docs.items():
        doc_type = derive_doc_type(Path(name).name, doc.metadata.get("type"),
                                   settings.ingest.doc_type_rules)
        found[name] = {
            "doc_type": doc_type,
            "meta": {k: str(v) for k, v in document_metadata(doc, doc_type).items()},
            "in_force": str(in_force_date("\n".join(p.text for p in doc.pages))),
            "version": repr(declared_version(Path(name), doc)),
            "chunks": [[c.text, str(c.section), str(c.heading_path), str(c.page), c.position]
                       for c in chunker.chunk(doc)]}
    args.out.write_text(json.dumps(found, ensure_ascii=False, indent=0, sort_keys=True))
    print(f"{len(found)} documents, {sum(len(v['chunks']) for v in found.values())} chunks")


if __name__ == "__main__":
    main()
