"""Example questions for the chat page, made from the headings of the active collection.

Staff see at a glance what the collection covers; the examples never mention documents the
user may not read because they are drawn from the readable collections only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from legal.references import strip_numbering, title_abbreviation

_BORING = re.compile(r"inkraft|außerkraft|übergang|geltungsbereich|begriffsbestimm|"
                     r"ordnungswidrig|sprachliche gleichstellung|\(weggefallen\)|aufgehoben|"
                     r"`|\.(md|pdf|docx?|html?)\b",  # headings naming files are about files
                     re.IGNORECASE)
_LONG_TITLE = 60


def short_title(title: str) -> str:
    """A long official title gives way to its trailing abbreviation: staff say "SGB 12"."""
    abbreviation = title_abbreviation(title)
    return abbreviation if len(title) > _LONG_TITLE and abbreviation else title


def example_questions(sections: Sequence[tuple[str, str, str]], n: int = 4) -> list[str]:
    """One question per document (up to n documents), about a substantive section of it."""
    by_doc: dict[str, list[tuple[str, str]]] = {}
    for doc, title, section in sections:
        topic = strip_numbering(section).strip(" -–:")
        if len(topic) >= 4 and not _BORING.search(topic) and not topic[0].isdigit():
            by_doc.setdefault(doc, []).append((title, topic))
    docs = sorted(by_doc)
    picked = list(dict.fromkeys(docs[i * len(docs) // n] for i in range(n))) if docs else []
    questions = []
    for doc in picked:  # spread over the collection, not just its first documents
        entries = by_doc[doc]
        title, topic = entries[len(entries) // 3]  # past the introductory sections
        questions.append(f"Was bestimmt „{short_title(title)}“ zum Thema „{topic}“?")
    return questions
