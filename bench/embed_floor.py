"""The embedding floor: embed exactly the chunks of an existing index, nothing else.

    python bench/embed_floor.py --data-dir DIR [--json]

Reads the chunk texts (with their context prefix, as ingestion embeds them) from the keyword
index of DIR and times the embedding model alone, in the same batches ingestion uses.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from common import embed_floor_seconds, emit, indexed_texts

from assistant.wiring import build_services
from core.config import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    svc = build_services(Settings(data_dir=args.data_dir))
    texts = indexed_texts(svc)
    seconds = embed_floor_seconds(svc, texts)
    emit({"chunks": len(texts), "embed_only_s": round(seconds, 1),
          "chunks_per_s": round(len(texts) / seconds, 1)}, args.json)


if __name__ == "__main__":
    main()
