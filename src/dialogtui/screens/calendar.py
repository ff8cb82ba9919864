"""The regional dialogue calendar: month, year timeline and list, under one shared filter.

Every read the calendar makes runs in a worker (a text filter costs 80-160 ms at 10,000
initiatives, the dense month 15 ms: `bench/ui_reads_bench.py`). Each request is numbered and the
latest wins; until its answer comes the screen keeps what it shows, or says "Hämtar …" where it
has nothing yet, and keys keep working.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.reactive import var
from textual.screen import Screen
from textual.strip import Strip
from textual.widgets import ContentSwitcher, Header, Static
from textual.worker import get_current_worker

from dialogtui.calendar_math import DayActivity, day_activity, week_counts, year_weeks
from dialogtui.dates import format_day, swedish_holidays
from dialogtui.domain import InitiativeSummary
from dialogtui.filters import Filter
from dialogtui.process import progress
from dialogtui.screens.base import DataChanged, DialogAppMixin
from dialogtui.widgets import initiative_table, timeline
from dialogtui.widgets.footer import Footer
from dialogtui.widgets.initiative_table import InitiativeTable
from dialogtui.widgets.month import MonthView
from dialogtui.widgets.paged_rows import LOADING, PAGE, PagedRows
from dialogtui.widgets.timeline import GROUPING_LABELS, GROUPINGS, TimelineRow, TimelineRows
from dialogtui.words import term

VIEWS = ("month", "timeline", "list")
VIEW_LABELS = {"month": "Månad", "timeline": "Tidslinje", "list": "Lista"}


WARNING = "⚠ "
NO_DAY_ROWS = "Inga initiativ den här dagen."
# Rows a page-in-sight guess covers below the top: more than the tallest terminal shows.
SIGHT = 80

# A read for the calendar: runs on a worker's thread, returns what shows its answer (on the UI
# thread). Only the store, never a widget, is touched while reading.
Read = Callable[[], Callable[[], None]]


def _summary_line(item: InitiativeSummary, day: date, warn: bool) -> Text:
    marks = []
    if item.start == day:
        marks.append("▶")
    if item.end == day:
        marks.append("■")
    if item.deadline == day:
        marks.append("!")
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{''.join(marks):<2} ")
    if warn:
        text.append(WARNING, "bold")
    text.append(item.title, "bold")
    text.append(f"  {item.unit} · {item.method.label} · {item.stage.label}")
    return text


class DayList(PagedRows[InitiativeSummary]):
    """The selected day's initiatives, with what happens to each that day."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, empty_text=NO_DAY_ROWS)
        self.day = date.min

    def render_row(self, row: InitiativeSummary, width: int) -> Text:
        return _summary_line(row, self.day, row.id in self.warn_ids)

    def render_line(self, y: int) -> Strip:
        # It has no scrollbar (see app.tcss); while the grid has the keys, its last line says
        # how many more there are. Drawn here, it is right at every height and in every frame.
        height = self.scrollable_content_region.height
        hidden = self.row_count - (self.scroll_offset.y + height) + 1
        if y == height - 1 and hidden > 1 and not self.has_focus:
            return self.note_line(f"   ↓ {hidden} till: Enter och ↓", self.size.width)
        return super().render_line(y)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()


class CalendarScreen(DialogAppMixin, Screen[None]):
    """The screen the app opens on."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # First, so that a narrow key bar keeps them: registering and the overlaps are what the
        # calendar is for; Help lists the keys a narrow bar leaves out.
        Binding("n", "new", term("register"), id="new"),
        Binding("o", "app.show_overlaps", "Överlapp", id="overlaps"),
        Binding("1", "view('month')", "Månad", id="view-month"),
        Binding("2", "view('timeline')", "Tidslinje", id="view-timeline"),
        Binding("3", "view('list')", "Lista", id="view-list"),
        Binding("slash", "filter", "Filter", id="filter"),
        Binding("x", "clear_filter", "Rensa filter", id="clear-filter", show=False),
        Binding("t", "today", "I dag", id="today", show=False),
        Binding("l", "app.lessons", "Lärdomar", id="lessons", show=False),
        Binding("r", "app.report", "Årsrapport", id="report", show=False),
        Binding("a", "app.inbox", "Anmälningar", id="inbox", show=False),
        Binding("v", "app.settings", "Vilotid och spärrar", id="settings", show=False),
        Binding("E", "app.export", "Exportera", id="export", show=False),
        Binding("g", "grouping", "Gruppera", id="grouping", show=False),
        Binding("s", "sort", "Sortera", id="sort", show=False),
        Binding("left", "year(-1)", "Föregående år", id="year-prev", show=False),
        Binding("right", "year(1)", "Nästa år", id="year-next", show=False),
    ]

    # init=False: the first load is on_mount's, not one per watcher.
    view: var[str] = var("month", init=False)
    where: var[Filter] = var(Filter, init=False)
    grouping: var[str] = var("initiative", init=False)
    sort: var[str] = var("start", init=False)

    def __init__(self, today: date) -> None:
        super().__init__()
        self.today = today
        self.year = today.year
        self._holidays: dict[date, str] = {}
        self.warn_ids: set[int] = set()
        self._holiday_years: set[int] = set()
        # Reads are numbered; an answer to any but the latest is dropped (see `_ask`).
        self._asked = 0
        self._answered = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="filter-line")
        with ContentSwitcher(initial="month"), Vertical(id="month"):
            yield MonthView(self.today, id="month-grid")
            yield Static(id="day-title")
            yield DayList(id="day-list")
        yield Footer()

    def on_mount(self) -> None:
        grid = self.query_one(MonthView)
        grid.today = self.today
        grid.loader = self._load_month
        self.watch(grid, "selected", self._day_changed, init=False)
        self.watch(self.app, "overlap_state", self._overlaps_changed, init=False)
        self.call_after_refresh(self._first_load)

    def _first_load(self) -> None:
        self.reload()
        # Overlaps are sought once the calendar has its first frame, so as not to delay it.
        self.call_after_refresh(self.dialog_app.refresh_overlaps)

    # -- state → screen --

    async def watch_view(self, view: str) -> None:
        await self._build_view(view)
        self.query_one(ContentSwitcher).current = view
        self.reload()
        focus = {"month": "#month-grid", "timeline": "#timeline-rows", "list": "#list-rows"}
        self.query_one(focus[view]).focus()

    async def _build_view(self, view: str) -> None:
        """Build the timeline or the list when first shown: the first frame needs the month only,
        and each widget less is less to style and lay out before it."""
        if view == "month" or self.query(f"#{view}"):
            return
        rows: TimelineRows | InitiativeTable
        if view == "timeline":
            rows = TimelineRows(id="timeline-rows")
        else:
            rows = InitiativeTable(id="list-rows")
        rows.warn_ids = self.warn_ids
        rows.waiting = True  # "Hämtar …" until its first answer
        container = Vertical(rows, id=view)
        container.display = False  # until the switcher makes it current
        await self.query_one(ContentSwitcher).mount(container)

    def watch_where(self) -> None:
        self.reload()

    def watch_grouping(self) -> None:
        self.reload()

    def watch_sort(self) -> None:
        self.reload()

    @property
    def reading(self) -> bool:
        """Whether a read is on its way: the view, or one of its pages."""
        if self._answered != self._asked:
            return True
        if self.view == "month" and self.query_one(MonthView).reading:
            return True  # before the first read is asked for
        return any(rows.reading for rows in self.query(PagedRows))

    def _ask(self, read: Read) -> None:
        """Run `read` in the calendar's worker; its answer is shown unless a newer one is asked."""
        self._asked += 1
        self._read(self._asked, read)

    # Not `exclusive`: cancelling a thread does not stop its query, and a cancelled worker
    # makes `workers.wait_for_complete` raise; the numbers decide which answer is shown.
    @work(thread=True, exit_on_error=False, group="calendar")
    def _read(self, number: int, read: Read) -> None:
        if number != self._asked:
            return  # replaced before it began: keys typed ahead (PageDown held down)
        show = read()
        if number == self._asked and not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._answer, number, show)

    def _answer(self, number: int, show: Callable[[], None]) -> None:
        if number != self._asked:
            return  # a newer read is on its way: this one's answer is out of date
        self._answered = number
        show()

    @on(PagedRows.PageWanted)
    def _page_wanted(self, event: PagedRows.PageWanted) -> None:
        self._read_page(event.rows, event.generation, event.page, event.rows.fetcher)

    @work(thread=True, exit_on_error=False, group="calendar-pages")
    def _read_page(
        self,
        rows: PagedRows[Any],
        generation: int,
        page: int,
        fetch: Callable[[int, int], Sequence[Any]],
    ) -> None:
        found = fetch(page * PAGE, PAGE)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(rows.page_loaded, generation, page, found)

    @staticmethod
    def _pages_in_sight(rows: PagedRows[Any]) -> list[int]:
        """The pages a view will draw first: those at its scroll position and its cursor."""
        top = int(rows.scroll_offset.y)
        return sorted({top // PAGE, (top + SIGHT) // PAGE, rows.cursor // PAGE})

    def reload(self) -> None:
        """Read what the visible view shows, in the background; on every key that needs it."""
        self._show_filter_line()
        if self.view == "month":
            self._load_month()
        elif self.view == "timeline":
            self._load_timeline()
        else:
            self._load_list()
        self.refresh_bindings()

    def _show_filter_line(self) -> None:
        view = VIEW_LABELS[self.view]
        extra = ""
        if self.view == "timeline":
            extra = f" · {self.year} · {GROUPING_LABELS[self.grouping]}"
        elif self.view == "list":
            extra = f" · sorterad efter {initiative_table.SORT_LABELS[self.sort]}"
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(f"{view}{extra}", "bold")
        line.append("  Filter: ")
        line.append(self.where.describe(), "" if self.where.is_empty else "bold reverse")
        self.query_one("#filter-line", Static).update(line)

    def _holidays_for(self, years: set[int]) -> dict[date, str]:
        """The holidays known so far; missing years are looked up off the first frame."""
        missing = years - self._holiday_years
        if missing:
            self._holiday_years |= missing
            self._load_holidays(sorted(missing))
        return self._holidays

    @work(thread=True, exit_on_error=False, group="holidays")
    def _load_holidays(self, years: list[int]) -> None:
        # The holidays package takes ~100 ms to import: not worth delaying the first frame for.
        found = swedish_holidays(years)
        self.app.call_from_thread(self._holidays_loaded, found)

    def _holidays_loaded(self, found: dict[date, str]) -> None:
        self._holidays.update(found)
        grid = self.query_one(MonthView)
        grid.show(grid.activity, self._holidays)
        self._show_day(grid.selected)

    def _load_month(self) -> None:
        """Ask for the shown month's activity (on a new month, a filter, a change)."""
        grid = self.query_one(MonthView)
        days, first = grid.visible_days, grid.first
        store, where = self.dialog_app.store, self.where

        def read() -> Callable[[], None]:
            activity = day_activity(store.summaries(where, between=(days[0], days[-1])), days)

            def show() -> None:
                holidays = self._holidays_for({days[0].year, days[-1].year})
                grid.show(activity, holidays, first)
                self._show_day(grid.selected)

            return show

        self._ask(read)
        if grid.reading and grid.activity_month is not None:
            self._show_day(grid.selected)  # "Hämtar …" rather than another month's day

    def _show_day(self, day: date) -> None:
        grid = self.query_one(MonthView)
        activity: DayActivity | None = None if grid.reading else grid.activity.get(day)
        running = activity.running if activity else []
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(format_day(day), "bold")
        title.append(f" · v. {day.isocalendar().week}")
        if day in grid.holidays:
            title.append(f" · {grid.holidays[day]}", "bold")
        if grid.reading:
            title.append(f" · {LOADING}")
        else:
            title.append(f" · {len(running)} initiativ" if running else " · inga initiativ")
        day_list = self.query_one(DayList)
        self.query_one("#day-title", Static).update(title)
        day_list.empty_text = LOADING if grid.reading else NO_DAY_ROWS
        day_list.day = day
        day_list.cursor = 0
        day_list.reset(len(running), lambda offset, limit: running[offset : offset + limit])

    def _load_timeline(self) -> None:
        mondays = year_weeks(self.year)
        rows = self.query_one(TimelineRows)
        today_index = (
            (self.today - mondays[0]).days // 7
            if (mondays[0] <= self.today < mondays[-1] + timedelta(days=7))
            else None
        )
        year, today = self.year, self.today

        def header(width: int) -> Text:
            return timeline.header(year, mondays, today, width)

        period = (mondays[0], mondays[-1] + timedelta(days=6))
        store = self.dialog_app.store
        where, grouping = self.where, self.grouping
        wanted = self._pages_in_sight(rows)

        def fetch(offset: int, limit: int) -> list[TimelineRow]:
            page = store.summaries(where, between=period, offset=offset, limit=limit)
            return [timeline.initiative_row(item, mondays) for item in page]

        def read() -> Callable[[], None]:
            if grouping == "initiative":
                count = store.count_matching(where, between=period)
                pages = {n: fetch(n * PAGE, PAGE) for n in wanted if n * PAGE < count}
                found: Callable[[int, int], Sequence[TimelineRow]] = fetch
            else:
                counts = week_counts(store.spans(where, period, grouping), mondays)
                grouped = [TimelineRow(label, tuple(row)) for label, row in counts.items()]
                count, pages = len(grouped), {}

                def found(offset: int, limit: int) -> Sequence[TimelineRow]:
                    return grouped[offset : offset + limit]

            def show() -> None:
                rows.mondays, rows.today_index = mondays, today_index
                rows.reset(count, found, header, pages=pages, background=True)

            return show

        self._ask(read)

    def _load_list(self) -> None:
        # The checklist catalogue (a TOML file and its parser) loads with the list, not with
        # the month that the first frame shows.

        table = self.query_one(InitiativeTable)
        store = self.dialog_app.store
        where, sort = self.where, self.sort
        wanted = self._pages_in_sight(table)
        # Filled by the reads (on workers' threads) before their page is handed over; a plain
        # dict of this result's own, never a widget.
        shown: dict[int, str] = {}

        def fetch(offset: int, limit: int) -> list[InitiativeSummary]:
            page = store.summaries(where, sort, offset, limit)
            answers = store.checklists([item.id for item in page])
            for item in page:
                done, total = progress(item, answers.get(item.id, {}))["fore"]
                shown[item.id] = f"{done}/{total}"
            return page

        def read() -> Callable[[], None]:
            count = store.count_matching(where)
            pages = {n: fetch(n * PAGE, PAGE) for n in wanted if n * PAGE < count}

            def show() -> None:
                table.progress = shown
                table.reset(
                    count,
                    fetch,
                    lambda width: initiative_table.header(width, sort),
                    pages=pages,
                    background=True,
                )

            return show

        self._ask(read)

    def on_data_changed(self, message: DataChanged) -> None:
        # Every view shows initiatives; the list also each one's "Före" progress.
        change = message.change
        if change.touches("initiative") or (self.view == "list" and change.touches("checklist")):
            self.reload()

    def _overlaps_changed(self) -> None:
        """Mark the initiatives with open overlaps in every view."""
        state = self.dialog_app.overlap_state
        self.warn_ids = state.open_ids if state else set()
        for widget in self.query(PagedRows):
            widget.warn_ids = self.warn_ids
            widget.refresh()

    # -- events --

    def _day_changed(self, day: date) -> None:
        self._show_day(day)

    @on(MonthView.DayChosen)
    def _day_chosen(self) -> None:
        day_list = self.query_one(DayList)
        if day_list.row_count:
            day_list.focus()

    @on(PagedRows.Chosen)
    def _row_chosen(self, event: PagedRows.Chosen) -> None:
        row = event.row
        if isinstance(row, TimelineRow):
            if row.initiative is not None:
                self.dialog_app.open_initiative(row.initiative.id)
            else:
                # A group row stands for several initiatives: say how to reach one of them.
                self.notify(
                    f"{row.label}: välj Per initiativ (g) för att öppna ett initiativ.",
                    timeout=4,
                    markup=False,
                )
        elif isinstance(row, InitiativeSummary):
            self.dialog_app.open_initiative(row.id)

    # -- actions --

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "grouping" or action == "year":
            return self.view == "timeline"
        if action == "sort":
            return self.view == "list"
        if action == "clear_filter":
            return not self.where.is_empty
        return True

    def action_view(self, view: str) -> None:
        self.view = view

    def action_today(self) -> None:
        self.year = self.today.year
        grid = self.query_one(MonthView)
        grid.selected = self.today
        self.reload()

    def action_year(self, delta: int) -> None:
        self.year += delta
        self.reload()

    def action_grouping(self) -> None:
        self.grouping = GROUPINGS[(GROUPINGS.index(self.grouping) + 1) % len(GROUPINGS)]

    def action_sort(self) -> None:
        sorts = initiative_table.SORTS
        self.sort = sorts[(sorts.index(self.sort) + 1) % len(sorts)]

    def action_filter(self) -> None:
        from dialogtui.screens.filter import FilterScreen
        from dialogtui.units import choices

        def apply(result: Filter | None) -> None:
            if result is not None:
                self.where = result

        units = choices(self.dialog_app.registered_units)
        self.app.push_screen(FilterScreen(self.where, units), apply)

    def action_clear_filter(self) -> None:
        self.where = Filter()

    def action_new(self) -> None:
        self.dialog_app.new_initiative()
