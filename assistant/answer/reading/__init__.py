"""The sentence reader: the stage after retrieval that finds the sentence stating the rule or
figure asked for, so that staff see it at once with §, Absatz and page."""

from assistant.answer.reading.reader import Reading, ScoredSentence, SentenceReader
from assistant.answer.reading.scorer import Features, SentenceScorer

__all__ = ["Features", "Reading", "ScoredSentence", "SentenceReader",
           "SentenceScorer"]
