"""German sentence splitting that respects legal abbreviations (Abs., Nr., z. B., §§ ...).

The grammar lives in `legal.text`; this name stays for the chunker and older callers."""

from legal.text import split_sentences

__all__ = ["split_sentences"]
