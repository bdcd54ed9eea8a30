"""Building an answer from retrieved sources: the sentence reader, grounding, conflicts between
levels of norm, excerpts, citations, prompting and the conversation. It receives the sources and
never calls back into retrieval."""
