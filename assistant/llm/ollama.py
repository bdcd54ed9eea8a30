"""Ollama (production): `/api/chat` with streaming and an explicit context window.

`num_ctx` is always sent: Ollama's small default context silently cuts long RAG prompts.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import httpx

from assistant.errors import BackendUnavailable
from assistant.llm.base import PromptText

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
        self.timeout = timeout

    def check(self) -> None:
        """Raise BackendUnavailable (German message) unless the server has the model."""
        try:
            response = httpx.get(f"{self.host}/api/tags", timeout=5)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise BackendUnavailable(
                f"Der Sprachmodell-Server (Ollama) unter {self.host} ist nicht erreichbar",
                f"ollama at {self.host} unreachable: {exc}") from exc
        names = {m.get("name") for m in response.json().get("models", [])}
        names |= {n.split(":")[0] for n in names if n}
        if self.model not in names and self.model.split(":")[0] not in names:
            raise BackendUnavailable(
                f"Das Sprachmodell '{self.model}' ist auf dem Ollama-Server nicht installiert "
                f"(ollama pull {self.model})",
                f"model {self.model!r} not in {sorted(n for n in names if n)}")

    def stream(self, prompt: PromptText, *, max_tokens: int) -> Iterator[str]:
        messages = ([{"role": "system", "content": prompt.system}] if prompt.system else [])
        messages.append({"role": "user", "content": prompt.text})
        body = {
            "model": self.model, "messages": messages, "stream": True,
            "options": {"num_ctx": self.num_ctx, "temperature": self.temperature,
                        "num_predict": max_tokens},
        }
        try:
            with httpx.stream("POST", f"{self.host}/api/chat", json=body,
                              timeout=self.timeout) as response:
                if response.status_code == 404:
                    raise BackendUnavailable(
                        f"Das Sprachmodell '{self.model}' ist auf dem Ollama-Server nicht "
                        "installiert", f"ollama 404 for model {self.model!r}")
                response.raise_for_status()
                for line in response.iter_lines():
                    if not line.strip():
                        continue
                    chunk = json.loads(line)
                    if chunk.get("error"):
                        raise BackendUnavailable("Der Ollama-Server meldet einen Fehler",
                                                 str(chunk["error"]))
                    piece = (chunk.get("message") or {}).get("content", "")
                    if piece:
                        yield piece
                    if chunk.get("done"):
                        return
        except httpx.HTTPError as exc:
            raise BackendUnavailable(
                f"Der Sprachmodell-Server (Ollama) unter {self.host} ist nicht erreichbar",
                f"ollama request failed: {exc}") from exc
