"""How much a candidate sentence looks like the answer: one linear score over five signals.

    score = w_sim · similarity + w_cov · coverage + w_ctx · context
            + w_type · answer_type + w_rank · rank

- `similarity`: e5 cosine between the question ("query: …") and the sentence ("passage: …").
  It carries paraphrase ("Mulde auf dem Bürgersteig" ↔ "Containern auf Gehwegen"), but alone
  it ranks any sentence about the same subject high;
- `coverage`: the idf-weighted share of the question's terms (German analyser, compounds split)
  found in the sentence itself;
- `context`: the same share found in the sentence, its Absatz, its § heading and the title: "Die
  Steuer beträgt … 165,00 €" is about the Hundesteuer because it stands in § 5 of the
  Hundesteuersatzung;
- `answer_type`: 1 when the sentence states what the question's grammar asks for (a figure of
  the asked kind for "Wie hoch"/"Bis wann", a rule for "Darf …?", a body for "Wer"), else 0. A
  sentence stating "165,00 €" ranks above "Die Gemeinde erhebt die Hundesteuer nach dieser
  Satzung" for "Wie hoch ist die Hundesteuer?";
- `rank`: 1 / the retrieval rank of the passage the sentence stands in; retrieval saw the whole
  passage and fused two retrievers.

The weights are fitted by k-fold cross-validation on the development questions (`bench/
reader_fit.py`, which prints the held-out folds' figures); they are settings (`reader.weights`),
so a Kommune with another embedder can refit them. The score is absolute (no per-question
normalisation), so the best sentence's score is also the evidence a refusal is decided on.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from core.config import ReaderWeights


@dataclass(frozen=True)
class Features:
    """The five signals of one candidate sentence."""

    similarity: float
    coverage: float
    context: float
    answer_type: float
    rank: float


class SentenceScorer:
    """Scores `Features` with fixed weights."""

    def __init__(self, weights: ReaderWeights | None = None) -> None:
        self.weights = weights or ReaderWeights()

    def score(self, features: Features) -> float:
        return sum(getattr(self.weights, f.name) * getattr(features, f.name)
                   for f in fields(Features))
