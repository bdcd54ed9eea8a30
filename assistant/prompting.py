"""Load, validate and render versioned prompt templates (YAML + sandboxed Jinja).

A released version is never edited: new wording is a new file `v<N+1>.yaml`. Unknown YAML
fields and undefined variables are errors, so a typo fails loudly instead of sending a prompt
with a hole in it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, ValidationError

from assistant.errors import ConfigError

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
_VERSION_FILE = re.compile(r"^v(\d+)\.ya?ml$")
_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


class PromptTemplate(BaseModel):
    """One released prompt version."""

    model_config = ConfigDict(extra="forbid")

    id: str
    version: int
    language: str = "de"
    kind: Literal["chat", "completion"]
    description: str = ""
    variables: list[str]
    system: str | None = None
    body: str

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    def render(self, **values: Any) -> str:
        """The user/completion text; every declared variable must be given, no other."""
        missing = [v for v in self.variables if v not in values]
        extra = [v for v in values if v not in self.variables]
        if missing or extra:
            raise ConfigError(
                f"Prompt {self.ref}: Variablen passen nicht",
                f"prompt {self.ref}: missing {missing}, unexpected {extra}",
            )
        try:
            return _ENV.from_string(self.body).render(**values)
        except TemplateError as exc:
            raise ConfigError(f"Prompt {self.ref} lässt sich nicht ausfüllen",
                              f"prompt {self.ref}: {exc}") from exc


class PromptLibrary:
    """All prompt versions under a directory."""

    def __init__(self, directory: Path = PROMPTS_DIR) -> None:
        self.directory = directory

    def names(self) -> list[str]:
        return sorted(p.name for p in self.directory.iterdir()
                      if p.is_dir() and any(_VERSION_FILE.match(f.name) for f in p.iterdir()))

    def versions(self, name: str) -> list[int]:
        folder = self.directory / name
        if not folder.is_dir():
            return []
        return sorted(int(m.group(1)) for f in folder.iterdir() if (m := _VERSION_FILE.match(f.name)))

    def load(self, name: str, version: int | None = None) -> PromptTemplate:
        versions = self.versions(name)
        if not versions:
            raise ConfigError(f"Prompt '{name}' gibt es nicht", f"no prompt named {name!r} in "
                                                                f"{self.directory}")
        chosen = version if version is not None else versions[-1]
        path = self.directory / name / f"v{chosen}.yaml"
        if not path.is_file():
            raise ConfigError(f"Prompt {name}@{chosen} gibt es nicht",
                              f"{path} missing; versions: {versions}")
        try:
            template = PromptTemplate(**yaml.safe_load(path.read_text(encoding="utf-8")))
        except (yaml.YAMLError, ValidationError, TypeError) as exc:
            raise ConfigError(f"Prompt-Datei {path.name} ist ungültig", f"{path}: {exc}") from exc
        if template.id != name or template.version != chosen:
            raise ConfigError(f"Prompt-Datei {path.name} passt nicht zu ihrem Ordner",
                              f"{path}: id/version {template.ref} != {name}@{chosen}")
        return template

    def save_new_version(self, template: PromptTemplate) -> PromptTemplate:
        """Store edited wording as the next version (released versions stay untouched)."""
        next_version = (self.versions(template.id) or [0])[-1] + 1
        saved = template.model_copy(update={"version": next_version})
        folder = self.directory / template.id
        folder.mkdir(parents=True, exist_ok=True)
        data = saved.model_dump(exclude_none=True)
        (folder / f"v{next_version}.yaml").write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return saved
