"""Check every answer sentence against the quotes it cites.

Hard facts — numbers, amounts, dates, deadlines, § references — must occur in the cited text;
the rest of the sentence must be lexically supported (a share of its content words found in
the cited text). Unsupported sentences are removed and reported. This is what lets a Kommune
use a 270M model: whatever it invents does not reach the user.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ingest.sentences import split_sentences

_CITE = re.compile(r"\[(\d{1,2})\]")
_NUMBER = re.compile(r"\d+(?:[ \u00a0\u202f.,]\d+)*")  # "25 000" is often written with NBSP
_PARAGRAPH = re.compile(r"(?:§§?|Art\.)\s*\d+(?:\s?[a-z](?![a-zäöüß]))?", re.IGNORECASE)
NUMBER_WORDS = {
    "null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn",
    "elf", "zwölf", "zwanzig", "dreißig", "vierzig", "fünfzig", "hundert", "tausend",
    "zweier", "dreier", "vierzehn", "fünfzehn", "sechzehn", "achtzehn", "einundzwanzig",
}
Terms = Callable[[str], list[str]]


def attach_citations(text: str) -> str:
    """"… 165,00 €. [1] Die …" -> "… 165,00 € [1]. Die …": a citation belongs to the sentence
    before it, and sentence splitting must see that."""
    return re.sub(r"([.!?])\s*((?:\[\d{1,2}\]\s*)+)",
                  lambda m: f" {m.group(2).strip()}{m.group(1)} ", text).strip()


def _norm_number(text: str) -> str:
    return re.sub(r"[ \u00a0\u202f.]", "", text).replace(",00", "").replace(",", ".")


def hard_facts(sentence: str) -> list[str]:
    """Numbers (normalised), § references and number words a sentence asserts."""
    text = _CITE.sub(" ", sentence)
    facts = [_norm_number(m.group(0)) for m in _NUMBER.finditer(text)]
    facts += [re.sub(r"\s+", "", m.group(0)).lower() for m in _PARAGRAPH.finditer(text)]
    facts += [w for w in re.findall(r"[a-zäöüß]+", text.lower()) if w in NUMBER_WORDS]
    return facts


def _facts_of_source(text: str) -> set[str]:
    found = {_norm_number(m.group(0)) for m in _NUMBER.finditer(text)}
    found |= {re.sub(r"\s+", "", m.group(0)).lower() for m in _PARAGRAPH.finditer(text)}
    found |= {w for w in re.findall(r"[a-zäöüß]+", text.lower()) if w in NUMBER_WORDS}
    # "25 000" may be read as "25" and "000" elsewhere: also keep each number part
    for m in _NUMBER.finditer(text):
        found.update(_norm_number(p) for p in re.split(r"[ \u00a0\u202f.]", m.group(0)) if p)
    return found


@dataclass
class GroundingResult:
    kept: list[tuple[str, list[int]]] = field(default_factory=list)  # sentence, its citations
    removed: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(s for s, _ in self.kept).strip()

    @property
    def grounded(self) -> bool:
        return bool(self.kept)


def check_answer(answer: str, sources: Mapping[int, str], terms: Terms,
                 min_support: float = 0.5) -> GroundingResult:
    """Keep sentences whose facts and content words are in their cited sources.

    A sentence without a citation is kept only if some source supports it, and then gets
    that source's number.
    """
    result = GroundingResult()
    answer = attach_citations(answer)
    for sentence in split_sentences(answer.strip()):
        sentence = sentence.strip()
        if not sentence:
            continue
        cited = [int(n) for n in _CITE.findall(sentence) if int(n) in sources]
        candidates = cited or list(sources)
        supporting = [n for n in candidates if _supports(sources[n], sentence, terms, min_support)]
        if not supporting:
            result.removed.append(sentence)
            continue
        if not cited:
            sentence = sentence.rstrip() + f" [{supporting[0]}]"
            cited = supporting[:1]
        result.kept.append((sentence, cited))
    return result


def _supports(source: str, sentence: str, terms: Terms, min_support: float) -> bool:
    facts = hard_facts(sentence)
    available = _facts_of_source(source)
    if any(f not in available for f in facts):
        return False
    words = set(terms(_CITE.sub(" ", sentence)))
    if not words:
        return False
    source_terms = set(terms(source))
    return len(words & source_terms) / len(words) >= min_support


_ASKS_FOR_NUMBER = re.compile(
    r"\b(wie (hoch|viel|viele|lange|groß|weit|oft|alt)|bis wann|ab wann|wann|wieviel|"
    r"welche[rnms]? (frist|gebühr|höhe|betrag|summe|zeit)|was kostet|kosten)\b", re.IGNORECASE)


def asks_for_number(question: str) -> bool:
    """Questions about amounts, deadlines and times expect a figure in the answer."""
    return bool(_ASKS_FOR_NUMBER.search(question))


def best_passage(text: str, query_terms: Sequence[str], terms: Terms, limit: int = 2,
                 max_chars: int = 600, wants_number: bool = False) -> str:
    """The verbatim passage of a chunk that best supports an answer to the question.

    Legal text is cited by Absatz: the Absatz sharing most terms with the question is quoted
    whole when it is short enough; otherwise its best `limit` sentences, in document order.
    """
    wanted = set(query_terms)
    paragraphs = [" ".join(p.replace("**", "").replace("__", "").split())
                  for p in re.split(r"\n\s*\n", text) if p.strip()]
    if not paragraphs:
        return text.strip()
    def has_figure(paragraph: str) -> bool:  # "(3)" is a marker, not a figure
        return bool(re.search(r"\d", re.sub(r"^\(\d+[a-z]?\)\s*", "", paragraph)))

    scored = [(len(wanted & set(terms(p))) + (0.5 if wants_number and has_figure(p) else 0), -i)
              for i, p in enumerate(paragraphs)]
    best = paragraphs[-max(scored)[1]]
    if len(best) <= max_chars:
        return best
    sentences = [x.strip() for x in split_sentences(best) if x.strip()]
    ranked = sorted(((len(wanted & set(terms(x))), i) for i, x in enumerate(sentences)),
                    reverse=True)[:limit]
    chosen = [sentences[i] for score, i in sorted(ranked, key=lambda r: r[1]) if score > 0]
    return " ".join(chosen or sentences[:1])
