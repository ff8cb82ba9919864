"""The app as a whole: start, quit, warnings, size, and literal display of user text."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogtui import demo
from dialogtui.app import DialogApp
from dialogtui.screens.calendar import CalendarScreen
from dialogtui.screens.help import HelpScreen, TooSmallScreen
from dialogtui.store import Store
from dialogtui.widgets.initiative_table import InitiativeTable
from tests.conftest import TODAY
from tests.factories import make_initiative
from tests.ui import calendar_read, make_app, settle, wait_for, widget_text


async def test_titles_are_shown_literally_never_as_markup(store: Store) -> None:
    store.create_initiative(make_initiative(title="[bold red]x[/] \\[y] \x1b[31m"))
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 24)) as pilot:
        await pilot.press("3")
        await calendar_read(pilot)
        text = widget_text(app.screen.query_one(InitiativeTable))
        assert "[bold red]x[/] \\[y] [31m" in text


async def test_ctrl_q_quits(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(notifications=True) as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


async def test_world_readable_database_is_announced(db_path: Path) -> None:
    store = Store(db_path)
    db_path.chmod(0o644)
    warning = store.permission_problem()
    assert warning is not None
    app = make_app(store)
    app._startup_warnings = [warning]
    async with app.run_test(notifications=True) as pilot:
        await pilot.pause()
        assert [n.message for n in app._notifications] == [warning]


async def test_demo_database_opens_on_the_calendar_with_demo_initiatives(db_path: Path) -> None:
    store = Store(db_path)
    assert demo.fill(store, TODAY)
    app = make_app(store)
    async with app.run_test(notifications=True, size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CalendarScreen)
        await pilot.press("3")
        await calendar_read(pilot)
        table = app.screen.query_one(InitiativeTable)
        assert table.row_count == store.count_initiatives() >= 50
        first = store.summaries(limit=1)[0]
        assert first.title[:20] in widget_text(table)


async def test_too_small_terminal_says_so_and_recovers(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(notifications=True, size=(60, 20)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        assert "minst 80×24" in widget_text(app.screen.query_one("Static"))
        # Nothing opens over it but Ctrl+Q: a screen drawn into 60x20 is cut off unseen.
        await pilot.press("question_mark", "ctrl+t", "ctrl+p", "n", "o")
        await settle(pilot)
        assert isinstance(app.screen, TooSmallScreen)
        assert len(app.screen_stack) == 3  # the default screen, the calendar, this
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert isinstance(app.screen, CalendarScreen)


async def test_a_screen_brought_over_the_too_small_notice_leaves_no_notice_behind(
    store: Store,
) -> None:
    app = make_app(store)
    async with app.run_test(notifications=True, size=(60, 20)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        # The app itself brings a screen (a failed save gives back its form): it lies on top.
        app.push_screen(HelpScreen(app.screen))
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, CalendarScreen), what="calendar")
        assert not [s for s in app.screen_stack if isinstance(s, TooSmallScreen)]


async def test_help_lists_the_keys_of_the_screen(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = widget_text(app.screen.query_one("VerticalScroll Static"))
        for words in ("Anmäl dialog", "Filter", "Tidslinje", "Lista", "Föregående månad"):
            assert words in text
        await pilot.press("escape")
        assert isinstance(app.screen, CalendarScreen)


async def test_every_screen_action_is_in_the_command_palette(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await pilot.pause()
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {
            "Anmäl dialog",
            "Filter",
            "Månad",
            "Tidslinje",
            "Lista",
            "I dag",
            "Avsluta",
        } <= titles


async def test_notifications_show_user_text_literally(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        app.notify("Sparade ”[bold]Rubrik[/]”.")
        await pilot.pause()
        toast = app.screen.query_one("Toast")
        assert "[bold]Rubrik[/]" in widget_text(toast)


async def test_changes_by_another_user_appear_without_a_key_pressed(db_path: Path) -> None:
    from dialogtui.widgets.initiative_table import InitiativeTable as Table

    mine = Store(db_path, user="anna")
    app = make_app(mine)
    async with app.run_test(notifications=True, size=(100, 30)) as pilot:
        await pilot.press("3")
        await calendar_read(pilot)
        assert app.screen.query_one(Table).row_count == 0
        Store(db_path, user="bo").create_initiative(make_initiative(title="Bos nya dialog"))
        # The app polls the file every POLL_SECONDS; the change shows at the next poll.
        await wait_for(pilot, lambda: app.screen.query_one(Table).row_count == 1)
        assert "Bos nya dialog" in widget_text(app.screen.query_one(Table))
        assert any("bo: skapade" in str(n.message) for n in app._notifications)


@pytest.mark.parametrize("blink", [True, False])
async def test_the_cursor_blinks_for_users_and_stands_still_in_tests(
    store: Store, blink: bool
) -> None:
    from textual.widgets import Input

    app = DialogApp(store, today=TODAY, cursor_blink=blink)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.focused, Input))
        assert isinstance(app.focused, Input) and app.focused.cursor_blink is blink
    assert make_app(store)._cursor_blink is False  # snapshots never catch a blink half-way
