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

from core.errors import ConfigError

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
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
    """All prompt versions: released ones shipped in `prompts/`, plus versions developers saved
    from the Prompt-Labor into a writable folder of the installation (`user_dir`)."""

    def __init__(self, directory: Path = PROMPTS_DIR, user_dir: Path | None = None) -> None:
        self.directory = directory
        self.user_dir = user_dir

    def _roots(self) -> list[Path]:
        return [d for d in (self.directory, self.user_dir) if d is not None and d.is_dir()]

    def _files(self, name: str) -> dict[int, Path]:
        found: dict[int, Path] = {}
        for root in self._roots():
            folder = root / name
            if folder.is_dir():
                for f in folder.iterdir():
                    if (m := _VERSION_FILE.match(f.name)):
                        found.setdefault(int(m.group(1)), f)
        return found

    def names(self) -> list[str]:
        return sorted({p.name for root in self._roots() for p in root.iterdir()
                       if p.is_dir() and self._files(p.name)})

    def versions(self, name: str) -> list[int]:
        return sorted(self._files(name))

    def refs(self) -> list[str]:
        return [f"{name}@{v}" for name in self.names() for v in self.versions(name)]

    def source(self, name: str, version: int) -> str:
        """The YAML text of one version, for showing and editing."""
        self.load(name, version)
        return self._files(name)[version].read_text(encoding="utf-8")

    def load(self, name: str, version: int | None = None) -> PromptTemplate:
        files = self._files(name)
        if not files:
            raise ConfigError(f"Prompt '{name}' gibt es nicht", f"no prompt named {name!r} in "
                                                                f"{self.directory}")
        chosen = version if version is not None else max(files)
        path = files.get(chosen)
        if path is None:
            raise ConfigError(f"Prompt {name}@{chosen} gibt es nicht",
                              f"{name}@{chosen} missing; versions: {sorted(files)}")
        template = parse_template(path.read_text(encoding="utf-8"), path.name)
        if template.id != name or template.version != chosen:
            raise ConfigError(f"Prompt-Datei {path.name} passt nicht zu ihrem Ordner",
                              f"{path}: id/version {template.ref} != {name}@{chosen}")
        return template

    def save_new_version(self, template: PromptTemplate) -> PromptTemplate:
        """Store edited wording as the next version (released versions stay untouched)."""
        next_version = (self.versions(template.id) or [0])[-1] + 1
        saved = template.model_copy(update={"version": next_version})
        folder = (self.user_dir or self.directory) / template.id
        folder.mkdir(parents=True, exist_ok=True)
        data = saved.model_dump(exclude_none=True)
        (folder / f"v{next_version}.yaml").write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return saved


def parse_template(text: str, origin: str = "Prompt") -> PromptTemplate:
    """YAML text -> validated template; errors name the origin (file or editor)."""
    try:
        return PromptTemplate(**yaml.safe_load(text))
    except (yaml.YAMLError, ValidationError, TypeError) as exc:
        raise ConfigError(f"{origin} ist ungültig: {_first_line(exc)}", f"{origin}: {exc}") from exc


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
