"""Turn a blocking call with an `on_token` callback into a generator the chat can stream."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


def stream_tokens(call: Callable[[Callable[[str], None]], T]) -> Iterator[str | T]:
    """Yield each token as it arrives, then the call's result (exceptions are re-raised)."""
    tokens: queue.Queue = queue.Queue()
    outcome: dict[str, object] = {}

    def work() -> None:
        try:
            outcome["result"] = call(tokens.put)
        except BaseException as exc:  # handed to the consumer's thread
            outcome["error"] = exc
        finally:
            tokens.put(_DONE)

    threading.Thread(target=work, daemon=True, name="answer").start()
    while (item := tokens.get()) is not _DONE:
        yield item
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    yield outcome["result"]  # type: ignore[misc]
