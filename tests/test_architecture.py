"""The layers of ARCHITECTURE.md, checked statically on every module, lazy imports included.

A lazy import inside a function is still a dependency, so the contracts read every import
statement of every module, not just what happens to be loaded at start.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "dialogtui"

# The parts that draw on the screen; everything else is core and never imports Textual. The
# command line is the entry above both: it starts the app, lazily (test_hygiene checks that
# `dialogtui todo` and the other commands never load Textual).
UI = ("dialogtui.app", "dialogtui.screens", "dialogtui.widgets")
ENTRY = ("dialogtui.cli",)
# Pure logic: no database, no terminal, no files of the user's.
PURE = (
    "dialogtui.domain",
    "dialogtui.models",
    "dialogtui.overlap",
    "dialogtui.process",
    "dialogtui.todo",
    "dialogtui.filters",
    "dialogtui.dates",
    "dialogtui.calendar_math",
    "dialogtui.history",
    "dialogtui.presence",
    "dialogtui.documents",
    "dialogtui.reports",
    "dialogtui.exports",
    "dialogtui.catalog",
    "dialogtui.rules",
    "dialogtui.changes",
    "dialogtui.units",
    "dialogtui.registration",
    "dialogtui.template",
    "dialogtui.words",
    "dialogtui.argparse_sv",
    "dialogtui.lazy",
)
SQL = re.compile(
    r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE|PRAGMA\s)",
    re.IGNORECASE | re.DOTALL,
)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


@functools.cache
def tree_of(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def imports_of(path: Path) -> set[str]:
    """Every module an import statement in the file names, at any depth of the code."""
    found: set[str] = set()
    for node in ast.walk(tree_of(path)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def within(name: str, packages: tuple[str, ...] | str) -> bool:
    packages = (packages,) if isinstance(packages, str) else packages
    return any(name == p or name.startswith(p + ".") for p in packages)


def strings_of(path: Path) -> list[str]:
    texts: list[str] = []
    for node in ast.walk(tree_of(path)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            texts.append(node.value)
        elif isinstance(node, ast.JoinedStr):
            texts.append("".join(v.value for v in node.values if isinstance(v, ast.Constant)))
    return texts


def test_the_contracts_see_the_whole_package() -> None:
    assert "dialogtui.store" in MODULES and "dialogtui.store.base" in MODULES
    assert "dialogtui.app" in MODULES and "dialogtui.screens.calendar" in MODULES
    assert set(PURE) <= set(MODULES)


@pytest.mark.parametrize("name", [n for n in MODULES if not within(n, (*UI, *ENTRY))])
def test_core_never_imports_textual(name: str) -> None:
    bad = {i for i in imports_of(MODULES[name]) if within(i, ("textual", *UI))}
    assert not bad, f"{name} imports {sorted(bad)}"


@pytest.mark.parametrize("name", PURE)
def test_pure_logic_imports_neither_store_nor_sqlite(name: str) -> None:
    bad = {
        i
        for i in imports_of(MODULES[name])
        if within(i, ("sqlite3", "dialogtui.store", "dialogtui.config", "dialogtui.fileio"))
    }
    assert not bad, f"{name} imports {sorted(bad)}"


@pytest.mark.parametrize("name", [n for n in MODULES if within(n, "dialogtui.widgets")])
def test_widgets_know_neither_screens_nor_app_nor_store(name: str) -> None:
    bad = {
        i
        for i in imports_of(MODULES[name])
        if within(i, ("dialogtui.screens", "dialogtui.app", "dialogtui.store"))
    }
    assert not bad, f"{name} imports {sorted(bad)}"


@pytest.mark.parametrize("name", [n for n in MODULES if not within(n, "dialogtui.store")])
def test_no_sql_outside_the_store(name: str) -> None:
    assert "sqlite3" not in imports_of(MODULES[name]), f"{name} imports sqlite3"
    found = [text for text in strings_of(MODULES[name]) if SQL.search(text)]
    assert not found, f"{name} holds SQL: {found[:3]}"


def test_the_sql_check_would_catch_sql() -> None:
    assert SQL.search('SELECT id FROM initiatives WHERE "end" > ?')
    assert SQL.search("delete from x")
    assert not SQL.search("Välj ett initiativ från listan")


def unguarded_workers(tree: ast.Module) -> list[int]:
    """Lines of `@work` / `run_worker(...)` that leave Textual's exit_on_error=True in place."""
    lines: list[int] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            lines += [
                d.lineno for d in node.decorator_list if isinstance(d, ast.Name) and d.id == "work"
            ]
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name not in ("work", "run_worker"):
            continue
        flag = {k.arg: k.value for k in node.keywords}.get("exit_on_error")
        if not (isinstance(flag, ast.Constant) and flag.value is False):
            lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("name", [n for n in MODULES if within(n, UI)])
def test_every_worker_survives_its_own_failure(name: str) -> None:
    # A worker left with Textual's default exit_on_error=True ends the app on any error, and
    # takes what the user typed with it; failures go to DialogApp.worker_failed instead.
    lines = unguarded_workers(tree_of(MODULES[name]))
    assert not lines, f"{name}: workers without exit_on_error=False on lines {lines}"


def test_the_worker_check_would_catch_a_worker() -> None:
    code = (
        "@work(thread=True)\ndef a(): pass\n"
        "@work\ndef b(): pass\n"
        "@work(thread=True, exit_on_error=False)\ndef c(): pass\n"
        "app.run_worker(f, thread=True)\n"
        "app.run_worker(f, thread=True, exit_on_error=False)\n"
    )
    assert sorted(unguarded_workers(ast.parse(code))) == [1, 3, 7]
