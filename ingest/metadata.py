"""Chunk metadata for the store: citation fields plus document facts usable as filters."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from typing import Any

from ingest.documents import Chunk, LoadedDocument
from legal.dates import OPEN_END, OPEN_START, day_number
from legal.levels import UNKNOWN_DOC_TYPE, canonical_doc_type

RESERVED = {
    "doc", "path", "title", "section", "page", "collection", "position", "content_hash",
    "doc_type", "context", "ocr", "valid_from", "valid_to", "tags",
}


def derive_doc_type(file_name: str, front_matter_type: Any, rules: Mapping[str, str]) -> str:
    """Front matter `type` wins; else the first file-name glob rule that matches; else
    'Sonstiges'."""
    if front_matter_type:
        return canonical_doc_type(str(front_matter_type))
    name = file_name.lower()
    for pattern, doc_type in rules.items():
        if fnmatch.fnmatch(name, pattern.lower()):
            return doc_type
    return UNKNOWN_DOC_TYPE


def _scalar(value: Any) -> str | int | float | bool | None:
    if value is None:
        return None
    if isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return str(value)


def document_metadata(doc: LoadedDocument, doc_type: str) -> dict[str, str | int | float | bool]:
    """Front-matter facts flattened to Chroma-compatible scalars."""
    meta: dict[str, str | int | float | bool] = {
        "doc_type": doc_type,
        "ocr": doc.ocr,
        # numeric validity so the store can filter by date; unknown = always valid
        "valid_from_num": day_number(doc.metadata.get("valid_from"), OPEN_START),
        "valid_to_num": day_number(doc.metadata.get("valid_to"), OPEN_END),
    }
    for key, value in doc.metadata.items():
        if key == "type":
            continue
        scalar = _scalar(value)
        if scalar is None or scalar == "":
            continue
        kept = key in {"valid_from", "valid_to", "tags"} or key not in RESERVED
        meta[key if kept else f"fm_{key}"] = scalar
    return meta


def chunk_metadata(
    chunk: Chunk, *, doc: str, path: str, collection: str, content_hash: str,
    doc_meta: Mapping[str, str | int | float | bool],
) -> dict[str, str | int | float | bool]:
    meta: dict[str, str | int | float | bool] = dict(doc_meta)
    meta.update(
        doc=doc, path=path, title=chunk.title, collection=collection, position=chunk.position,
        content_hash=content_hash, context=chunk.context,
    )
    if chunk.section:
        meta["section"] = chunk.section
    if chunk.page is not None:
        meta["page"] = chunk.page
    return meta
