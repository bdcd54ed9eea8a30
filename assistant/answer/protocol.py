"""The answer protocol an instruction model follows, and the parser that holds it to it.

The model sees numbered excerpts and must answer with short sentences, each followed by the
number of the excerpt it rests on ("… 900,00 € [1]."), or with exactly the refusal token. The
parser turns whatever came back into sentences with their citations; citations of excerpts that
do not exist are dropped and reported, never passed on.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from legal.text import split_sentences

REFUSAL_TOKEN = "KEINE_ANGABE"
_CITE_GROUP = re.compile(r"\[\s*(\d{1,2}(?:\s*[,;]\s*\d{1,2})*)\s*\]")
_EXCERPT_WORD = re.compile(r"\(?\b(?:Auszug|Quelle)\s+(\d{1,2})\)?", re.IGNORECASE)
_MARKDOWN = re.compile(r"[*_`#>]+")
MAX_SENTENCES = 4


@dataclass
class Claim:
    """One answer sentence (citation markers removed) and the excerpts it cites."""

    text: str
    cited: list[int] = field(default_factory=list)


@dataclass
class ParsedAnswer:
    refused: bool
    claims: list[Claim]
    invalid_citations: list[int] = field(default_factory=list)


def _numbers(group: str) -> list[int]:
    return [int(x) for x in re.findall(r"\d{1,2}", group)]


def parse_answer(raw: str, excerpts: Collection[int]) -> ParsedAnswer:
    """Split a model's reply into claims with valid citations.

    "(Auszug 2)" and "[1, 3]" are read as citations too; a sentence's citations are those
    inside it or right after its full stop. A reply that is (or starts with) the refusal token
    is a refusal, and so is one whose only other sentences carry no claim; a sentence holding
    the token is no claim, but the other sentences of the reply still count (and are checked
    like any other).
    """
    flat = re.sub(r"[\s\\]+", "_", raw.upper()).strip("_")
    if flat.startswith(REFUSAL_TOKEN) or flat.strip("._") == REFUSAL_TOKEN:
        return ParsedAnswer(True, [])
    text = _MARKDOWN.sub("", raw).strip()
    if not text:
        return ParsedAnswer(True, [])
    text = _EXCERPT_WORD.sub(lambda m: f"[{m.group(1)}]", text)
    # a citation after the full stop belongs to the sentence before it
    text = re.sub(r"([.!?])\s*((?:\[[\d\s,;]+\]\s*)+)", lambda m: f" {m.group(2).strip()}"
                  f"{m.group(1)} ", text)
    claims: list[Claim] = []
    invalid: list[int] = []
    for line in re.split(r"\n+", text):
        line = re.sub(r"^\s*(?:[-•]|\d+[.)])\s+", "", line)  # list bullets
        for sentence in split_sentences(line):
            numbers = [n for g in _CITE_GROUP.findall(sentence) for n in _numbers(g)]
            body = re.sub(r"\s+([.!?,;:])", r"\1", " ".join(_CITE_GROUP.sub(" ", sentence).split()))
            if REFUSAL_TOKEN.replace("_", "") in re.sub(r"[\s_\\]+", "", body.upper()):
                continue  # "Dazu steht KEINE_ANGABE in …": no claim
            if len(re.findall(r"\w+", body)) < 3:
                continue
            valid = [n for n in dict.fromkeys(numbers) if n in excerpts]
            invalid += [n for n in numbers if n not in excerpts]
            claims.append(Claim(body, valid))
    if not claims and REFUSAL_TOKEN in flat:
        return ParsedAnswer(True, [])  # hedged, then gave up: nothing but the token
    return ParsedAnswer(False, claims[:MAX_SENTENCES], sorted(set(invalid)))
