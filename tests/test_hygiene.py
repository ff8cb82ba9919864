"""Layers stay clean and the code stays formatted: checked on every run, not by memory."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PURE = [
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
    "dialogtui.changes",
    "dialogtui.units",
    "dialogtui.registration",
    "dialogtui.template",
]
CORE = [
    *PURE,
    "dialogtui.store",
    "dialogtui.coordination",
    "dialogtui.interchange",
    "dialogtui.config",
    "dialogtui.fileio",
    "dialogtui.inbox",
    "dialogtui.intake",
    "dialogtui.cli",
]


def imported_after(modules: list[str]) -> set[str]:
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print('\\n'.join(sorted(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


def test_core_and_cli_do_not_pull_in_textual() -> None:
    loaded = imported_after(CORE)
    assert not {m for m in loaded if m == "textual" or m.startswith("textual.")}


def test_pure_logic_touches_neither_sqlite_nor_textual() -> None:
    loaded = imported_after(PURE)
    assert "textual" not in loaded
    assert "sqlite3" not in loaded
    assert "dialogtui.store" not in loaded


def test_the_first_frame_does_not_wait_for_pydantic_or_the_heavy_exports() -> None:
    # What `dialogtui` imports before it draws the calendar, and the overlap search after it.
    loaded = imported_after(["dialogtui.cli", "dialogtui.app", "dialogtui.coordination"])
    for heavy in ("pydantic", "openpyxl", "icalendar", "holidays", "sqlite_utils"):
        assert heavy not in loaded, heavy


def ruff() -> str:
    found = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if found is None:
        pytest.skip("ruff is not installed")
    return found


def test_ruff_check_is_clean() -> None:
    result = subprocess.run([ruff(), "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_ruff_format_is_clean() -> None:
    result = subprocess.run(
        [ruff(), "format", "--check", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout


def test_mypy_strict_is_clean() -> None:
    # The configuration is pyproject.toml's [tool.mypy]: strict, over src/dialogtui.
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    test_command = next(line.strip() for line in readme[:12] if line.strip().endswith("pytest"))
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
