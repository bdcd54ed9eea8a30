"""The embedding floor: embed exactly the chunks of an existing index, nothing else.

    python bench/embed_floor.py --data-dir DIR [--json]

Reads the chunk texts (with their context prefix, as ingestion embeds them) from the keyword
index of DIR and times the embedding model alone, in the same batches ingestion uses.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from common import emit

from assistant.config import Settings
from assistant.services import build_services


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    svc = build_services(Settings(data_dir=args.data_dir))
    rows = svc.keyword._conn.execute("SELECT text, meta FROM chunks ORDER BY rowid").fetchall()
    texts = []
    for text, meta in rows:
        context = json.loads(meta).get("context", "")
        texts.append(f"{context}\n{text}" if context else text)
    svc.embedder.embed_documents(["Aufwärmen"])  # model load is not part of the floor
    batch = max(svc.settings.embedding.batch_size * 4, 64)
    started = time.perf_counter()
    for i in range(0, len(texts), batch):
        svc.embedder.embed_documents(texts[i:i + batch])
    seconds = time.perf_counter() - started
    emit({"chunks": len(texts), "embed_only_s": round(seconds, 1),
          "chunks_per_s": round(len(texts) / seconds, 1)}, args.json)


if __name__ == "__main__":
    main()
