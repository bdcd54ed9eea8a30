"""The import direction is a contract checked on every test run (import-linter)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
REPO = Path(__file__).resolve().parents[2]


def test_imports_flow_one_way() -> None:
    """cli -> ui -> assistant -> ingest | vectorstore -> legal -> core; nothing imports cli/ui."""
    lint = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    result = subprocess.run([lint, "--no-cache"], cwd=REPO, capture_output=True, text=True,
                            check=False,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def _import_cycles(graph, modules: list[str]) -> list[list[str]]:
    """Strongly connected groups of modules (Tarjan), counting imports inside functions too."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while not group or group[-1] != module:
                group.append(stack.pop())
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in modules:
        if module not in index:
            visit(module)
    return cycles


def test_no_module_imports_itself_through_another() -> None:
    """A circle (even through an import inside a function) means two modules are one job."""
    import grimp

    graph = grimp.build_graph("cli", "ui", "assistant", "ingest", "vectorstore", "legal", "core")
    assert _import_cycles(graph, sorted(graph.modules)) == []
    circle = grimp.ImportGraph()
    for a, b in (("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d")):
        circle.add_import(importer=a, imported=b)
    assert _import_cycles(circle, sorted(circle.modules)) == [["p.a", "p.b", "p.c"]]


def test_benchmarks_import_nothing_from_the_tests() -> None:
    """What both run lives in bench/suites (or the product); tests may import it, not the
    reverse, so that a benchmark never depends on a test's fixtures or pins."""
    import ast

    offenders = []
    for path in sorted((REPO / "bench").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "tests"]
    assert offenders == []


PRODUCT = ("core", "legal", "ingest", "vectorstore", "assistant", "ui", "prompts")
MAX_MODULES = 14


def test_no_product_folder_holds_more_than_fourteen_modules() -> None:
    """Feature packages, not flat folders: a folder with more modules is split by job (cli/,
    one thin module per command group, is the exception)."""
    crowded = {}
    for top in PRODUCT:
        for folder in [REPO / top, *(p.parent for p in (REPO / top).rglob("*/__init__.py"))]:
            modules = [p for p in folder.glob("*.py") if p.name != "__init__.py"]
            if len(modules) > MAX_MODULES:
                crowded[str(folder.relative_to(REPO))] = len(modules)
    assert crowded == {}


HOMES = {"§ reference": "references.py", "German month": "dates.py", "Absatz marker": "text.py"}


def test_german_legal_language_has_one_home() -> None:
    """One pattern per notion: § references, dates and Absatz markers are written only in
    legal/ (a regex elsewhere that spells them again is a second grammar)."""
    import re

    notions = {"§ reference": re.compile(r"§§\?|§\{1,2\}|§\+|Art\\\\\.\|Artikel"),
               "German month": re.compile(r"januar\W{1,4}j", re.IGNORECASE),
               "Absatz marker": re.compile(r"\\\\\(\\\\d\+?\[a-z\]")}
    spelled_again = []
    for top in PRODUCT:
        for path in (REPO / top).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for notion, pattern in notions.items():
                home = REPO / "legal" / HOMES[notion]
                if path != home and pattern.search(text):
                    spelled_again.append(f"{path.relative_to(REPO)}: {notion}")
    assert spelled_again == []
