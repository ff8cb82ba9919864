"""The regional dialogue calendar: month, year timeline and list, under one shared filter."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from dialogtui.calendar_math import day_activity, week_counts, year_weeks
from dialogtui.dates import format_day, swedish_holidays
from dialogtui.filters import Filter
from dialogtui.models import InitiativeSummary
from dialogtui.widgets import initiative_table, timeline
from dialogtui.widgets.initiative_table import InitiativeTable
from dialogtui.widgets.month import MonthView
from dialogtui.widgets.paged_rows import PagedRows
from dialogtui.widgets.timeline import GROUPING_LABELS, GROUPINGS, TimelineRow, TimelineRows

if TYPE_CHECKING:
    from dialogtui.app import DialogApp

VIEWS = ("month", "timeline", "list")
VIEW_LABELS = {"month": "Månad", "timeline": "Tidslinje", "list": "Lista"}


def _summary_line(item: InitiativeSummary, day: date, width: int) -> Text:
    marks = []
    if item.start == day:
        marks.append("▶")
    if item.end == day:
        marks.append("■")
    if item.deadline == day:
        marks.append("!")
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{''.join(marks):<2} ")
    text.append(item.title, "bold")
    text.append(f"  {item.unit} · {item.method.label} · {item.stage.label}")
    # OptionList wraps long prompts; one line per initiative keeps the day readable.
    text.truncate(max(10, width), overflow="ellipsis")
    return text


class CalendarScreen(Screen[None]):
    """The screen the app opens on."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "view('month')", "Månad", id="view-month"),
        Binding("2", "view('timeline')", "Tidslinje", id="view-timeline"),
        Binding("3", "view('list')", "Lista", id="view-list"),
        Binding("slash", "filter", "Filter", id="filter"),
        Binding("x", "clear_filter", "Rensa filter", id="clear-filter", show=False),
        Binding("n", "new", "Ny", id="new"),
        Binding("t", "today", "Idag", id="today", show=False),
        Binding("g", "grouping", "Gruppera", id="grouping", show=False),
        Binding("s", "sort", "Sortera", id="sort", show=False),
        Binding("left", "year(-1)", "Föregående år", id="year-prev", show=False),
        Binding("right", "year(1)", "Nästa år", id="year-next", show=False),
    ]

    view: var[str] = var("month")
    where: var[Filter] = var(Filter)
    grouping: var[str] = var("initiative")
    sort: var[str] = var("start")

    def __init__(self, today: date) -> None:
        super().__init__()
        self.today = today
        self.year = today.year
        self._holidays: dict[date, str] = {}
        self._holiday_years: set[int] = set()

    @property
    def dialog_app(self) -> DialogApp:
        return cast("DialogApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="filter-line")
        with ContentSwitcher(initial="month"):
            with Vertical(id="month"):
                yield MonthView(self.today, id="month-grid")
                yield Static(id="day-title")
                yield OptionList(id="day-list")
            with Vertical(id="timeline"):
                yield TimelineRows(id="timeline-rows")
            with Vertical(id="list"):
                yield InitiativeTable(id="list-rows")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(MonthView).today = self.today
        self.call_after_refresh(self.reload)

    # -- state → screen --

    def watch_view(self, view: str) -> None:
        self.query_one(ContentSwitcher).current = view
        self.reload()
        focus = {"month": "#month-grid", "timeline": "#timeline-rows", "list": "#list-rows"}
        self.query_one(focus[view]).focus()

    def watch_where(self) -> None:
        self.reload()

    def watch_grouping(self) -> None:
        self.reload()

    def watch_sort(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read what the visible view shows; cheap enough to do on every keypress that needs it."""
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
            extra = f" · sorterad på {initiative_table.SORT_LABELS[self.sort]}"
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(f"{view}{extra}", "bold")
        line.append("  Filter: ")
        line.append(self.where.describe(), "" if self.where.is_empty else "bold reverse")
        self.query_one("#filter-line", Static).update(line)

    def _holidays_for(self, years: set[int]) -> dict[date, str]:
        missing = years - self._holiday_years
        if missing:
            self._holidays.update(swedish_holidays(sorted(missing)))
            self._holiday_years |= missing
        return self._holidays

    def _load_month(self) -> None:
        grid = self.query_one(MonthView)
        days = grid.visible_days
        store = self.dialog_app.store
        found = store.summaries(self.where, between=(days[0], days[-1]))
        holidays = self._holidays_for({days[0].year, days[-1].year})
        grid.show(day_activity(found, days), holidays)
        self._show_day(grid.selected)

    def _show_day(self, day: date) -> None:
        grid = self.query_one(MonthView)
        activity = grid.activity.get(day)
        running = activity.running if activity else []
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(format_day(day), "bold")
        title.append(f" · v. {day.isocalendar().week}")
        if day in grid.holidays:
            title.append(f" · {grid.holidays[day]}", "bold")
        title.append(f" · {len(running)} initiativ" if running else " · inga initiativ")
        self.query_one("#day-title", Static).update(title)
        day_list = self.query_one("#day-list", OptionList)
        day_list.clear_options()
        width = (day_list.scrollable_content_region.width or self.size.width) - 2
        day_list.add_options(
            Option(_summary_line(item, day, width), id=str(item.id)) for item in running
        )
        if running:
            day_list.highlighted = 0

    def _load_timeline(self) -> None:
        mondays = year_weeks(self.year)
        rows = self.query_one(TimelineRows)
        rows.mondays = mondays
        rows.today_index = (
            (self.today - mondays[0]).days // 7
            if (mondays[0] <= self.today < mondays[-1] + timedelta(days=7))
            else None
        )
        year, today = self.year, self.today

        def header(width: int) -> Text:
            return timeline.header(year, mondays, today, width)

        period = (mondays[0], mondays[-1] + timedelta(days=6))
        store = self.dialog_app.store
        where = self.where
        if self.grouping == "initiative":
            count = store.count_matching(where, between=period)

            def fetch(offset: int, limit: int) -> list[TimelineRow]:
                page = store.summaries(where, between=period, offset=offset, limit=limit)
                return [timeline.initiative_row(item, mondays) for item in page]

            rows.reset(count, fetch, header)
        else:
            counts = week_counts(store.spans(where, period, self.grouping), mondays)
            grouped = [TimelineRow(label, tuple(row)) for label, row in counts.items()]
            rows.reset(len(grouped), lambda offset, limit: grouped[offset : offset + limit], header)

    def _load_list(self) -> None:
        table = self.query_one(InitiativeTable)
        store = self.dialog_app.store
        where, sort = self.where, self.sort
        table.reset(
            store.count_matching(where),
            lambda offset, limit: store.summaries(where, sort, offset, limit),
            lambda width: initiative_table.header(width, sort),
        )

    # -- events --

    @on(MonthView.DayChanged)
    def _day_changed(self, event: MonthView.DayChanged) -> None:
        if event.month_changed:
            self._load_month()
        else:
            self._show_day(event.day)

    @on(MonthView.DayChosen)
    def _day_chosen(self) -> None:
        day_list = self.query_one("#day-list", OptionList)
        if day_list.option_count:
            day_list.focus()

    @on(OptionList.OptionSelected, "#day-list")
    def _day_item_chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.dialog_app.open_initiative(int(event.option.id))

    @on(PagedRows.Chosen)
    def _row_chosen(self, event: PagedRows.Chosen) -> None:
        row = event.row
        if isinstance(row, TimelineRow):
            if row.initiative is not None:
                self.dialog_app.open_initiative(row.initiative.id)
            else:
                # A group row: narrow the list to it, which is what the coordinator asks next.
                self.notify(
                    Text(f"{row.label}: välj Per initiativ (g) för att öppna ett initiativ."),
                    timeout=4,
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

        def apply(result: Filter | None) -> None:
            if result is not None:
                self.where = result

        self.app.push_screen(FilterScreen(self.where, self.dialog_app.store.units()), apply)

    def action_clear_filter(self) -> None:
        self.where = Filter()

    def action_new(self) -> None:
        self.dialog_app.new_initiative()
