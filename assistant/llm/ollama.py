"""Ollama (production), through the official `ollama` Python client: `/api/chat`, streamed,
with an explicit context window.

`num_ctx` is always sent: Ollama's small default context silently cuts long RAG prompts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import ollama

from assistant.llm.base import PromptText
from core.errors import BackendUnavailable

log = logging.getLogger(__name__)


class OllamaBackend:
    name = "ollama"
    kind = "chat"

    def __init__(self, host: str, model: str, *, num_ctx: int = 8192, temperature: float = 0.1,
                 timeout: float = 120.0) -> None:
        self.host = host.rstrip("/")
        self.model = model
        self.num_ctx = num_ctx
        self.temperature = temperature
        self.client = ollama.Client(host=self.host, timeout=timeout)

    def _unreachable(self, exc: Exception) -> BackendUnavailable:
        return BackendUnavailable(
            f"Der Sprachmodell-Server (Ollama) unter {self.host} ist nicht erreichbar",
            f"ollama at {self.host} unreachable: {exc}")

    def _not_installed(self, detail: str) -> BackendUnavailable:
        return BackendUnavailable(
            f"Das Sprachmodell '{self.model}' ist auf dem Ollama-Server nicht installiert "
            f"(ollama pull {self.model})", detail)

    def check(self) -> None:
        """Raise BackendUnavailable (German message) unless the server has the model."""
        try:
            listed = self.client.list()
        except (ConnectionError, httpx.HTTPError, ollama.ResponseError) as exc:
            raise self._unreachable(exc) from exc
        names = {m.model for m in listed.models if m.model}
        names |= {n.split(":")[0] for n in names}
        if self.model not in names and self.model.split(":")[0] not in names:
            raise self._not_installed(f"model {self.model!r} not in {sorted(names)}")

    def load(self, system: str | None = None) -> None:
        """Nothing to load here: the model lives on the Ollama server (checked at start)."""

    def stream(self, prompt: PromptText, *, max_tokens: int) -> Iterator[str]:
        messages = ([{"role": "system", "content": prompt.system}] if prompt.system else [])
        messages.append({"role": "user", "content": prompt.text})
        options = {"num_ctx": self.num_ctx, "temperature": self.temperature,
                   "num_predict": max_tokens}
        try:
            for chunk in self.client.chat(model=self.model, messages=messages, stream=True,
                                          options=options):
                piece = chunk.message.content if chunk.message else ""
                if piece:
                    yield piece
                if chunk.done:
                    return
        except ollama.ResponseError as exc:
            if exc.status_code == 404:
                raise self._not_installed(f"ollama 404 for model {self.model!r}") from exc
            raise BackendUnavailable("Der Ollama-Server meldet einen Fehler",
                                     f"ollama error {exc.status_code}: {exc.error}") from exc
        except (ConnectionError, httpx.HTTPError) as exc:
            raise self._unreachable(exc) from exc
