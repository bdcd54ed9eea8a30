"""Keep stdout for the product's own output.

Native libraries (llama.cpp, ggml) print some log lines with printf straight to file
descriptor 1, past Python's logging and past `verbose=False`. `rathaus ask --json | jq` must
still read pure JSON, so while such code runs, descriptor 1 points at stderr.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def native_stdout_to_stderr() -> Iterator[None]:
    """Send everything written to fd 1 (by C code or Python) to stderr until the block ends."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)

