"""The shipped settings files are valid settings (a typo in a key fails: extra keys are refused)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from core.config import Settings

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["settings.example.yaml", "deploy/settings.yaml"])
def test_shipped_settings_files_load(name: str) -> None:
    settings = Settings(**yaml.safe_load((REPO / name).read_text(encoding="utf-8")))
    assert settings.web.local_login in ("everyone", "admins")


def test_deploy_settings_name_the_proxy_and_sources() -> None:
    settings = Settings(**yaml.safe_load((REPO / "deploy/settings.yaml").read_text("utf-8")))
    assert settings.web.trusted_header_auth == "X-Forwarded-User"
    assert settings.web.trusted_proxies and settings.chroma.host == "127.0.0.1"
    assert [s.name for s in settings.sync.sources] == ["satzungen", "bauamt"]
