"""Choose the phrasing backend from settings (`auto`: a configured Ollama server, else none)."""

from __future__ import annotations

import logging
from pathlib import Path

from assistant.llm.base import LLMBackend
from assistant.llm.llamacpp import BUNDLED, LlamaCppBackend, bundled_model_path
from assistant.llm.ollama import OllamaBackend
from core.config import LLMSettings
from core.errors import BackendUnavailable

log = logging.getLogger(__name__)


def _ollama(cfg: LLMSettings) -> OllamaBackend:
    if not cfg.ollama_host:
        raise BackendUnavailable("Kein Ollama-Server konfiguriert (llm.ollama_host)",
                                 "llm.ollama_host not set")
    backend = OllamaBackend(cfg.ollama_host, cfg.ollama_model, num_ctx=cfg.num_ctx,
                            temperature=cfg.temperature)
    backend.check()
    return backend


def _llamacpp(cfg: LLMSettings, data_dir: Path) -> LlamaCppBackend:
    try:
        import llama_cpp  # noqa: F401
    except ImportError as exc:
        raise BackendUnavailable("llama-cpp-python ist nicht installiert",
                                 "llama_cpp not importable") from exc
    path = (bundled_model_path(data_dir / "models") if cfg.llamacpp_model == BUNDLED
            else Path(cfg.llamacpp_model))
    if not path.is_file():
        raise BackendUnavailable("Die Modelldatei (GGUF) fehlt", f"GGUF not found: {path}")
    return LlamaCppBackend(path, n_ctx=cfg.llamacpp_n_ctx, temperature=0.0)


def choose_backend(cfg: LLMSettings, data_dir: Path) -> LLMBackend | None:
    """The configured backend; None means extractive answers. Explicit choices fail loudly."""
    if cfg.backend == "extractive":
        return None
    if cfg.backend == "ollama":
        return _ollama(cfg)
    if cfg.backend == "llamacpp":
        return _llamacpp(cfg, data_dir)
    if not cfg.ollama_host:  # auto without a model server: the reader's Fundstellen answer
        return None
    try:
        return _ollama(cfg)
    except BackendUnavailable as exc:
        log.warning("Ollama not used, answers are extractive: %s", exc.detail)
        return None
