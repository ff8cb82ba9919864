"""What every screen and dialog shows, pinned at 80x24 and 200x60 on the demo data with a fixed
today: each keeps its inputs in sight at the smallest size and uses the room at the largest.

After an intended change of a screen: `pytest tests/test_snapshots.py --snapshot-update`, then
look at the report before committing the new pictures.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.command import CommandList
from textual.pilot import Pilot

from dialogtui.domain import Stage
from dialogtui.screens.dialogs import ConflictScreen, TextPromptScreen
from dialogtui.screens.initiative import InitiativeScreen
from dialogtui.screens.overlaps import OverlapWarningScreen
from dialogtui.store import Store
from tests.ui import make_app, settle, settled, wait_for

SIZES = [(80, 24), (200, 60)]
# In a list of keys: wait until the saves asked for have landed before the next key.
SAVED = "<saved>"


@pytest.fixture
def demo_app(demo_store: Store) -> Any:
    return make_app(demo_store)


def keys(*pressed: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run(pilot: Pilot[None]) -> None:
        await pilot.pause()
        for key in pressed:
            if key == SAVED:
                await settled(pilot)
            else:
                await pilot.press(key)
        await settle(pilot)
        # A toast lasts seconds, which a loaded machine may take between two keys: none shown.
        pilot.app.clear_notifications()
        await wait_for(pilot, lambda: not pilot.app.screen.query("Toast"), what="no toast")
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
def test_registration_form_with_a_restored_draft(
    size: tuple[int, int], demo_store: Store, snap_compare: Any
) -> None:
    # What a terminal that died left behind: the form brings it back and says from when.
    demo_store.save_form_draft(
        None, {"title": "Halvfärdig anmälan", "unit": "Regionkontoret", "method": "survey"}, 0
    )
    app = make_app(demo_store)
    assert snap_compare(app, terminal_size=size, run_before=keys("n"))


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


@pytest.mark.parametrize("size", SIZES)
def test_lessons(size: tuple[int, int], demo_app: Any, snap_compare: Any) -> None:
    assert snap_compare(demo_app, terminal_size=size, run_before=keys("l", *"unga", "enter"))


@pytest.mark.parametrize("size", SIZES)
def test_settings(size: tuple[int, int], demo_app: Any, snap_compare: Any) -> None:
    assert snap_compare(demo_app, terminal_size=size, run_before=keys("o", "v"))


@pytest.mark.parametrize("size", SIZES)
def test_blocked_period_dialog(size: tuple[int, int], demo_app: Any, snap_compare: Any) -> None:
    assert snap_compare(demo_app, terminal_size=size, run_before=keys("o", "v", "ctrl+n"))


@pytest.mark.parametrize("size", SIZES)
def test_help(size: tuple[int, int], demo_app: Any, snap_compare: Any) -> None:
    assert snap_compare(demo_app, terminal_size=size, run_before=keys("question_mark"))


@pytest.mark.parametrize("size", SIZES)
def test_filter_dialog(size: tuple[int, int], demo_app: Any, snap_compare: Any) -> None:
    assert snap_compare(demo_app, terminal_size=size, run_before=keys("slash"))


@pytest.mark.parametrize("size", SIZES)
def test_stage_gate_dialog(size: tuple[int, int], demo_app: Any, snap_compare: Any) -> None:
    # The last dialogue by start is registered and has most of its checklist open: the second
    # step (to running) lists what is missing and asks for a reason.
    async def run(pilot: Pilot[None]) -> None:
        await keys("3", "end", "enter", "s", SAVED)(pilot)
        page = pilot.app.screen
        assert isinstance(page, InitiativeScreen)
        await wait_for(
            pilot,
            lambda: page.initiative is not None and page.initiative.stage is Stage.PLANNING,
            what="the page to show the new stage",
        )
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, TextPromptScreen))
        await keys(*"Beslutat")(pilot)

    assert snap_compare(demo_app, terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_confirm_dialog(size: tuple[int, int], demo_app: Any, snap_compare: Any) -> None:
    assert snap_compare(
        demo_app, terminal_size=size, run_before=keys("3", "end", "enter", "i", "right")
    )


@pytest.mark.parametrize("size", SIZES)
def test_promise_dialog(size: tuple[int, int], demo_app: Any, snap_compare: Any) -> None:
    assert snap_compare(demo_app, terminal_size=size, run_before=keys("enter", "enter", "k", "p"))


@pytest.mark.parametrize("size", SIZES)
def test_public_feedback_dialog(size: tuple[int, int], demo_app: Any, snap_compare: Any) -> None:
    assert snap_compare(demo_app, terminal_size=size, run_before=keys("enter", "enter", "a"))


@pytest.mark.parametrize("size", SIZES)
def test_conflict_dialog(size: tuple[int, int], demo_app: Any, snap_compare: Any) -> None:
    async def run(pilot: Pilot[None]) -> None:
        await keys("enter", "enter")(pilot)
        # Another user's save that came first; a conflict needs two sessions, so it is shown
        # as the form shows it.
        screen = pilot.app.screen
        assert isinstance(screen, InitiativeScreen) and screen.initiative is not None
        theirs = screen.initiative
        mine = theirs.model_copy(update={"title": theirs.title + " (min)", "sample_size": 250})
        pilot.app.push_screen(ConflictScreen("Någon annan sparade först.", theirs, mine))
        await keys()(pilot)

    assert snap_compare(demo_app, terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_overlap_warning_dialog(size: tuple[int, int], demo_app: Any, snap_compare: Any) -> None:
    async def run(pilot: Pilot[None]) -> None:
        await keys("enter", "enter")(pilot)
        page = pilot.app.screen
        assert isinstance(page, InitiativeScreen) and page.initiative is not None
        # A second registration of the same dialogue: what the form's Ctrl+S asks first.
        twin = page.initiative.model_copy(update={"id": None, "version": 0})
        pilot.app.confirm_before_save(twin, lambda initiative: None)
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, OverlapWarningScreen))
        await keys()(pilot)

    assert snap_compare(demo_app, terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_command_palette(size: tuple[int, int], demo_app: Any, snap_compare: Any) -> None:
    async def run(pilot: Pilot[None]) -> None:
        await keys("ctrl+p", *"rapport")(pilot)
        commands = pilot.app.screen.query_one(CommandList)
        # The search runs in a worker of the palette's own: wait for its one hit.
        await wait_for(pilot, lambda: commands.option_count == 1, what="the palette's hit")
        await keys()(pilot)

    assert snap_compare(demo_app, terminal_size=size, run_before=run)


def test_too_small_terminal(demo_app: Any, snap_compare: Any) -> None:
    assert snap_compare(demo_app, terminal_size=(60, 20), run_before=keys("question_mark"))
