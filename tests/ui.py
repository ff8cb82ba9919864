"""Helpers for driving the TUI in tests: an app on a fixed day, and reading what a widget shows."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from time import monotonic
from zoneinfo import ZoneInfo

from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget

from dialogtui.app import DialogApp
from dialogtui.store import Store
from tests.conftest import TODAY

FIXED_NOW = datetime(2026, 11, 24, 9, 30, tzinfo=ZoneInfo("Europe/Stockholm"))


def fixed_store(path: Path, user: str = "anna", busy_timeout: float | None = None) -> Store:
    """A store whose clock stands still, so that histories in screenshots never change.

    `busy_timeout` shortens how long a save waits for another's write lock before it fails.
    """
    if busy_timeout is None:
        return Store(path, user=user, clock=lambda: FIXED_NOW)
    return Store(path, user=user, clock=lambda: FIXED_NOW, busy_timeout=busy_timeout)


def make_app(store: Store) -> DialogApp:
    return DialogApp(store, today=TODAY, theme="textual-dark")


def widget_text(widget: Widget) -> str:
    """The characters a widget paints, line by line, as the user would read them."""
    # The widget's full box, padding included: render_lines paints in those coordinates.
    region = Region(0, 0, widget.region.width, widget.region.height)
    return "\n".join(strip.text for strip in widget.render_lines(region))


def screen_text(app: DialogApp) -> str:
    """Everything visible on the current screen, top to bottom."""
    return "\n".join(widget_text(w) for w in app.screen.walk_children(Widget) if w.display)


async def wait_until(
    pilot: Pilot[None], condition: Callable[[], object], what: str = "", timeout: float = 15.0
) -> None:
    """Let the app run until `condition()` holds; fail, saying `what`, after `timeout` seconds.

    For what happens in a worker or after a poll: never a fixed sleep that is too short on a
    loaded machine and too long everywhere else.
    """
    deadline = monotonic() + timeout
    while not condition():
        if monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s in vain for: {what or condition}")
        await pilot.pause(0.02)


async def wait_for_screen(pilot: Pilot[None], kind: type[object]) -> None:
    """Wait until a screen of this kind is on top and built."""
    app = pilot.app
    await wait_until(
        pilot, lambda: isinstance(app.screen, kind) and app.screen.is_mounted, kind.__name__
    )
    await pilot.pause()


async def saves_settled(pilot: Pilot[None]) -> None:
    """Wait until every save asked for has landed or failed, and the screens have shown it."""
    app = pilot.app
    assert isinstance(app, DialogApp)
    await wait_until(pilot, lambda: not app.is_saving(), "the saves to land")
    await pilot.pause()


async def settled(pilot: Pilot[None]) -> None:
    """Wait for the workers (a form's overlap check, which then asks to save), the saves, what
    they set off (an overlap search), and the screens that show it."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await saves_settled(pilot)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@contextmanager
def write_lock_held(db_path: Path) -> Iterator[sqlite3.Connection]:
    """Another process's writer, as a colleague's large import: holds SQLite's write lock."""
    conn = sqlite3.connect(db_path, isolation_level=None, timeout=0)
    try:
        conn.execute("BEGIN IMMEDIATE")
        yield conn
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()
