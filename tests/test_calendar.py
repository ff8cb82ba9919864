"""The calendar's three views and the shared filter, driven with keys."""

from __future__ import annotations

from datetime import date

from dialogtui.calendar_math import day_activity, week_counts, year_weeks
from dialogtui.dates import month_weeks
from dialogtui.domain import InitiativeSummary, Method, Stage
from dialogtui.screens.calendar import CalendarScreen, DayList
from dialogtui.screens.filter import FilterScreen
from dialogtui.store import Store
from dialogtui.widgets.initiative_table import InitiativeTable
from dialogtui.widgets.month import MonthView
from dialogtui.widgets.timeline import TimelineRows
from tests.factories import make_initiative
from tests.ui import calendar_read, make_app, screen_text, settle, widget_text


def seed(store: Store) -> None:
    store.create_initiatives(
        [
            make_initiative(title="Unga i Halmstad", start="2026-11-20", end="2026-12-04"),
            make_initiative(
                title="Äldre i Varberg",
                unit="Närsjukvården Halland",
                method="survey",
                start="2026-11-02",
                end="2026-11-30",
                deadline="2026-11-24",
                target_groups=[{"municipalities": ["Varberg"], "segments": ["äldre"]}],
            ),
            make_initiative(title="Nästa år", start="2027-03-01", end="2027-03-31"),
        ]
    )


async def test_month_view_shows_weeks_holidays_and_the_days_initiatives(store: Store) -> None:
    seed(store)
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await calendar_read(pilot)
        grid = app.screen.query_one(MonthView)
        text = widget_text(grid)
        assert "november 2026" in text
        assert "v.48" in text and "mån" in text
        assert "24 !1" in text  # the survey's deadline today
        day_list = app.screen.query_one(DayList)
        assert day_list.row_count == 2
        # Arrows move the day; the list follows.
        await pilot.press("right", "right", "right", "right", "right", "right", "right")
        await calendar_read(pilot)
        assert grid.selected == date(2026, 12, 1)
        assert "december 2026" in widget_text(grid)
        assert day_list.row_count == 1
        await pilot.press("t")
        await calendar_read(pilot)
        assert grid.selected == date(2026, 11, 24)
        await pilot.press("pagedown", "pagedown", "pagedown", "pagedown")
        await calendar_read(pilot)
        assert grid.selected == date(2027, 3, 24)
        assert app.screen.query_one(DayList).row_count == 1
        await pilot.press("pageup")
        await calendar_read(pilot)
        assert grid.selected == date(2027, 2, 24)


async def test_swedish_holiday_named_on_its_day(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await pilot.press("pagedown", "right")  # 24 → 25 december
        await calendar_read(pilot)
        await settle(pilot)  # holidays are looked up off the first frame
        assert app.screen.query_one(MonthView).selected == date(2026, 12, 25)
        assert "Juldagen" in widget_text(app.screen.query_one("#day-title"))


async def test_enter_in_the_day_list_opens_the_initiative(store: Store) -> None:
    seed(store)
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await calendar_read(pilot)
        await pilot.press("enter")  # from the month grid into the day's list
        assert app.focused is app.screen.query_one("#day-list")
        await pilot.press("down", "enter")  # the second of the day, by start date
        await pilot.pause()
        assert type(app.screen).__name__ == "InitiativeScreen"
        assert app.screen.sub_title == "Unga i Halmstad"
        await pilot.press("escape")
        assert isinstance(app.screen, CalendarScreen)


async def test_timeline_rows_bars_grouping_and_years(store: Store) -> None:
    seed(store)
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        await calendar_read(pilot)
        rows = app.screen.query_one(TimelineRows)
        assert rows.row_count == 2
        text = widget_text(rows)
        assert "Äldre i Varberg" in text and "█" in text and "!" in text
        await pilot.press("right")
        await calendar_read(pilot)
        assert rows.row_count == 1
        assert "Nästa år" in widget_text(rows)
        await pilot.press("left", "g")
        await calendar_read(pilot)
        assert "per beställare" in widget_text(app.screen.query_one("#filter-line"))
        assert rows.row_count == 2  # two units
        await pilot.press("g")
        await calendar_read(pilot)
        assert "per målgrupp" in widget_text(app.screen.query_one("#filter-line"))
        labels = widget_text(rows)
        assert "unga 13–19 i Halmstad" in labels and "äldre i Varberg" in labels
        await pilot.press("g")
        await calendar_read(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "InitiativeScreen"


async def test_list_sorts_and_opens(store: Store) -> None:
    seed(store)
    app = make_app(store)
    async with app.run_test(notifications=True, size=(120, 30)) as pilot:
        await pilot.press("3")
        await calendar_read(pilot)
        table = app.screen.query_one(InitiativeTable)
        assert table.current is not None and table.current.title == "Äldre i Varberg"
        await pilot.press("s", "s")  # start → slut → titel
        await calendar_read(pilot)
        assert "sorterad efter titel" in widget_text(app.screen.query_one("#filter-line"))
        assert table.current is not None and table.current.title == "Nästa år"
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.screen.sub_title == "Unga i Halmstad"


async def test_filter_narrows_every_view_and_stays_visible(store: Store) -> None:
    seed(store)
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await pilot.press("slash")
        assert isinstance(app.screen, FilterScreen)
        await pilot.press(*"varberg", "enter")
        await pilot.pause()
        await calendar_read(pilot)
        assert isinstance(app.screen, CalendarScreen)
        line = widget_text(app.screen.query_one("#filter-line"))
        assert "text ”varberg”" in line
        assert app.screen.query_one(DayList).row_count == 1
        await pilot.press("2")
        await calendar_read(pilot)
        assert app.screen.query_one(TimelineRows).row_count == 1
        await pilot.press("3")
        await calendar_read(pilot)
        table = app.screen.query_one(InitiativeTable)
        assert table.row_count == 1
        assert "Äldre i Varberg" in screen_text(app)
        assert "text ”varberg”" in widget_text(app.screen.query_one("#filter-line"))
        await pilot.press("x")
        await calendar_read(pilot)
        assert table.row_count == 3
        assert "inget filter" in widget_text(app.screen.query_one("#filter-line"))


async def test_filter_by_method_with_keys(store: Store) -> None:
    seed(store)
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await pilot.press("3", "slash", "tab", "tab", "enter")  # text → unit → method, open
        await pilot.pause()
        await pilot.press("down", "enter", "ctrl+s")  # first choice: enkätundersökning
        await pilot.pause()
        await calendar_read(pilot)
        assert app.screen.query_one(InitiativeTable).row_count == 1
        assert "metod enkätundersökning" in widget_text(app.screen.query_one("#filter-line"))


def summary(start: str, end: str, deadline: str | None = None) -> InitiativeSummary:
    return InitiativeSummary(
        id=1,
        title="x",
        unit="u",
        method=Method.SURVEY,
        stage=Stage.PLANNING,
        start=date.fromisoformat(start),
        end=date.fromisoformat(end),
        deadline=date.fromisoformat(deadline) if deadline else None,
        uses_panel=False,
        groups="",
    )


def test_day_activity_counts_running_starts_ends_and_deadlines() -> None:
    days = [d for week in month_weeks(date(2026, 3, 1)) for d in week]
    activity = day_activity([summary("2026-03-02", "2026-03-04", "2026-03-03")], days)
    assert [len(activity[date(2026, 3, d)].running) for d in (1, 2, 3, 4, 5)] == [0, 1, 1, 1, 0]
    assert activity[date(2026, 3, 2)].starting == 1
    assert activity[date(2026, 3, 4)].ending == 1
    assert activity[date(2026, 3, 3)].deadlines == 1


def test_year_weeks_are_iso_mondays() -> None:
    weeks = year_weeks(2026)
    assert weeks[0] == date(2025, 12, 29)  # v. 1 of 2026
    assert all(monday.weekday() == 0 for monday in weeks)
    assert weeks[-1] == date(2026, 12, 28)
    assert len(year_weeks(2020)) == 53


def test_week_counts_show_collisions_per_key() -> None:
    mondays = year_weeks(2026)
    counts = week_counts(
        [
            ("unga", date(2026, 1, 5), date(2026, 1, 18)),
            ("unga", date(2026, 1, 12), date(2026, 1, 12)),
            ("äldre", date(2025, 12, 1), date(2026, 1, 1)),
        ],
        mondays,
    )
    assert list(counts) == ["unga", "äldre"]
    assert counts["unga"][:4] == [0, 1, 2, 0]
    assert counts["äldre"][:2] == [1, 0]


async def test_the_day_list_says_how_many_more_there_are_below(store: Store) -> None:
    for number in range(9):
        store.create_initiative(
            make_initiative(title=f"Dialog {number}", start="2026-11-20", end="2026-11-30")
        )
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await calendar_read(pilot)
        day_list = app.screen.query_one("#day-list")
        shown = day_list.size.height - 1  # the last line is the note
        assert f"↓ {9 - shown} till: Enter och ↓" in widget_text(day_list)
        await pilot.press("enter")  # into the list: every line is a row again
        await pilot.pause()
        assert "till: Enter" not in widget_text(day_list)
