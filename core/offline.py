"""Process-wide switches that keep every library from phoning home. Import before the libraries."""

import os

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "TOKENIZERS_PARALLELISM": "false",
    "TRANSFORMERS_VERBOSITY": "error",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
}


def enforce_offline() -> None:
    """Set the offline/telemetry environment unless the operator set it explicitly."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)


enforce_offline()
