"""Which Gemeinde a question is about, so another Gemeinde's Satzung is not given as the answer.

An index may hold the Satzungen of several Kommunen (or of a Kommune and its Landkreis). Asked
"Wie hoch ist die Hundesteuer für einen Kampfhund in Linsengericht?", the Hundesteuersatzung of
Bad Boll matches every word but one, and its figures are wrong for Linsengericht.

The issuers are found in the index itself, without a list of place names: a *place term* is a
term of at least `MIN_DOCUMENTS` document names (file name, title, Kommune) that hardly occurs
anywhere else (at most `MAX_OUTSIDE` of the chunks holding it lie in other documents, e.g. a
sources list). "boll" names nine Bad Boll documents and occurs in no law; "friedhof" names two
Friedhofssatzungen but occurs in many other texts, so it is a topic, not a place.

When a question names places, documents that bear another place in their name, and are of a
type the named places' documents have (Satzung beside Satzung) or of no known type, are left
out. Federal and state law apply in every Gemeinde: their names are no places, and they always
stay; so do documents of other types (a Blaupause beside a Satzung). Of the names a question
holds, only the most specific count. Terms shorter than `MIN_CHARS` (pieces of abbreviations)
are no places.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from legal.levels import UNKNOWN_DOC_TYPE, NormLevel

MIN_DOCUMENTS = 3
MAX_OUTSIDE = 0.05
MIN_CHARS = 3


class NameIndex(Protocol):
    """What the keyword index tells about document names (see KeywordIndex)."""

    def generation(self) -> int: ...

    def document_names(self) -> dict[str, tuple[str, frozenset[str]]]: ...

    def term_documents(self, term: str) -> Counter[str]: ...


@dataclass(frozen=True)
class PlaceScopes:
    places: dict[str, frozenset[str]]  # a place's distinctive term -> documents bearing it
    aliases: dict[str, frozenset[str]]  # every term of a place's name ("bad", "boll") -> same
    doc_types: dict[str, str]

    def named(self, question_terms: Iterable[str]) -> set[frozenset[str]]:
        """The document sets of the places a question names; the most specific count:
        "Satzung … Bad Boll", where every Satzung bears "satzung", means Bad Boll's, while
        "Bad Boll und Linsengericht" keeps both."""
        named = {self.places[t] for t in question_terms if t in self.places}
        return {docs for docs in named if not any(other < docs for other in named)}

    def out_of_scope(self, question_terms: Iterable[str]) -> set[str]:
        """Documents of another place than the ones the question names (none if it names none)."""
        named = self.named(question_terms)
        if not named:
            return set()
        wanted = frozenset().union(*named)
        kinds = {self.doc_types.get(d, "") for d in wanted} | {UNKNOWN_DOC_TYPE, ""}
        placed = frozenset().union(*self.places.values())
        return {d for d in placed - wanted if self.doc_types.get(d, "") in kinds}

    def without_places(self, question: str, terms: Callable[[str], list[str]]) -> str:
        """The question without the words that name the places it names ("in Bad Boll"):
        once the filter stands for the place, the embedder should look for the rule, not for
        any text of that Gemeinde (e5 otherwise ranks random Bad Boll paragraphs first)."""
        named = self.named(terms(question))

        def is_place(word: str) -> bool:
            analysed = terms(word)
            return bool(analysed) and all(self.aliases.get(t) in named for t in analysed)

        kept = [w for w in re.split(r"(\s+)", question) if not is_place(w.strip(".,;:?!()"))]
        stripped = re.sub(r"\s+", " ", "".join(kept)).strip()
        return stripped if len(stripped.split()) >= 2 else question


def find_places(index: NameIndex) -> PlaceScopes:
    names = index.document_names()
    holders: dict[str, set[str]] = {}
    for doc, (doc_type, terms) in names.items():
        if not NormLevel.of(doc_type).place_bound:  # federal and state law: no place
            continue
        for term in terms:
            holders.setdefault(term, set()).add(doc)
    groups: dict[frozenset[str], list[tuple[int, str]]] = {}  # documents -> (outside, term)
    for term, docs in holders.items():
        if len(docs) < MIN_DOCUMENTS or len(term) < MIN_CHARS:
            continue
        chunks = index.term_documents(term)
        total = sum(chunks.values())
        outside = sum(n for doc, n in chunks.items() if doc not in docs)
        if total and outside <= MAX_OUTSIDE * total:
            groups.setdefault(frozenset(docs), []).append((outside, term))
    # a place is named by its most distinctive term: "Boll", not "Bad" (a word of other texts)
    places = {min(terms)[1]: docs for docs, terms in groups.items()}
    # the other words of the same names ("Bad" of "Bad Boll"), taken out with the place
    aliases = {term: frozenset(docs) for term, docs in holders.items()
               if frozenset(docs) in groups}
    return PlaceScopes(places, aliases, {doc: doc_type for doc, (doc_type, _) in names.items()})


class PlaceFinder:
    """`find_places`, computed once per index generation (a query must not pay for it)."""

    def __init__(self, index: NameIndex) -> None:
        self.index = index
        self._cached: tuple[int, PlaceScopes] | None = None
        self._lock = threading.Lock()

    def scopes(self) -> PlaceScopes:
        generation = self.index.generation()
        with self._lock:
            if self._cached is None or self._cached[0] != generation:
                self._cached = (generation, find_places(self.index))
            return self._cached[1]

    def out_of_scope(self, question_terms: Iterable[str]) -> set[str]:
        return self.scopes().out_of_scope(question_terms)
