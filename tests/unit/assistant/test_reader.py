"""The sentence reader's scorer and ranking, with word vectors in place of e5."""

from __future__ import annotations

import pytest

from assistant.answer.excerpts import fundstelle, reading_excerpts
from assistant.answer.reading import Features, SentenceReader, SentenceScorer
from core.config import ReaderSettings, ReaderWeights
from tests.fakes import WordVectors
from vectorstore.lexical.german import GermanAnalyzer
from vectorstore.results import SearchResult

pytestmark = pytest.mark.unit
ANALYZER = GermanAnalyzer()
STEUER = ("(1) Die Gemeinde erhebt die Pferdesteuer nach dieser Satzung.\n\n"
          "(2) Gegenstand der Steuer ist das Halten von Pferden im Gemeindegebiet.")
SATZ = ("(1) Die Steuer beträgt im Kalenderjahr für jedes Pferd 84,00 €.\n\n"
        "(2) Für das zweite Pferd erhöht sich der Steuersatz auf 126,00 €.")


def source(text: str, section: str, n: int) -> SearchResult:
    return SearchResult(f"c{n}", "pferdesteuer.md", "Pferdesteuersatzung", section, 3, text,
                        1.0, "allgemein", "/x/pferdesteuer.md", {})


def reader(weights: ReaderWeights | None = None, evidence: ReaderWeights | None = None
           ) -> SentenceReader:
    return SentenceReader(
        vectors=WordVectors(ANALYZER.terms), terms=ANALYZER.terms,
        query_terms=ANALYZER.query_terms, idf=lambda _term: 1.0,
        scorer=SentenceScorer(weights or ReaderSettings().weights),
        evidence=SentenceScorer(evidence) if evidence else None)


def test_the_score_is_the_documented_weighted_sum() -> None:
    weights = ReaderWeights(similarity=1.0, coverage=0.5, context=0.25, answer_type=0.2,
                            rank=0.1)
    features = Features(similarity=0.8, coverage=0.4, context=0.6, answer_type=1.0, rank=0.5)
    assert SentenceScorer(weights).score(features) == pytest.approx(
        0.8 + 0.5 * 0.4 + 0.25 * 0.6 + 0.2 * 1.0 + 0.1 * 0.5)


def test_the_answer_type_feature_marks_the_sentence_with_the_asked_figure() -> None:
    sources = [source(STEUER, "§ 1 Steuergegenstand", 1), source(SATZ, "§ 5 Steuersatz", 2)]
    reading = reader().read("Wie hoch ist die Pferdesteuer für ein Pferd?", sources)
    by_text = {s.sentence: s.features for s in reading.ranked}
    figure = by_text["(1) Die Steuer beträgt im Kalenderjahr für jedes Pferd 84,00 €."]
    assert figure.answer_type == 1.0 and figure.rank == 0.5
    assert 0 < figure.coverage <= figure.context
    topic = by_text["(1) Die Gemeinde erhebt die Pferdesteuer nach dieser Satzung."]
    assert topic.answer_type == 0.0 and topic.rank == 1.0


def test_with_the_fitted_weights_the_figure_outranks_the_topic() -> None:
    """The Hundesteuer case of the issue: § 1 ("Die Gemeinde erhebt die Hundesteuer …") was
    retrieved first and shares more words; § 5 states the amount. With the shipped weights the
    amount wins unless the topic sentence is clearly closer in meaning."""
    scorer = SentenceScorer(ReaderSettings().weights)
    topic = Features(similarity=0.86, coverage=0.6, context=0.7, answer_type=0.0, rank=1.0)
    figure = Features(similarity=0.85, coverage=0.4, context=0.7, answer_type=1.0, rank=0.5)
    assert scorer.score(figure) > scorer.score(topic)
    far = Features(similarity=0.75, coverage=0.4, context=0.7, answer_type=1.0, rank=0.5)
    assert scorer.score(far) < scorer.score(topic)  # a figure alone does not win


def test_evidence_has_its_own_weights_and_is_the_best_candidates() -> None:
    sources = [source(SATZ, "§ 5 Steuersatz", 1)]
    plain = ReaderWeights(coverage=0.0, context=0.0, answer_type=0.0, rank=0.0)
    reading = reader(evidence=plain).read("Wie hoch ist die Steuer für ein Pferd?", sources)
    assert reading.evidence == pytest.approx(max(s.features.similarity for s in reading.ranked))
    assert reading.evidence < reading.best.score  # the ranking adds type, context and rank
    assert reader().read("Wie hoch?", []).evidence == float("-inf")


def test_fundstellen_come_from_other_passages_within_the_margin() -> None:
    sources = [source(SATZ, "§ 5 Steuersatz", 1), source(SATZ, "§ 5 Steuersatz", 2),
               source(STEUER, "§ 1 Steuergegenstand", 3)]
    reading = reader().read("Wie hoch ist die Steuer für das zweite Pferd?", sources)
    assert len(reading.fundstellen(3, 0.0)) == 1 or reading.ranked[1].score == reading.evidence
    wide = reading.fundstellen(2, 10.0)
    assert len(wide) == 2 and wide[0].candidate.source.chunk_id != wide[1].candidate.source.chunk_id
    top = reading.top(3)
    keys = {(s.candidate.source.chunk_id, s.candidate.unit.absatz_index) for s in top}
    assert len(keys) == 3  # three distinct Absätze for the model


def test_a_fundstelle_cites_sentence_absatz_and_page() -> None:
    reading = reader().read("Wie hoch ist die Steuer für das zweite Pferd?",
                            [source(SATZ, "§ 5 Steuersatz", 1)])
    citation = fundstelle(reading.best, 600)
    assert citation.sentence == ("(2) Für das zweite Pferd erhöht sich der Steuersatz auf "
                                 "126,00 €.")
    assert citation.absatz == "2"
    assert citation.label() == "pferdesteuer.md, § 5 Steuersatz, Abs. 2, S. 3"
    excerpts = reading_excerpts(reading, 2, 500)
    assert [e.n for e in excerpts] == [1] and len(excerpts[0].pieces) == 2
    assert sum(len(p) for p in excerpts[0].pieces) <= 500
