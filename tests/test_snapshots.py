"""What the screens show, pinned at 80x24 and 120x40 on the demo data with a fixed today.

After an intended change of a screen: `pytest tests/test_snapshots.py --snapshot-update`, then
look at the report before committing the new pictures.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from dialogtui import demo
from tests.conftest import TODAY
from tests.ui import fixed_store, make_app

SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def demo_app(db_path: Path) -> Any:
    store = fixed_store(db_path)
    demo.fill(store, TODAY)
    return make_app(store)


def keys(*pressed: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run(pilot: Pilot[None]) -> None:
        await pilot.pause()
        for key in pressed:
            await pilot.press(key)
        await pilot.app.workers.wait_for_complete()
        # A blinking cursor is on or off depending on how long the keys took: hold it on.
        for field in pilot.app.screen.query("Input, TextArea"):
            field.cursor_blink = False  # type: ignore[attr-defined]
        await pilot.pause()

    return run


@pytest.mark.parametrize("size", SIZES)
def test_month_view(size: tuple[int, int], demo_app: Any, snap_compare: Any) -> None:
    assert snap_compare(demo_app, terminal_size=size, run_before=keys())


@pytest.mark.parametrize("size", SIZES)
def test_timeline(size: tuple[int, int], demo_app: Any, snap_compare: Any) -> None:
    assert snap_compare(demo_app, terminal_size=size, run_before=keys("2", "down", "down"))


@pytest.mark.parametrize("size", SIZES)
def test_timeline_by_target_group(size: tuple[int, int], demo_app: Any, snap_compare: Any) -> None:
    assert snap_compare(demo_app, terminal_size=size, run_before=keys("2", "g", "g"))


@pytest.mark.parametrize("size", SIZES)
def test_list(size: tuple[int, int], demo_app: Any, snap_compare: Any) -> None:
    assert snap_compare(demo_app, terminal_size=size, run_before=keys("3"))


@pytest.mark.parametrize("size", SIZES)
def test_registration_form(size: tuple[int, int], demo_app: Any, snap_compare: Any) -> None:
    assert snap_compare(demo_app, terminal_size=size, run_before=keys("n", *"Ny dialog"))


@pytest.mark.parametrize("size", SIZES)
def test_initiative_page(size: tuple[int, int], demo_app: Any, snap_compare: Any) -> None:
    assert snap_compare(demo_app, terminal_size=size, run_before=keys("enter", "enter"))


@pytest.mark.parametrize("size", SIZES)
def test_overlap_screen(size: tuple[int, int], demo_app: Any, snap_compare: Any) -> None:
    assert snap_compare(demo_app, terminal_size=size, run_before=keys("o"))


@pytest.mark.parametrize("size", SIZES)
def test_overlap_detail(size: tuple[int, int], demo_app: Any, snap_compare: Any) -> None:
    assert snap_compare(demo_app, terminal_size=size, run_before=keys("o", "down", "enter"))


@pytest.mark.parametrize("size", SIZES)
def test_checklist(size: tuple[int, int], demo_app: Any, snap_compare: Any) -> None:
    assert snap_compare(demo_app, terminal_size=size, run_before=keys("enter", "enter", "k"))


@pytest.mark.parametrize("size", SIZES)
def test_todo(size: tuple[int, int], demo_app: Any, snap_compare: Any) -> None:
    assert snap_compare(demo_app, terminal_size=size, run_before=keys("ctrl+t"))


@pytest.mark.parametrize("size", SIZES)
def test_evaluation_form(size: tuple[int, int], demo_app: Any, snap_compare: Any) -> None:
    assert snap_compare(demo_app, terminal_size=size, run_before=keys("enter", "enter", "u"))


@pytest.mark.parametrize("size", SIZES)
def test_year_report(size: tuple[int, int], demo_app: Any, snap_compare: Any) -> None:
    assert snap_compare(demo_app, terminal_size=size, run_before=keys("r"))
