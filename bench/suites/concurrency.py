"""Run reader threads while the main thread writes, collecting every failure (for the
concurrency tests of the keyword index and of the services)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def while_writing(write: Callable[[], T], read: Callable[[int], None], readers: int = 2
                  ) -> tuple[T, list[BaseException], list[int]]:
    """Call `read(slot)` in a loop on `readers` threads until `write()` returns.

    Returns write's result, the exceptions the readers raised, and how often each reader ran."""
    errors: list[BaseException] = []
    rounds = [0] * readers
    done = threading.Event()

    def loop(slot: int) -> None:
        try:
            while not done.is_set():
                read(slot)
                rounds[slot] += 1
        except BaseException as exc:  # noqa: BLE001 - every failure counts
            errors.append(exc)

    threads = [threading.Thread(target=loop, args=(slot,)) for slot in range(readers)]
    for thread in threads:
        thread.start()
    try:
        result = write()
    finally:
        done.set()
        for thread in threads:
            thread.join(timeout=120)
    return result, errors, rounds
