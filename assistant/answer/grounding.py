"""Check every answer sentence against the excerpt it cites.

Hard facts — numbers, amounts, dates, deadlines, § references — must occur in the cited text;
the rest of the sentence must be lexically supported (a share of its content words found in
the cited text). "The number occurs somewhere in the excerpt" is not enough: a Satzung lists
several rates in one paragraph (165 € per dog, 330 € for the second, 900 € for a Kampfhund), and
a small model readily pairs the wrong one with the question's subject. So every figure must
be, among the figures of the cited excerpt, the one whose surrounding words (those leading up to
it and the rest of its clause) best match the sentence's key terms, the terms it shares with
the question, rare terms weighing more. Unsupported sentences are
removed and reported; whatever the model invents or mismatches does not reach the user.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from legal.figures import (
    NUMBER_WORDS,
    find_figures,
    normalise_number,
    number_runs,
    states_figure,
)
from legal.references import reference_labels
from legal.text import paragraphs, split_sentences

_CITE = re.compile(r"\[(\d{1,2})\]")
Terms = Callable[[str], list[str]]
Weight = Callable[[str], float]


def _number_words(text: str) -> list[str]:
    """"drei", "zwölf" … as they stand in `text` (lower-cased)."""
    return [w for w in re.findall(r"[a-zäöüß]+", text.lower()) if w in NUMBER_WORDS]


def _reference_facts(text: str) -> list[str]:
    """"§ 17a" -> "§17a", "Artikel 5" -> "art.5": one spelling per reference."""
    return [label.replace(" ", "").lower() for label in reference_labels(text)]


def hard_facts(sentence: str) -> list[str]:
    """Numbers (normalised), § references and number words a sentence asserts."""
    text = _CITE.sub(" ", sentence)
    facts = [normalise_number(n) for n in number_runs(text)]
    facts += _reference_facts(text)
    facts += _number_words(text)
    return facts


def _facts_of_source(text: str) -> set[str]:
    found = {normalise_number(n) for n in number_runs(text)}
    found |= set(_reference_facts(text))
    found |= set(_number_words(text))
    # "25 000" may be read as "25" and "000" elsewhere: also keep each number part
    for number in number_runs(text):
        found.update(normalise_number(p) for p in re.split(r"[ \u00a0\u202f.]", number) if p)
    return found


_WORD = re.compile(r"[\wäöüÄÖÜß]+")
WINDOW_BEFORE = 12  # words leading up to a figure that name what it is about
WINDOW_AFTER = 8  # words after it, up to the end of its clause
ANCHOR_SHARE = 0.5


def figures(sentence: str) -> list[tuple[int, int, str]]:
    """Amounts, periods, times, counts and dates of a sentence (start, end, normalised value);
    § / Abs. / Nr. numbers are references, checked by presence only (legal/figures.py)."""
    text = _CITE.sub(lambda m: " " * len(m.group(0)), sentence)
    return [(f.start, f.end, f.value) for f in find_figures(text)]


def sentence_starts(text: str) -> list[int]:
    """Where each sentence of `text` begins (offsets), for a figure's context window."""
    starts, offset = [], 0
    for piece in split_sentences(text):
        found = text.find(piece, offset)
        offset = found if found >= 0 else offset
        starts.append(offset)
        offset += len(piece)
    return starts


def figure_context(text: str, start: int, end: int, bounds: Sequence[tuple[int, int]],
                   sentence_starts: Sequence[int]) -> str:
    """What a figure in `text` is about: up to WINDOW_BEFORE words back (not past the previous
    figure or its sentence start) and the rest of its clause (not past the next figure)."""
    lead_from = max([e for s, e in bounds if e <= start] +
                    [s for s in sentence_starts if s <= start] + [0])
    lead_words = _WORD.findall(text[lead_from:start])[-WINDOW_BEFORE:]
    tail_to = min([s for s, e in bounds if s >= end] + [len(text)])
    after = text[end:tail_to]
    if after.startswith(". ") and text[end - 1:end].isdigit():  # an ordinal: "70. Geburtstag"
        after = after[1:]
    tail = re.split(r"[,;:!?\n]|\.\s", after, maxsplit=1)[0]
    return " ".join(lead_words + _WORD.findall(tail)[:WINDOW_AFTER])


def figures_in_place(sentence: str, source: str, anchors: set[str], terms: Terms,
                     weight: Weight = lambda _term: 1.0) -> bool:
    """No figure of `source` that the sentence does not state stands closer to the anchor
    terms (rare terms weigh more) than the figures it states: a sentence about a Kampfhund may
    state the rate next to "Kampfhund", not the general rate printed one clause earlier; a
    sentence stating all the rates of a list passes."""
    wanted = figures(sentence)
    if not anchors or not wanted:
        return True
    spots = figures(source)
    bounds = [(s, e) for s, e, _ in spots]
    starts = sentence_starts(source)
    scores: dict[str, float] = {}
    for s, e, value in spots:
        context = set(terms(figure_context(source, s, e, [b for b in bounds if b != (s, e)],
                                           starts)))
        score = sum(weight(t) for t in anchors & context)
        scores[value] = max(scores.get(value, 0.0), score)
    stated = {value for _, _, value in wanted}
    rival = max((v for k, v in scores.items() if k not in stated), default=0.0)
    return all(scores.get(value, 0.0) > 0 and scores[value] >= rival - 1e-9
               for value in stated)


@dataclass
class SentenceCheck:
    sentence: str
    supporting: list[int]  # excerpts that support it (its citations, or found for it)
    cited: bool  # the model cited them itself


@dataclass
class GroundingResult:
    kept: list[SentenceCheck] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def grounded(self) -> bool:
        """At least one sentence survived and every kept sentence is supported."""
        return bool(self.kept)


def check_claims(claims: Sequence[tuple[str, Sequence[int]]], sources: Mapping[int, str],
                 terms: Terms, *, key_terms: Sequence[str] = (), min_support: float = 0.5,
                 weight: Weight = lambda _term: 1.0) -> GroundingResult:
    """Keep the sentences whose facts and words stand in the excerpts they cite.

    A sentence without a citation is checked against every excerpt and gets the first that
    supports it; a sentence whose citations do not support it is removed, even when another
    excerpt would (the model pointed at the wrong place, and the reader would be misled).
    """
    result = GroundingResult()
    question = set(key_terms)
    for text, cited in claims:
        candidates = list(cited) or list(sources)
        supporting = [n for n in candidates if n in sources and
                      supports(sources[n], text, terms, min_support, question, weight)]
        if not supporting:
            result.removed.append(text)
            continue
        result.kept.append(SentenceCheck(text, supporting if cited else supporting[:1],
                                         bool(cited)))
    return result


def supports(source: str, sentence: str, terms: Terms, min_support: float,
             question: set[str] = frozenset(), weight: Weight = lambda _term: 1.0) -> bool:
    """Facts present, figures in the right place, and most content words found.

    The anchors of the figure check are the sentence's terms that the question shares and the
    source contains (others cannot point anywhere); without such terms, its terms the source
    contains."""
    facts = hard_facts(sentence)
    available = _facts_of_source(source)
    if any(f not in available for f in facts):
        return False
    words = set(terms(_CITE.sub(" ", sentence)))
    if not words:
        return False
    source_terms = set(terms(source))
    if len(words & source_terms) / len(words) < min_support:
        return False
    found = words & source_terms
    anchors = (found & question) or found
    return figures_in_place(sentence, source, anchors, terms, weight)


def best_passage(text: str, query_terms: Sequence[str], terms: Terms, limit: int = 2,
                 max_chars: int = 600, wants_number: bool = False) -> str:
    """The verbatim passage of a chunk that best supports an answer to the question.

    Legal text is cited by Absatz: the Absatz sharing most terms with the question is quoted
    whole when it is short enough; otherwise its best `limit` sentences, in document order.
    """
    wanted = set(query_terms)
    found = paragraphs(text)
    if not found:
        return text.strip()
    scored = [(len(wanted & set(terms(p))) + (0.5 if wants_number and states_figure(p) else 0),
               -i)
              for i, p in enumerate(found)]
    best = found[-max(scored)[1]]
    if len(best) <= max_chars:
        return best
    sentences = [x.strip() for x in split_sentences(best) if x.strip()]
    ranked = sorted(((len(wanted & set(terms(x))), i) for i, x in enumerate(sentences)),
                    reverse=True)[:limit]
    chosen = [sentences[i] for score, i in sorted(ranked, key=lambda r: r[1]) if score > 0]
    return " ".join(chosen or sentences[:1])
