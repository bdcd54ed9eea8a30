"""Text typed by a person (chat, API, CLI), made safe to store, hash and search.

JSON can carry lone UTF-16 surrogates (`"\\ud800"`) that no UTF-8 encoder accepts: the audit
hash, SQLite and the tokenizers would fail on them. NUL and the other C0 control characters
only confuse the tokenizers and the audit export. Both become harmless before anything else
sees the text; everything a person can mean survives.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str) -> str:
    """Lone surrogates become U+FFFD (valid pairs are joined); control characters other than
    tab and line breaks become spaces."""
    if not text.isascii():
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return _CONTROL.sub(" ", text)
