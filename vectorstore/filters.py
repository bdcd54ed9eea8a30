"""Retrieval filters, applied inside the vector store query and as masks in the keyword index."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from legal.dates import day_number


@dataclass(frozen=True)
class RetrievalFilter:
    """Which chunks a query may see. `None` means "no restriction" for that field."""

    collections: tuple[str, ...] | None = None
    docs: tuple[str, ...] | None = None
    doc_types: tuple[str, ...] | None = None
    valid_at: str | None = None  # ISO date: only documents valid on that day (where known)
    valid_until: str | None = None  # with valid_at: valid at some day of valid_at..valid_until
    exclude_paths: tuple[str, ...] = field(default_factory=tuple)
    exclude_docs: tuple[str, ...] = field(default_factory=tuple)  # e.g. another Gemeinde's

    @classmethod
    def of(cls, *, collections: Sequence[str] | None = None, docs: Sequence[str] | None = None,
           doc_types: Sequence[str] | None = None, valid_at: str | None = None,
           exclude_paths: Sequence[str] = (), exclude_docs: Sequence[str] = (),
           valid_until: str | None = None) -> RetrievalFilter:
        def tup(values: Sequence[str] | None) -> tuple[str, ...] | None:
            return None if values is None else tuple(values)

        return cls(tup(collections), tup(docs), tup(doc_types), valid_at, valid_until,
                   tuple(exclude_paths), tuple(sorted(exclude_docs)))

    @property
    def validity_window(self) -> tuple[int, int] | None:
        """(first day, last day) as numbers: a document counts when its interval in force
        overlaps them; None without a date."""
        if not self.valid_at:
            return None
        first = day_number(self.valid_at)
        return first, day_number(self.valid_until, first) if self.valid_until else first

    @property
    def empty_result(self) -> bool:
        """An explicit empty list (e.g. a user with no readable collection) matches nothing."""
        return any(v is not None and len(v) == 0 for v in (self.collections, self.docs,
                                                              self.doc_types))

    def chroma_where(self) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        for key, values in (("collection", self.collections), ("doc", self.docs),
                            ("doc_type", self.doc_types)):
            if values is not None:
                clauses.append({key: values[0]} if len(values) == 1
                               else {key: {"$in": list(values)}})
        if self.exclude_paths:
            clauses.append({"path": {"$nin": list(self.exclude_paths)}})
        if self.exclude_docs:
            clauses.append({"doc": {"$nin": list(self.exclude_docs)}})
        if self.validity_window:
            first, last = self.validity_window
            clauses.append({"valid_from_num": {"$lte": last}})
            clauses.append({"valid_to_num": {"$gte": first}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}
