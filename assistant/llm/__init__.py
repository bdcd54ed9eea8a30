"""LLM backends behind one small interface, chosen by configuration."""

from assistant.llm.base import LLMBackend, PromptText

__all__ = ["LLMBackend", "PromptText"]
