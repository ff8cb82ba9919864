"""Helpers for driving the TUI in tests: an app on a fixed day, waiting for what the user would
see, and reading what a widget shows."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from textual import events
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget

from dialogtui.app import DialogApp
from dialogtui.store import Store
from tests.conftest import TODAY

FIXED_NOW = datetime(2026, 11, 24, 9, 30, tzinfo=ZoneInfo("Europe/Stockholm"))
# Only a broken app waits this long. A loaded 2-core machine may need many seconds: six keys
# typed ahead, which build a form, close it and build another, took 5-8 s beside two busy
# processes, and more than 15 s once (the other xdist worker was running mypy, say).
WAIT_SECONDS = 30.0


def fixed_store(path: Path, user: str = "anna", busy_timeout: float | None = None) -> Store:
    """A store whose clock stands still, so that histories in screenshots never change.

    `busy_timeout` shortens how long a save waits for another's write lock before it fails.
    """
    if busy_timeout is None:
        return Store(path, user=user, clock=lambda: FIXED_NOW)
    return Store(path, user=user, clock=lambda: FIXED_NOW, busy_timeout=busy_timeout)


def make_app(store: Store) -> DialogApp:
    """The app as tests see it: a fixed today, one theme, and no blinking cursor to catch."""
    return DialogApp(store, today=TODAY, theme="textual-dark", cursor_blink=False)


async def wait_for(
    pilot: Pilot[Any],
    condition: Callable[[], object],
    timeout: float = WAIT_SECONDS,
    what: str = "",
) -> None:
    """Let the app run until `condition` holds, instead of sleeping for a guessed while."""
    deadline = time.monotonic() + timeout
    await pilot.pause()
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(
                f"waited {timeout:.0f} s in vain for {what or condition}; {app_state(pilot.app)}"
            )
        await pilot.pause(0.02)


def record_notifications(app: DialogApp) -> list[str]:
    """Every message the app notifies from now on; a toast expires, this list keeps them."""
    said: list[str] = []
    notify = app.notify

    def recording(message: object, **options: Any) -> None:
        said.append(str(message))
        notify(message, **options)

    app.notify = recording  # type: ignore[method-assign]
    return said


def app_state(app: Any) -> str:
    """Where the app is, for a failure message: its screens, the focus, the latest news."""
    screens = " > ".join(type(s).__name__ for s in app.screen_stack)
    news = [str(n.message) for n in list(app._notifications)[-3:]]
    return f"screens {screens}; focus {app.focused!r}; notifications {news}"


def _shape(app: Any) -> tuple[object, ...]:
    """What a key can change that the next key depends on: the screen, its widgets, the focus."""
    screen = app.screen
    return (screen, len(app.screen_stack), len(list(screen.walk_children())), app.focused)


async def settle_screen(pilot: Pilot[Any]) -> None:
    """Let the app process what a key set off, until the screen and the focus stop changing.

    A key that opens a screen has it composed and focused over several rounds of messages; on a
    loaded machine `pilot.press` could send the next key before the new screen had the focus,
    or before it had been drawn once.
    """
    for _ in range(100):
        before = _shape(pilot.app)
        await pilot._wait_for_screen()
        if _shape(pilot.app) == before:
            break
    # What the screen put off until it was drawn (the form notes its unchanged values then).
    # An app that is ending draws nothing more: Avsluta closes the screens.
    app, drawn = pilot.app, asyncio.Event()
    if app.return_code is not None or not app.screen.call_after_refresh(drawn.set):
        return
    deadline = time.monotonic() + WAIT_SECONDS
    while not drawn.is_set() and app.return_code is None:
        if time.monotonic() > deadline:
            raise AssertionError(f"the screen was not drawn; {app_state(app)}")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(drawn.wait(), 0.05)
    await pilot._wait_for_screen()


def under_way(app: Any) -> list[str]:
    """What the app has set off and not yet finished: its workers, and the saves asked for."""
    from textual.worker import WorkerState

    busy = [
        w.name or w.description
        for w in app.workers
        if w.state in (WorkerState.PENDING, WorkerState.RUNNING)
    ]
    if isinstance(app, DialogApp) and app.is_saving():
        busy.append("saves")
    return busy


async def settle(pilot: Pilot[Any], timeout: float = WAIT_SECONDS) -> None:
    """Wait until what the app set off has run its course and its news is on the screen.

    A worker's news often sets off more: the overlap search answers and the page reads again
    in another worker; a save lands and the screens re-read. `workers.wait_for_complete()`
    waits only for the workers already started, so a test that looked right after it read
    the screen before the second worker had answered, on a loaded machine. Here nothing may
    be under way for two rounds of messages in a row (the second round sees what the news of
    the first set off).
    """
    app = pilot.app
    deadline = time.monotonic() + timeout
    # The calendar asks for its reads after a frame, and for a page when it draws its rows.
    await calendar_read(pilot)
    calm = 0
    while calm < 2:
        await pilot.pause()
        busy = under_way(app)
        if not busy:
            calm += 1
            continue
        calm = 0
        if time.monotonic() > deadline:
            raise AssertionError(
                f"waited {timeout:.0f} s in vain for the app to finish {busy}; {app_state(app)}"
            )
        await pilot.pause(0.02)


async def type_text(pilot: Pilot[Any], text: str) -> None:
    """Type `text` as a quick typist would: key after key, without the pauses of `pilot.press`.

    `pilot.press` waits for the app to go idle after every key (some 40 ms each), which made a
    test that types many names slow. The keys take the same path as the terminal's.
    """
    for character in text:
        key = character
        if not character.isalnum():
            key = unicodedata.name(character).lower().replace("-", "_").replace(" ", "_")
        pilot.app.post_message(events.Key(key, character))
    await pilot.pause()


def widget_text(widget: Widget) -> str:
    """The characters a widget paints, line by line, as the user would read them."""
    # The widget's full box, padding included: render_lines paints in those coordinates.
    region = Region(0, 0, widget.region.width, widget.region.height)
    return "\n".join(strip.text for strip in widget.render_lines(region))


def screen_text(app: DialogApp) -> str:
    """Everything visible on the current screen, top to bottom."""
    return "\n".join(widget_text(w) for w in app.screen.walk_children(Widget) if w.display)


async def wait_until(
    pilot: Pilot[None],
    condition: Callable[[], object],
    what: str = "",
    timeout: float = WAIT_SECONDS,
) -> None:
    """`wait_for` with `what` before `timeout`, as the save tests call it."""
    await wait_for(pilot, condition, timeout, what)


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
    await settle(pilot)


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


async def calendar_read(pilot: Pilot[Any]) -> None:
    """Wait until the calendar's reads, which run in workers, have answered and are shown."""
    from dialogtui.screens.calendar import CalendarScreen

    screen = next((s for s in pilot.app.screen_stack if isinstance(s, CalendarScreen)), None)
    if screen is not None and pilot.app.return_code is None:
        await wait_for(pilot, lambda: not screen.reading, what="the calendar's reads")
