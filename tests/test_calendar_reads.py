"""The calendar reads in workers: a slow read (a text filter at 10,000 initiatives) never holds
up the keys, the latest answer wins, and quitting never waits for another user's write lock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from dialogtui.screens.calendar import CalendarScreen, DayList
from dialogtui.store import Store
from dialogtui.widgets.initiative_table import InitiativeTable
from dialogtui.widgets.month import MonthView
from dialogtui.widgets.paged_rows import LOADING
from dialogtui.widgets.timeline import TimelineRows
from tests.factories import make_initiative
from tests.ui import (
    WAIT_SECONDS,
    calendar_read,
    make_app,
    settle,
    wait_for,
    widget_text,
    write_lock_held,
)

# `units` is the filter's and the form's list, read by the app's worker (`refresh_units`).
READS = ("summaries", "count_matching", "spans", "checklists", "units")


def seed(store: Store) -> None:
    store.create_initiatives(
        [
            make_initiative(title="Unga i Halmstad", start="2026-11-20", end="2026-12-04"),
            make_initiative(
                title="Äldre i Varberg",
                start="2026-11-02",
                end="2026-11-30",
                target_groups=[{"municipalities": ["Varberg"], "segments": ["äldre"]}],
            ),
            make_initiative(title="Nästa år", start="2027-03-01", end="2027-03-31"),
            *(
                make_initiative(title=f"Dialog {n:02}", start="2026-06-01", end="2026-06-10")
                for n in range(40)
            ),
        ]
    )


class Gate:
    """Holds the store's calendar reads that `holds(args)` picks until `open()`, on whatever
    thread they run, and records the threads every read ran on."""

    def __init__(self, store: Store, holds: Callable[[tuple[Any, ...]], bool]) -> None:
        self.holds = holds
        self.opened = threading.Event()
        self.waiting = threading.Event()  # a held read has begun
        self.threads: list[str] = []
        for name in READS:
            setattr(store, name, self._wrap(getattr(store, name)))

    def _wrap(self, read: Callable[..., Any]) -> Callable[..., Any]:
        def gated(*args: Any, **kwargs: Any) -> Any:
            self.threads.append(threading.current_thread().name)
            if self.holds(args + tuple(kwargs.values())):
                self.waiting.set()
                # Bounded: a read on the UI thread would stop the test here, which then fails.
                self.opened.wait(WAIT_SECONDS)
            return read(*args, **kwargs)

        return gated

    def open(self) -> None:
        self.opened.set()


def texted(word: str) -> Callable[[tuple[Any, ...]], bool]:
    """A read under a text filter with `word` in it."""
    return lambda args: any(getattr(a, "text", "") == word for a in args)


def calendar(app: Any) -> CalendarScreen:
    return next(s for s in app.screen_stack if isinstance(s, CalendarScreen))


@contextmanager
def no_reads_on_the_ui_thread(gate: Gate) -> Iterator[None]:
    before = len(gate.threads)
    yield
    on_ui = [t for t in gate.threads[before:] if t == threading.main_thread().name]
    assert not on_ui, f"{len(on_ui)} calendar reads ran on the UI thread"


async def test_a_slow_text_filter_under_a_held_lock_keeps_the_keys_moving(
    store: Store, db_path: Path
) -> None:
    seed(store)
    gate = Gate(store, texted("varberg"))
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await calendar_read(pilot)
        table = app.screen.query_one(InitiativeTable)
        assert table.row_count == 43
        with write_lock_held(db_path), no_reads_on_the_ui_thread(gate):
            await pilot.press("slash", *"varberg", "enter")
            await wait_for(pilot, gate.waiting.is_set, what="the filter's read to begin")
            # The read waits; the screen keeps what it showed, and the keys keep working.
            assert calendar(app).reading
            assert table.row_count == 43
            await pilot.press("down", "down", "down")
            assert table.cursor == 3
            assert "text ”varberg”" in widget_text(app.screen.query_one("#filter-line"))
            gate.open()
            await calendar_read(pilot)
            assert table.row_count == 1
            assert table.current is not None and table.current.title == "Äldre i Varberg"
            # Another view under the same filter, still with the lock held.
            await pilot.press("2")
            await calendar_read(pilot)
            assert app.screen.query_one(TimelineRows).row_count == 1
            await pilot.press("g")  # per unit
            await calendar_read(pilot)
            await pilot.press("g")  # per target group
            await calendar_read(pilot)
            assert "äldre i Varberg" in widget_text(app.screen.query_one(TimelineRows))


async def test_the_filter_and_the_form_offer_the_units_without_reading_on_the_ui_thread(
    store: Store,
) -> None:
    from textual.widgets import Input, OptionList, Select

    from dialogtui.changes import Change

    seed(store)
    gate = Gate(store, lambda args: False)
    app = make_app(store)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        # Registered meanwhile (by a colleague, an import): the next write's news reads again.
        store.create_initiative(make_initiative(unit="Enheten utanför listan"))
        app.data_changed(Change(entities=frozenset({"initiative"})))
        await settle(pilot)
        with no_reads_on_the_ui_thread(gate):
            await pilot.press("slash")
            await settle(pilot)
            app.screen.query_one("#unit", Select).focus()
            await pilot.press("enter")
            await settle(pilot)
            listing = app.screen.query_one(OptionList)
            offered = [
                str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)
            ]
            assert "Enheten utanför listan" in offered
            await pilot.press("escape", "escape")
            await settle(pilot)
            await pilot.press("n", *"Titel", "enter", *"Enheten u")
            unit = app.screen.query_one("#unit", Input)
            await wait_for(pilot, lambda: unit._suggestion != "", what="a suggestion")
            await pilot.press("right")
            assert unit.value == "Enheten utanför listan"
        assert any(t != threading.main_thread().name for t in gate.threads)  # read, elsewhere


async def test_the_latest_filter_wins_over_an_older_answer_that_comes_later(
    store: Store,
) -> None:
    seed(store)
    gate = Gate(store, texted("varberg"))
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await calendar_read(pilot)
        await pilot.press("slash", *"varberg", "enter")
        await wait_for(pilot, gate.waiting.is_set, what="the first filter's read to begin")
        await pilot.press("slash", "ctrl+u", *"nästa", "enter")
        table = app.screen.query_one(InitiativeTable)
        await wait_for(pilot, lambda: table.row_count == 1, what="the second filter's answer")
        # The first read is still out; when its answer comes, it is not shown.
        gate.open()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert table.row_count == 1
        assert table.current is not None and table.current.title == "Nästa år"


async def test_a_new_month_says_it_is_being_read_and_the_arrows_keep_moving(
    store: Store,
) -> None:
    seed(store)
    march = (date(2027, 3, 1), date(2027, 4, 4))  # the grid of March 2027
    gate = Gate(store, lambda args: any(a == march for a in args))
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await calendar_read(pilot)
        grid = app.screen.query_one(MonthView)
        with no_reads_on_the_ui_thread(gate):
            await pilot.press("pagedown", "pagedown", "pagedown", "pagedown")
            await wait_for(pilot, gate.waiting.is_set, what="March's read to begin")
            assert grid.selected == date(2027, 3, 24)
            # No other month's counts on March's grid, and no "no initiatives" either.
            assert f"mars 2027  {LOADING}" in widget_text(grid)
            assert "●1" not in widget_text(grid)
            assert LOADING in widget_text(app.screen.query_one("#day-title"))
            assert LOADING in widget_text(app.screen.query_one(DayList))
            await pilot.press("right")
            assert grid.selected == date(2027, 3, 25)
            gate.open()
            await calendar_read(pilot)
            assert LOADING not in widget_text(grid)
            assert "●1" in widget_text(grid)
            assert "1 initiativ" in widget_text(app.screen.query_one("#day-title"))
            assert app.screen.query_one(DayList).row_count == 1


async def test_rows_beyond_the_first_page_are_read_in_the_background(store: Store) -> None:
    store.create_initiatives(
        [
            make_initiative(title=f"Dialog {n:03}", start="2026-06-01", end="2026-06-10")
            for n in range(250)
        ]
    )
    gate = Gate(store, lambda args: any(a == 200 for a in args))  # the offset of page 3
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await calendar_read(pilot)
        table = app.screen.query_one(InitiativeTable)
        with no_reads_on_the_ui_thread(gate):
            await pilot.press("end")
            await wait_for(pilot, gate.waiting.is_set, what="the last page's read to begin")
            assert table.cursor == 249 and table.current is None
            assert LOADING in widget_text(table)
            await pilot.press("up")
            assert table.cursor == 248
            gate.open()
            await calendar_read(pilot)
            assert table.current is not None and table.current.title == "Dialog 248"
            assert "Dialog 249" in widget_text(table)


async def test_quitting_under_another_users_lock_does_not_wait_for_it(
    store: Store, db_path: Path
) -> None:
    app = make_app(store)
    goodbyes: list[tuple[str, float, bool]] = []
    end_session = store.end_session

    def timed_end_session(session_id: int | None) -> bool:
        began = time.perf_counter()
        said = end_session(session_id)
        goodbyes.append((threading.current_thread().name, time.perf_counter() - began, said))
        return said

    store.end_session = timed_end_session  # type: ignore[method-assign]
    with ExitStack() as held:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.session_id is not None, what="the first heartbeat")
            session = app.session_id
            held.enter_context(write_lock_held(db_path))  # until the app has ended
            await pilot.press("ctrl+q")
    (thread, took, said), *_ = goodbyes
    assert thread == threading.main_thread().name
    # With a busy timeout the goodbye would have waited a second (PRESENCE_TIMEOUT_S).
    assert took < 0.5 and said is False
    # The session was left to go stale; without the lock, the goodbye deletes it.
    assert store.end_session(session) is True


def test_a_goodbye_never_waits_behind_a_heartbeat(store: Store) -> None:
    session = store.beat(None)
    # A heartbeat on another thread, waiting for a colleague's lock, holds presence's lock.
    with store._presence_lock:
        began = time.perf_counter()
        assert store.end_session(session) is False
        assert time.perf_counter() - began < 0.5
    assert store.end_session(session) is True
