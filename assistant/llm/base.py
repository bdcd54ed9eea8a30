"""The interface every generating backend implements."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, Protocol


@dataclass(frozen=True)
class PromptText:
    """A rendered prompt: `system` only for chat backends."""

    text: str
    system: str | None = None


class LLMBackend(Protocol):
    """Streams the continuation of a prompt, token by token."""

    name: str
    kind: Literal["chat", "completion"]

    def stream(self, prompt: PromptText, *, max_tokens: int) -> Iterator[str]: ...

    def load(self, system: str | None = None) -> None:
        """Get ready before the first request (a server calls it at start); a backend that
        caches evaluated tokens also evaluates the fixed system prompt now."""
        ...
