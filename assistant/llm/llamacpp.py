"""Embedded default: a GGUF run in-process with llama-cpp-python (no server, no download).

The bundled model is Qwen2.5-Coder-1.5B-Instruct (see `assistant.llm.bundled`), an instruction
model: it gets chat messages rendered with the chat template stored in its GGUF. The system
message is the same for every question, so llama.cpp keeps its evaluated tokens between calls
and only the excerpts and the question are new work (prompt evaluation dominates latency on
two cores).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from assistant.llm.base import PromptText
from assistant.stdio import native_stdout_to_stderr
from core.errors import BackendUnavailable

log = logging.getLogger(__name__)

BUNDLED = "bundled"


def bundled_model_path(cache_dir: Path) -> Path:
    """The bundled instruction model, assembled and verified in `cache_dir`."""
    from assistant.llm.bundled import assemble

    return assemble(cache_dir)


class LlamaCppBackend:
    name = "llamacpp"
    kind = "chat"

    def __init__(self, model_path: Path, *, n_ctx: int = 4096, temperature: float = 0.0,
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
        with native_stdout_to_stderr():  # llama.cpp prints context set-up lines on fd 1
            return Llama(model_path=str(self.model_path), n_ctx=self.n_ctx,
                         n_threads=self.n_threads, n_batch=512, verbose=False)

    def load(self, system: str | None = None) -> None:
        """Load the model now (servers do this before the first visitor) and, given the fixed
        system prompt, evaluate it once: every later prompt starts with the same tokens, and
        llama.cpp keeps them, so the first question does not pay for them either."""
        with self._lock:
            if self._llm is None:
                self._llm = self._load()
            if system:
                messages = [{"role": "system", "content": system}, {"role": "user", "content": ""}]
                self._llm.create_chat_completion(messages=messages, max_tokens=1, temperature=0.0)

    def count_tokens(self, text: str) -> int:
        """The model's tokens for `text` (prompt budgets are measured with it)."""
        self.load()
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False))

    def stream(self, prompt: PromptText, *, max_tokens: int) -> Iterator[str]:
        self.load()
        messages = ([{"role": "system", "content": prompt.system}] if prompt.system else [])
        messages.append({"role": "user", "content": prompt.text})
        with self._lock:
            for chunk in self._llm.create_chat_completion(
                    messages=messages, max_tokens=max_tokens, temperature=self.temperature,
                    stream=True):
                piece = chunk["choices"][0]["delta"].get("content")
                if piece:
                    yield piece
