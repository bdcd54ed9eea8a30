"""Figures with their units in German legal text, and the kind of answer a question asks for.

One grammar for "a figure with a unit" serves every place that needs it: the reader (does a
sentence state what the question asks for?), the grounding check (does a model's answer state a
figure at all?), the version comparison (which figures changed?), the hierarchy of norms (do two
levels name different figures of the same unit?) and the answer metrics (which key facts does a
gold answer hold?).

What a question asks for is read off its grammar, not off its topic: the interrogative phrase
("Wie hoch", "Bis wann", "Innerhalb welcher Frist", "Wer") or, for a yes/no question, the finite
verb that opens it ("Darf …?", "Muss …?"). Scenario questions tell a story first; only their
interrogative clauses count ("Ein Landwirt will … fahren. Ist das erlaubt?" asks yes or no).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from legal.dates import MONTH
from legal.references import KIND


class FigureKind(str, Enum):
    """What a figure measures, from its unit."""

    AMOUNT = "amount"  # 165,00 €, 25 000 Euro
    PERIOD = "period"  # drei Monate, 14 Tage, Ablauf des fünften Kalenderjahres
    TIME = "time"  # 7.00 Uhr
    DATE = "date"  # 01.03.2020, 1. März 2020
    MEASURE = "measure"  # 1,50 m, 20 m³, 7,5 t
    SHARE = "share"  # 10 Prozent, 5 v. H.
    COUNT = "count"  # 6 weiteren Mitgliedern, 30 Jahre alt is a period


@dataclass(frozen=True)
class Figure:
    """A figure as it stands in a text: its span, its unit as written, and its kind."""

    start: int
    end: int
    text: str
    unit: str
    kind: FigureKind

    @property
    def value(self) -> str:
        """The number alone, normalised ("1.500,00" -> "1500", "7.00 Uhr" -> "7.00")."""
        number = self.text[: len(self.text) - len(self.unit)].strip() if self.unit else self.text
        if self.kind is FigureKind.TIME:
            return number.replace(":", ".")
        return normalise_number(number)


_NUMBER_RUN = re.compile(r"\d+(?:[ \u00a0\u202f.,]\d+)*")  # "25 000" is often written with NBSP


def number_runs(text: str) -> list[str]:
    """Every number as written, group separators and decimals included ("25 000", "14.08.2017",
    "1,5"): the facts a sentence asserts, before normalising."""
    return _NUMBER_RUN.findall(text)


def normalise_number(text: str) -> str:
    """"25 000" = "25.000" = "25000"; "165,00" = "165"; "1,5" -> "1.5"."""
    return re.sub(r"[ \u00a0\u202f.]", "", text).replace(",00", "").replace(",", ".")


NUMBER_WORDS = frozenset({
    "null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn",
    "elf", "zwölf", "dreizehn", "vierzehn", "fünfzehn", "sechzehn", "siebzehn", "achtzehn",
    "neunzehn", "zwanzig", "einundzwanzig", "dreißig", "vierzig", "fünfzig", "sechzig",
    "siebzig", "achtzig", "neunzig", "hundert", "tausend", "zweier", "dreier", "vierer",
})
"""Cardinal numbers written as words; the articles "ein", "eine" count only before a unit."""
_NUMBER_WORDS = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + (
    "|eine[mnrs]?|ein|halbe[mnrs]?|anderthalb")
NUMBER_WORD = re.compile(rf"\b(?:{_NUMBER_WORDS})\b", re.IGNORECASE)
_ORDINAL_WORDS = (
    r"(?:erst|zweit|dritt|viert|fünft|sechst|siebt|acht|neunt|zehnt|elft|zwölft|"
    r"vierzehnt|zwanzigst|dreißigst|hundertst)(?:e|en|er|es|em)"
)
_DIGITS = r"\d{1,3}(?:[ \u00a0\u202f.]\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_PERIOD_UNIT = (r"(?:Kalender|Werk|Arbeits|Wochen|Geschäfts|Haushalts|Lebens|Schul|Monats)?"
                r"(?:jahr(?:e|en|es|s)?|monat(?:e|en|es|s)?|woche(?:n)?|tag(?:e|en|es|s)?|"
                r"stunde(?:n)?|minute(?:n)?|sekunde(?:n)?|quartal(?:e|en|s)?|halbjahr(?:e|es|s)?)")
_MEASURE_UNIT = (r"(?:m²|m2|m³|m3|qm|cbm|km/h|km|cm|mm|m|ha|kg|t|l|dB\(A\)|dB|"
                 r"Quadratmeter|Kubikmeter|Kilometer|Zentimeter|Millimeter|Meter|Hektar|"
                 r"Kilogramm|Tonnen|Tonne|Liter|Grad)")
_AMOUNT_UNIT = r"(?:€|Euro|EUR|Cent|ct)"
_SHARE_UNIT = r"(?:%|Prozent|v\.\s?H\.|vom\s+Hundert)"
_END = r"(?![\wäöüß²³])"

_PATTERNS: list[tuple[FigureKind, re.Pattern[str], str]] = [
    # dates before times: "01.03.2020" is not "01.03" Uhr
    (FigureKind.DATE, re.compile(
        rf"\b(?:\d{{1,2}}\.\s?\d{{1,2}}\.\s?\d{{2,4}}|\d{{1,2}}\.\s?(?i:{MONTH})(?:\s+\d{{4}})?|"
        rf"\d{{4}}-\d{{2}}-\d{{2}})\b"), ""),
    (FigureKind.TIME, re.compile(rf"\b\d{{1,2}}(?:[.:]\d{{2}})?\s*(Uhr){_END}"), "Uhr"),
    # the first time of a range: "zwischen 22.00 und 8.00 Uhr", "von 7 bis 19 Uhr"
    (FigureKind.TIME, re.compile(r"\b\d{1,2}(?:[.:]\d{2})?(?=\s*(?:Uhr\s*)?(?:und|bis|-|–)\s*"
                                 r"\d{1,2}(?:[.:]\d{2})?\s*Uhr)"), "Uhr"),
    (FigureKind.AMOUNT, re.compile(rf"(?:{_DIGITS})\s*({_AMOUNT_UNIT}){_END}|"
                                   rf"(€)\s*(?:{_DIGITS})"), ""),
    (FigureKind.SHARE, re.compile(rf"(?:{_DIGITS})\s*({_SHARE_UNIT})", re.IGNORECASE), ""),
    (FigureKind.PERIOD, re.compile(
        rf"(?:\b(?:{_DIGITS}|{_NUMBER_WORDS})\s+|\b{_ORDINAL_WORDS}\s+(?:[\wäöüß]+\s+){{0,6}}|\b)"
        rf"(?:(?:vollen|weiteren|aufeinander\s?folgenden|zusammenhängenden)\s+)?"
        rf"({_PERIOD_UNIT}){_END}", re.IGNORECASE), ""),
    (FigureKind.MEASURE, re.compile(rf"(?:{_DIGITS})\s*({_MEASURE_UNIT}){_END}"), ""),
]
_BARE_NUMBER = re.compile(rf"(?<![\w§.,])(?:{_DIGITS})(?![\w,])")
_REFERENCE_BEFORE = re.compile(
    r"(?:(?<![\w])(?:Abs\.|Abs[aä]tz\w*|Nr\.|Numm\w*|S[aä]tz\w*|Artikel\w*|Ziff\.|"
    r"Ziffer\w*|Buchst\.|Buchstabe\w*|S\.|Paragraph\w*|Anlage|Anhang|Gesetz\w*|Verordnung\w*|"
    rf"BGBl\.?\s*(?:I|II)?\s*S\.)|{KIND})\s*(?:\d+\s*[a-z]?\s*(?:,|und|bis|oder)\s*)*$",
    re.IGNORECASE)
_ABSATZ_OR_ITEM = re.compile(r"(?:^|[\s|(])$")


def find_figures(text: str, *, counts: bool = True) -> list[Figure]:
    """Every figure of `text` with its unit, in order. A period needs a number word or an
    ordinal before its unit ("drei Monate", "des fünften Kalenderjahres"); "Monat" alone is no
    figure. § / Abs. / Nr. numbers, Absatz markers "(2)" and list items "3." are references, not
    counts; with `counts=False` bare numbers are left out altogether."""
    found: list[Figure] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for kind, pattern, fixed_unit in _PATTERNS:
        for match in pattern.finditer(text):
            if _is_reference(text, match.start()):
                # "Satz 1 900,00 €" is the reference "Satz 1" and the figure 900,00 €
                head = re.match(r"\d+[ \u00a0\u202f]+", match.group(0))
                match = pattern.match(text, match.start() + head.end()) if head else None
                if match is None:
                    continue
            start, end = match.span()
            raw = match.group(0)
            if kind is FigureKind.PERIOD and not re.match(
                    rf"(?:{_DIGITS}|{_NUMBER_WORDS}|{_ORDINAL_WORDS})\s", raw, re.IGNORECASE):
                continue  # "Monat" alone names no period
            if not free(start, end):
                continue
            unit = fixed_unit or next((g for g in match.groups() if g), "")
            found.append(Figure(start, end, raw, unit, kind))
            taken.append((start, end))
    if counts:
        for match in _BARE_NUMBER.finditer(text):
            start, end = match.span()
            if not free(start, end) or _is_reference(text, start) or _is_marker(text, start, end):
                continue
            found.append(Figure(start, end, match.group(0), "", FigureKind.COUNT))
    return sorted(found, key=lambda f: f.start)


def _is_reference(text: str, start: int) -> bool:
    """"§ 5", "Abs. 2", "Nr. 14.1", "Satz 1": numbers that point somewhere, not figures."""
    return bool(_REFERENCE_BEFORE.search(text[max(0, start - 40):start]))


def _is_marker(text: str, start: int, end: int) -> bool:
    """An Absatz marker "(2)", a citation "[2]", or a list item "3." at a line or cell start."""
    if text[start - 1:start] + text[end:end + 1] in ("()", "[]"):
        return True  # an Absatz marker "(2)" or a citation "[2]"
    return text[end:end + 1] == "." and bool(_ABSATZ_OR_ITEM.search(text[max(0, start - 2):start]))


def states_figure(text: str, kinds: frozenset[FigureKind] | None = None) -> bool:
    """Does `text` state a figure (of one of `kinds`)? References do not count."""
    return any(kinds is None or f.kind in kinds for f in find_figures(text))


class AnswerType(str, Enum):
    """What a question asks for."""

    AMOUNT = "amount"
    PERIOD = "period"
    TIME = "time"
    DATE = "date"
    MEASURE = "measure"
    COUNT = "count"
    YES_NO = "yes_no"
    BODY = "body"  # a body or person: "Wer", "Welche Behörde"
    PROCEDURE = "procedure"  # "Wie beantrage ich", "In welcher Form"
    CONDITION = "condition"  # "Unter welcher Voraussetzung", "Wann" as "in which case"
    OPEN = "open"  # "Was", "Welche …": nothing the grammar can tell


FIGURE_TYPES = frozenset({AnswerType.AMOUNT, AnswerType.PERIOD, AnswerType.TIME,
                          AnswerType.DATE, AnswerType.MEASURE, AnswerType.COUNT})
_KINDS_OF_TYPE = {
    AnswerType.AMOUNT: {FigureKind.AMOUNT, FigureKind.SHARE},
    AnswerType.PERIOD: {FigureKind.PERIOD, FigureKind.DATE},
    AnswerType.TIME: {FigureKind.TIME},
    AnswerType.DATE: {FigureKind.DATE, FigureKind.PERIOD, FigureKind.TIME},
    AnswerType.MEASURE: {FigureKind.MEASURE, FigureKind.SHARE},
    AnswerType.COUNT: {FigureKind.COUNT, FigureKind.SHARE},
}

# Interrogative phrases, most specific first; each names the answer types it admits.
_W = r"(?:^|[\s,;:(„\"])"
_QUESTION_FORMS: list[tuple[re.Pattern[str], frozenset[AnswerType]]] = [
    (re.compile(rf"{_W}(?:wie\s?viel(?:e[nr]?)?|wie hoch|um wie\s?viel)\s+(?:euro|€|geld|"
                r"gebühr\w*|kosten|prozent)\b", re.I), frozenset({AnswerType.AMOUNT})),
    (re.compile(rf"{_W}(?:(?:nach|vor|seit|für|in|innerhalb|binnen)\s+)?wie\s?viele[nr]?\s+"
                r"(?:\w*jahr\w*|\w*monat\w*|\w*woche\w*|\w*tag\w*|stunden?|minuten?)\b", re.I),
     frozenset({AnswerType.PERIOD})),
    (re.compile(rf"{_W}(?:was\s+kost\w*|wie\s+teuer|welche[nrms]?\s+(?:\w*gebühr\w*|"
                r"\w*betrag\w*|\w*kosten\w*|\w*preis\w*|\w*steuer\w*|\w*entgelt\w*|summe|"
                r"zuschuss\w*)|wie\s+hoch\s+(?:ist|sind|wird|werden|darf|dürfen|kann|soll)\s+"
                r"(?:die|der|das|eine?)\s+\w*(?:gebühr|steuer|betrag|kosten|geld|entgelt|"
                r"zuschuss|beitrag|buße|preis|satz)\w*)", re.I), frozenset({AnswerType.AMOUNT})),
    (re.compile(rf"{_W}wie\s+oft\b", re.I), frozenset({AnswerType.COUNT})),
    (re.compile(rf"{_W}(?:wie\s+lange|wie\s+schnell|wie\s+weit\s+zurück|welche[rn]?\s+\w*zeiten\s+"
                r"(?:muss|müssen|ist|sind|gilt|gelten)|wie\s+viel\s+zeit|innerhalb\s+welche[rn]\s+"
                r"\w*|binnen\s+welche[rn]\s+\w*|welche[rn]?\s+(?:\w*frist\w*|zeitraum|dauer)|"
                r"in\s+welche[rmn]\s+(?:zeitraum|frist|abstand)|wie\s+alt)\b", re.I),
     frozenset({AnswerType.PERIOD})),
    (re.compile(rf"{_W}(?:um\s+wie\s?viel\s+uhr|ab\s+wie\s?viel\s+uhr|bis\s+wie\s?viel\s+uhr|"
                r"zu\s+welche[rn]\s+(?:zeit\w*|uhrzeit\w*|stunden?)|welche[rn]?\s+(?:uhrzeit\w*|"
                r"zeiten))\b", re.I), frozenset({AnswerType.TIME})),
    (re.compile(rf"{_W}(?:bis\s+wann|ab\s+wann|seit\s+wann|von\s+wann)\b", re.I),
     frozenset({AnswerType.DATE, AnswerType.TIME, AnswerType.PERIOD})),
    (re.compile(rf"{_W}wann\b", re.I),  # a day, a time, or the case in which a rule applies
     frozenset({AnswerType.DATE, AnswerType.TIME, AnswerType.PERIOD, AnswerType.CONDITION})),
    (re.compile(rf"{_W}(?:unter\s+welche[rn]\s+(?:\w*voraussetzung\w*|\w*bedingung\w*|"
                r"\w*umständen)|in\s+welche[nm]\s+fäll\w*|welche\s+voraussetzungen)\b", re.I),
     frozenset({AnswerType.CONDITION})),
    (re.compile(rf"{_W}(?:wie\s+(?:breit|weit|tief|groß|lang|dick|schwer|laut|schnell\s+darf)|"
                r"welche[rn]?\s+(?:abstand|breite|höhe|tiefe|größe|länge|stärke|fläche|mindest\w*)"
                r"|wie\s+viel\s+(?:abstand|platz|fläche|meter))\b", re.I),
     frozenset({AnswerType.MEASURE})),
    (re.compile(rf"{_W}(?:wie\s+hoch|wie\s?viel(?:e[nr]?)?|um\s+wie\s?viel|wieviel|"
                r"welche[rnms]?\s+(?:anzahl|zahl|höhe))\b", re.I),
     frozenset({AnswerType.AMOUNT, AnswerType.COUNT, AnswerType.MEASURE})),
    (re.compile(rf"{_W}(?:wer|wem|wen|wessen|(?:an|bei|von|durch|gegen|für|mit)\s+(?:wen|wem)|"
                r"welche[rnms]?\s+(?:\w*behörde\w*|\w*stelle|\w*amt|\w*gericht|\w*organ|"
                r"\w*ausschuss|person\w*|gremium|\w*träger))\b", re.I),
     frozenset({AnswerType.BODY})),
    (re.compile(rf"{_W}(?:wie\s+(?:beantrag\w*|melde\w*|gehe\w*|geht|muss|müssen|kann|können|"
                r"ist|sind|wird|werden)\b.*\b(?:vor|beantrag\w*|anmelde\w*|erfolg\w*|ablauf\w*|"
                r"vorgehen|einreich\w*)|in\s+welcher\s+form|auf\s+welchem\s+weg|welche\s+"
                r"(?:unterlagen|nachweise|schritte|dokumente)|was\s+(?:muss|"
                r"müssen)\s+\w+(?:\s+\w+)?\s+(?:tun|beachten|vorlegen|darlegen|einreichen))",
                re.I), frozenset({AnswerType.PROCEDURE})),
]
_FINITE_VERB_FIRST = re.compile(
    r"^\s*(?:darf|dürfen|muss|müssen|kann|können|ist|sind|soll|sollen|gibt|gilt|gelten|"
    r"besteht|bestehen|braucht|brauchen|benötigt|benötigen|wird|werden|hat|haben|war|waren|"
    r"bedarf|bedürfen|unterliegt|unterliegen|fällt|fallen|zählt|zählen|reicht|genügt|"
    r"steht|stehen|trifft|dürfte|müsste|könnte|wäre|hätte)\b", re.IGNORECASE)
_CLAUSE = re.compile(r"[^.?!;]*\?")


def interrogative_clauses(question: str) -> list[str]:
    """The clauses that ask ("…?"); the whole text when nothing ends in a question mark."""
    # "…, und ab wann wird gezählt?" asks twice: split at coordinated w-phrases
    clauses: list[str] = []
    asked = [c.strip() for c in _CLAUSE.findall(question) if c.strip(" ?")]
    for clause in asked or [question.strip()]:
        clauses.extend(p for p in re.split(r",\s*(?:und|oder)\s+(?=\w)", clause) if p.strip())
    return clauses


def answer_types(question: str) -> frozenset[AnswerType]:
    """What a question asks for, from its interrogative clauses' grammar (several when it
    asks several things; {OPEN} when the grammar cannot tell)."""
    types: set[AnswerType] = set()
    for clause in interrogative_clauses(question):
        text = f" {clause}"
        for pattern, admitted in _QUESTION_FORMS:
            if pattern.search(text):
                types |= admitted
                break
        else:
            if _FINITE_VERB_FIRST.search(clause.split(",")[-1]) or _FINITE_VERB_FIRST.search(
                    clause):
                types.add(AnswerType.YES_NO)
    return frozenset(types) or frozenset({AnswerType.OPEN})


_DEONTIC = re.compile(  # a rule: a modal verb, a permission, a prohibition, a duty
    r"\b(?:darf|dürfen|muss|müssen|soll|sollen|ist\s+(?:\w+\s+){0,6}zu\s+\w+en|"
    r"sind\s+(?:\w+\s+){0,6}zu\s+\w+en|\w*zulässig|erlaubt|gestattet|verboten|untersagt|"
    r"verpflichtet|berechtigt|befugt|bedarf|bedürfen|\w*pflichtig|\w*frei)\b", re.IGNORECASE)
_BODY = re.compile(
    r"\b\w*(?:behörde|amt|ämter|stelle|gericht|ausschuss|ausschüsse|rat|meister\w*|träger\w*|"
    r"verwaltung|gemeinde|ministerium|kommission|organ|landkreis|kreis|pflichtige\w*|"
    r"eigentümer\w*|besitzer\w*|inhaber\w*|anlieger\w*|veranstalter\w*|halter\w*|"
    r"berechtigte\w*|schuldner\w*|antragsteller\w*)\b", re.IGNORECASE)
_PROCEDURE = re.compile(
    r"\b(?:schriftlich|elektronisch|mündlich|zur\s+Niederschrift|durch\s+\w+|Antrag\w*|"
    r"beantrag\w*|anzuzeigen|anzumelden|vorzulegen|einzureichen|glaubhaft|nachzuweisen|"
    r"Verwaltungsakt|Bescheid|Form)\b", re.IGNORECASE)

_CONDITION = re.compile(
    r"\b(?:wenn|sofern|soweit|falls|es\s+sei\s+denn|vorausgesetzt|nur|ausgenommen|außer|"
    r"solange|sobald|bei|im\s+Falle?)\b", re.IGNORECASE)


def matches_type(sentence: str, asked: frozenset[AnswerType]) -> bool:
    """Does `sentence` state what the question asks for: a figure of an asked kind, a rule
    (yes/no), a body or person, a way to proceed? An OPEN question matches nothing: the
    grammar gives no hint, so no sentence gains from it."""
    if asked & FIGURE_TYPES:
        kinds = set().union(*(_KINDS_OF_TYPE[t] for t in asked & FIGURE_TYPES))
        if states_figure(sentence, frozenset(kinds)):
            return True
    if AnswerType.YES_NO in asked and _DEONTIC.search(sentence):
        return True
    if AnswerType.BODY in asked and _BODY.search(sentence):
        return True
    if AnswerType.CONDITION in asked and _CONDITION.search(sentence):
        return True
    return AnswerType.PROCEDURE in asked and bool(_PROCEDURE.search(sentence))
