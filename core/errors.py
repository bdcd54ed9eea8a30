"""One error hierarchy: a German message for staff, an English detail for logs."""

from __future__ import annotations


class AssistantError(Exception):
    """Base error. `message_de` is shown to users, `detail` goes to logs."""

    def __init__(self, message_de: str, detail: str = "") -> None:
        super().__init__(detail or message_de)
        self.message_de = message_de
        self.detail = detail or message_de

    def __str__(self) -> str:
        if self.detail and self.detail != self.message_de:
            return f"{self.message_de} ({self.detail})"
        return self.message_de


class ConfigError(AssistantError):
    """Settings are invalid or inconsistent."""


class IngestError(AssistantError):
    """A single file could not be indexed; the batch goes on."""


class NeedsOcrError(IngestError):
    """A PDF has no text layer and OCR is not available."""


class StoreError(AssistantError):
    """The vector store cannot be reached or is inconsistent."""


class EmbeddingModelError(AssistantError):
    """The embedding model cannot be loaded."""


class BackendUnavailable(AssistantError):
    """An LLM backend is not reachable or misconfigured."""


class ModelIntegrityError(BackendUnavailable):
    """An assembled model file does not match its pinned size or sha256."""


class IngestBusy(AssistantError):
    """Another ingest holds the data directory's lock; the caller may try again later."""


class AccountError(AssistantError):
    """A user or grant request that cannot be carried out (unknown name, bad role, no rights)."""
