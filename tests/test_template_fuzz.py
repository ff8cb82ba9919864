"""Fuzzed cells of a filled template get what the registration form gives the same values: the
same initiative, or the same Swedish refusals of the same fields, each with its cell.

The form's own `build` is the oracle (run without a terminal, as in test_fuzz); the values are
written into a real template with openpyxl and read back from the file.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from dialogtui import catalog
from dialogtui.screens.form import InitiativeFormScreen
from dialogtui.template import fill, open_workbook, read_template
from tests.conftest import TODAY
from tests.templates import blank
from tests.test_fuzz import BUDGETS, check, form_raw

_BLANK = blank()
# What no cell can hold: XML 1.0 has no place for most C0 controls, lone surrogates or
# U+FFFE/U+FFFF, and it reads a carriage return as a line break; a cell holds at most 32,767
# characters. A unit cannot type more in Excel either; both sides get what a cell can hold.
_NOT_IN_A_CELL = re.compile(r"[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
CELL_MAX = 32_767


def cell_text(value: Any) -> Any:
    return _NOT_IN_A_CELL.sub("", value)[:CELL_MAX] if type(value) is str else value


def as_cells(raw: dict[str, Any]) -> dict[str, Any]:
    """The form's values typed into the template's cells, as a unit would type them."""
    cells: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "target_groups":
            continue
        if key == "method":
            cells[key] = value.label if value is not None else None
        elif key == "uses_panel":
            cells[key] = "ja" if value else "nej"
        else:
            cells[key] = value
    segments = catalog.segments()
    for number, group in enumerate(raw["target_groups"], start=1):
        cells[f"mg{number}_name"] = group["name"]
        cells[f"mg{number}_age_min"] = group["age_min"]
        cells[f"mg{number}_age_max"] = group["age_max"]
        for municipality in group["municipalities"]:
            cells[f"mg{number}_kommun_{municipality}"] = "x"
        for tag in group["segments"]:
            cells[f"mg{number}_segment_{segments.index(tag) + 1}"] = "x"
    return {k: v for k, v in cells.items() if v not in (None, "")}


def as_the_form_holds(raw: dict[str, Any]) -> dict[str, Any]:
    """The fuzzed values as the form's widgets hand them over: ages trimmed or defaulted (as
    `raw()` does), and a group with nothing in it left out, which is what an empty column of
    the template is (an empty group editor in the form is a group of everyone instead)."""
    held = {key: cell_text(value) for key, value in raw.items()}
    groups = []
    for group in raw["target_groups"]:
        group = {key: cell_text(value) for key, value in group.items()}
        age_min, age_max = group["age_min"].strip(), group["age_max"].strip()
        filled = [group["name"].strip(), age_min, age_max, *group["municipalities"]]
        if not any(filled) and not group["segments"]:
            continue
        groups.append(group | {"age_min": age_min or "0", "age_max": age_max or "120"})
    held["target_groups"] = groups
    return held


def form_says(raw: dict[str, Any]) -> tuple[Any, dict[str, str]]:
    screen = InitiativeFormScreen(None, TODAY)
    screen.raw = lambda: raw  # type: ignore[method-assign]
    return screen.build()


@pytest.mark.parametrize("budget", BUDGETS)
def test_fuzzed_cells_are_refused_as_the_form_refuses_them(budget: int) -> None:
    def prop(fuzzed: dict[str, Any]) -> None:
        raw = as_the_form_holds(fuzzed)
        initiative, errors = form_says(raw)
        workbook = open_workbook(fill(_BLANK, as_cells(raw)))
        try:
            result = read_template(workbook, TODAY)
        finally:
            workbook.close()
        if initiative is not None:
            assert result.problems == [], [str(p) for p in result.problems]
            assert result.initiative == initiative
            return
        assert result.initiative is None
        said = {}
        for problem in result.problems:
            said.setdefault(problem.key, str(problem.problem))
            assert problem.cell, f"{problem} names no cell"
            assert str(problem).startswith(problem.label)
            assert f"(cell {problem.cell}): " in str(problem)
        assert said == errors

    check(budget, 15, form_raw(), prop)
