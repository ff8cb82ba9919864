"""A Monday-first month grid with ISO week numbers, holidays, today and per-day activity."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from dialogtui.calendar_math import DayActivity
from dialogtui.dates import MONTHS, WEEKDAYS_SHORT, add_months, month_weeks
from dialogtui.widgets.cells import fit

WEEK_COLUMN = 5
# A tall terminal gives each day lines of its initiatives' titles, up to this many; the rest of
# the screen (title, filter, the day's list, footer) keeps at least RESERVED_LINES.
TITLE_LINES_MAX = 6
RESERVED_LINES = 17
LEGEND = "● pågår  ▶ börjar  ■ slutar  ! tidsfrist  röd: helgdag"
LOADING = "Hämtar …"


class MonthView(Widget, can_focus=True):
    """The month of `selected`; arrows move the selected day, PageUp/PageDown the month."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "move(-1)", "Föregående dag", show=False),
        Binding("right", "move(1)", "Nästa dag", show=False),
        Binding("up", "move(-7)", "Föregående vecka", show=False),
        Binding("down", "move(7)", "Nästa vecka", show=False),
        Binding("pageup", "month(-1)", "Föregående månad", id="month-prev", show=False),
        Binding("pagedown", "month(1)", "Nästa månad", id="month-next", show=False),
        Binding("enter", "choose_day", "Dagens initiativ", id="day", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "month--title",
        "month--weekday",
        "month--week",
        "month--other",
        "month--holiday",
        "month--today",
        "month--selected",
        "month--deadline",
        "month--legend",
    }
    DEFAULT_CSS = """
    MonthView {
        height: auto;
        & > .month--title { text-style: bold; }
        & > .month--weekday { color: $text-muted; }
        & > .month--week { color: $text-muted; }
        & > .month--other { color: $text-disabled; }
        /* 16 colours have no grey to mute with: the terminal's own dim does it. */
        &:ansi > .month--other, &:ansi > .month--weekday, &:ansi > .month--week,
        &:ansi > .month--legend { text-style: dim; }
        & > .month--holiday { color: $text-error; }
        & > .month--today { text-style: bold reverse; }
        & > .month--selected { background: $block-cursor-blurred-background; }
        &:focus > .month--selected {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
        }
        & > .month--deadline { color: $text-warning; text-style: bold; }
        & > .month--legend { color: $text-muted; }
    }
    """

    # Watched by the screen (synchronously, so that the grid and the day's list change in one
    # frame); only a new month can change the grid's height.
    selected: reactive[date] = reactive(date(2000, 1, 1))

    def __init__(self, selected: date, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_reactive(MonthView.selected, selected)
        self.today = selected
        self.activity: dict[date, DayActivity] = {}
        # Lines of titles under each day, set by the layout from the screen's height.
        self._titles = 0
        self.holidays: dict[date, str] = {}
        # The first day of the month that `activity` was read for; None before the first.
        self.activity_month: date | None = None
        # Set by the screen: asks for the shown month's data, which is read off the UI thread
        # and handed to `show`. Until it comes the grid shows no counts (and says "Hämtar …"),
        # so that no frame ever shows one month's grid with another month's counts.
        self.loader: Callable[[], None] | None = None

    @property
    def first(self) -> date:
        return self.selected.replace(day=1)

    @property
    def visible_days(self) -> list[date]:
        return [day for week in month_weeks(self.first) for day in week]

    @property
    def reading(self) -> bool:
        """Whether the shown month's activity is still being read."""
        return self.activity_month != self.first

    def show(
        self,
        activity: dict[date, DayActivity],
        holidays: dict[date, str],
        month: date | None = None,
    ) -> None:
        """Show `activity`, read for the month of `month` (by default, the one it was read for)."""
        self.activity = activity
        self.holidays = holidays
        if month is not None:
            self.activity_month = month.replace(day=1)
        self.refresh(layout=True)

    def watch_selected(self, old: date, new: date) -> None:
        month_changed = (old.year, old.month) != (new.year, new.month)
        if month_changed and self.loader is not None:
            self.loader()
        # A layout pass paints the grid a second time; only a different number of weeks needs it.
        weeks = len(month_weeks(old.replace(day=1)))
        self.refresh(layout=month_changed and weeks != len(month_weeks(self.first)))

    class DayChosen(Message):
        """Enter on a day: the screen moves on to that day's initiatives."""

    def action_choose_day(self) -> None:
        self.post_message(self.DayChosen())

    def action_move(self, days: int) -> None:
        self.selected = self.selected + timedelta(days=days)

    def action_month(self, months: int) -> None:
        target = add_months(self.selected, months)
        # Keep the day of month where the new month has it (31 March → 30 April).
        last = (add_months(target, 1) - timedelta(days=1)).day
        self.selected = target.replace(day=min(self.selected.day, last))

    @staticmethod
    def title_lines(height: int, weeks: int) -> int:
        """Lines of titles under each day when the screen is `height` lines tall: none at 24."""
        room = height - RESERVED_LINES - 3 - 2 * weeks
        return max(0, min(TITLE_LINES_MAX, room // weeks))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        weeks = len(month_weeks(self.first))
        self._titles = self.title_lines(viewport.height, weeks)
        return 2 + (2 + self._titles) * weeks + 1

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"month--{name}")

    def render(self) -> Text:
        width = self.size.width or 80
        cell = max(7, (width - WEEK_COLUMN) // 7)
        out = Text(no_wrap=True, overflow="crop")
        out.append(f"{MONTHS[self.first.month - 1]} {self.first.year}", self._style("title"))
        if self.reading:
            out.append(f"  {LOADING}", self._style("legend"))
        out.append("\n" + " " * WEEK_COLUMN)
        for name in WEEKDAYS_SHORT:
            out.append(f" {name}".ljust(cell), self._style("weekday"))
        for week in month_weeks(self.first):
            out.append("\n")
            out.append(f"v.{week[0].isocalendar().week:<3}", self._style("week"))
            for day in week:
                out.append_text(self._day_top(day, cell))
            out.append("\n" + " " * WEEK_COLUMN)
            for day in week:
                out.append_text(self._day_bottom(day, cell))
            for line in range(self._titles):
                out.append("\n" + " " * WEEK_COLUMN)
                for day in week:
                    out.append_text(self._day_title(day, line, cell))
        out.append("\n")
        out.append(LEGEND[: max(0, width - 1)], self._style("legend"))
        return out

    def _cell_style(self, day: date) -> Style:
        style = Style()
        if day.month != self.first.month:
            style += self._style("other")
        if day == self.selected:
            style += self._style("selected")
        return style

    def _day_top(self, day: date, cell: int) -> Text:
        text = Text(" ", style=self._cell_style(day))
        number = Style()
        if day in self.holidays or day.weekday() == 6:
            number += self._style("holiday")
        if day == self.today:
            number += self._style("today")
        text.append(f"{day.day:>2}", number)
        activity = self._activity(day)
        if activity and activity.deadlines:
            text.append(f" !{activity.deadlines}", self._style("deadline"))
        text.pad_right(cell - text.cell_len)
        text.truncate(cell)
        return text

    def _day_title(self, day: date, line: int, cell: int) -> Text:
        """The `line`th title of what runs that day; the last line says how many more there are."""
        activity = self._activity(day)
        running = activity.running if activity else []
        if line == self._titles - 1 and len(running) > self._titles:
            shown = f"+{len(running) - line} till"
        elif line < len(running):
            shown = running[line].title
        else:
            shown = ""
        # A space on each side: the columns of neighbouring days stay apart.
        style = self._cell_style(day)
        if shown.startswith("+"):
            style += self._style("other")
        return Text(" " + fit(shown, cell - 2) + " ", style=style)

    def _activity(self, day: date) -> DayActivity | None:
        """What happens on `day`, unless another month's reading is all there is yet."""
        return None if self.reading else self.activity.get(day)

    def _day_bottom(self, day: date, cell: int) -> Text:
        activity = self._activity(day)
        parts = []
        if activity and activity.running:
            parts.append(f"●{len(activity.running)}")
        if activity and activity.starting:
            parts.append(f"▶{activity.starting}")
        if activity and activity.ending:
            parts.append(f"■{activity.ending}")
        text = Text(" " + " ".join(parts), style=self._cell_style(day))
        text.pad_right(cell - text.cell_len)
        text.truncate(cell)
        return text
