"""Helpers shared by the benchmark scripts (run from the project root)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def emit(result: dict, as_json: bool) -> None:
    """Print figures as a table for people, or one JSON object for tools."""
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
        return
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")
