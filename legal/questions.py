"""The information need of a question told as a case.

Staff ask in scenarios: "Ein Bürger in Bad Boll will eine Mulde auf den Bürgersteig stellen.
Wie lange darf sie dort ohne Erlaubnis stehen?" The story sets the scene (who, where, what);
the interrogative clause says what is wanted (a duration). In German the interrogative clause
is the sentence that ends in "?". Both matter: the story names the subject ("Mulde",
"Bürgersteig"), the question its aspect ("wie lange", "ohne Erlaubnis"). Retrieval therefore
asks with the whole text and, as a further list fused beside it, with the interrogative clause
alone, so that passages on the asked aspect are not outranked by passages that merely share
the story's words.
"""

from __future__ import annotations

from legal.text import split_sentences


def interrogative_clause(question: str) -> str | None:
    """The sentence(s) ending in "?" of a question that also tells a story; None when the
    question is a single sentence or has no interrogative sentence (nothing to weight)."""
    sentences = [s.strip() for s in split_sentences(" ".join(question.split()))]
    asking = [s for s in sentences if s.endswith("?")]
    if not asking or len(asking) == len(sentences):
        return None
    return " ".join(asking)
