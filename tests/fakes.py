"""Test doubles for unit tests only: a fake LLM with a queue of canned replies."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from assistant.llm.base import PromptText


class QueuedLLM:
    """Returns the queued replies in order, token by token; records the prompts it saw."""

    def __init__(self, *replies: str, kind: str = "chat", name: str = "fake",
                 can_forbid: bool = False) -> None:
        self.replies = list(replies)
        self.kind = kind
        self.name = name
        self.can_forbid = can_forbid
        self.prompts: list[PromptText] = []
        self.forbidden: list[tuple[str, ...]] = []

    def load(self, system: str | None = None) -> None:
        pass

    def stream(self, prompt: PromptText, *, max_tokens: int,
               forbid: Sequence[str] = ()) -> Iterator[str]:
        self.prompts.append(prompt)
        self.forbidden.append(tuple(forbid))
        reply = self.replies.pop(0) if self.replies else ""
        for word in reply.split(" "):
            yield word + " "
