"""The year timeline: one row per initiative, unit or target group, one column per week."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from rich.text import Text

from dialogtui.calendar_math import active_weeks, week_index
from dialogtui.dates import MONTHS_SHORT
from dialogtui.domain import InitiativeSummary, Stage
from dialogtui.widgets.cells import fit
from dialogtui.widgets.paged_rows import PagedRows

GROUPINGS = ("initiative", "unit", "target")
GROUPING_LABELS = {
    "initiative": "per initiativ",
    "unit": "per beställare",
    "target": "per målgrupp",
}


@dataclass(frozen=True, slots=True)
class TimelineRow:
    """One line of the timeline: an initiative's bar, or a group's count per week."""

    label: str
    counts: tuple[int, ...]
    initiative: InitiativeSummary | None = None


# The titles keep at least this many columns before the weeks widen; at most LABEL_MAX.
LABEL_MIN = 24
LABEL_MAX = 40
# Columns per week at most: a wide terminal draws longer bars, not more empty room.
WEEK_CELLS_MAX = 4


def week_cells(width: int, weeks: int) -> int:
    """How many columns each week gets at this width: 1 at 80 columns, 3 at 200."""
    if weeks <= 0:
        return 1
    return max(1, min(WEEK_CELLS_MAX, (width - LABEL_MIN - 1) // weeks))


def label_width(width: int, weeks: int) -> int:
    return max(10, min(LABEL_MAX, width - weeks * week_cells(width, weeks) - 1))


def initiative_row(item: InitiativeSummary, mondays: Sequence[date]) -> TimelineRow:
    return TimelineRow(
        label=item.title,
        counts=tuple(int(active) for active in active_weeks(item.start, item.end, mondays)),
        initiative=item,
    )


def header(year: int, mondays: Sequence[date], today: date, width: int) -> Text:
    """Two lines above the rows: month names, then week numbers and a mark at today's week."""
    label = label_width(width, len(mondays))
    cells = week_cells(width, len(mondays))
    months = [" "] * (len(mondays) * cells)
    weeks = [" "] * len(months)
    # Every week's number when it has room, else every other or every fourth.
    step = 1 if cells >= 3 else (2 if cells == 2 else 4)
    free = 0
    for index, monday in enumerate(mondays):
        start = index * cells
        # A month is named at the first week whose Thursday (ISO's rule) falls in it; not the
        # neighbouring years' December or January (they ran into January's name), and only
        # where the previous name has ended.
        thursday = monday.toordinal() + 3
        shown = date.fromordinal(thursday)
        if (
            shown.year == year
            and (index == 0 or date.fromordinal(thursday - 7).month != shown.month)
            and start >= free
        ):
            name = MONTHS_SHORT[shown.month - 1][:3]
            for offset, char in enumerate(name):
                if start + offset < len(months):
                    months[start + offset] = char
            free = start + len(name) + 1
        number = str(monday.isocalendar().week)
        if (int(number) - 1) % step == 0 and start + len(number) <= len(weeks):
            for offset, char in enumerate(number):
                weeks[start + offset] = char
    today_index = week_index(today, mondays)
    text = Text(no_wrap=True, overflow="crop")
    text.append(f"{year}".ljust(label + 1), "bold")
    text.append("".join(months))
    text.append("\n" + "v.".rjust(label) + " ")
    today_cells = (
        range(-1) if today_index is None else range(today_index * cells, (today_index + 1) * cells)
    )
    for index, char in enumerate(weeks):
        if index not in today_cells:
            text.append(char)
        elif cells >= 3:
            # Room for the number itself: it stands out instead of giving way to the mark.
            text.append(char, "bold reverse")
        else:
            text.append("▼" if index == today_cells.start else char, "bold")
    return text


class TimelineRows(PagedRows[TimelineRow]):
    """Rows of week cells; a cursor row; Enter opens the initiative under it."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *PagedRows.COMPONENT_CLASSES,
        "timeline--bar",
        "timeline--cancelled",
        "timeline--today",
        "timeline--busy",
    }
    DEFAULT_CSS = """
    TimelineRows {
        & > .timeline--bar { color: $primary; }
        & > .timeline--cancelled { color: $text-disabled; }
        & > .timeline--today { background: $boost; }
        & > .timeline--busy { color: $text-error; text-style: bold; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, empty_text="Inga initiativ detta år med det här filtret.")
        self.mondays: Sequence[date] = ()
        self.today_index: int | None = None

    def render_row(self, row: TimelineRow, width: int) -> Text:
        label = label_width(width, len(self.mondays))
        cells = week_cells(width, len(self.mondays))
        text = Text(no_wrap=True, overflow="ellipsis")
        name = row.label
        if row.initiative is not None and row.initiative.id in self.warn_ids:
            name = "⚠ " + name
        text.append(fit(name, label) + " ")
        bar = self.get_component_rich_style(
            "timeline--cancelled"
            if row.initiative and row.initiative.stage is Stage.CANCELLED
            else "timeline--bar"
        )
        busy = self.get_component_rich_style("timeline--busy")
        today = self.get_component_rich_style("timeline--today")
        deadline = (
            week_index(row.initiative.deadline, self.mondays)
            if row.initiative and row.initiative.deadline
            else None
        )
        for index, count in enumerate(row.counts):
            style = today if index == self.today_index else None
            if row.initiative is not None:
                fill = "█" if count else " "
                chars = ("!" + fill * (cells - 1)) if index == deadline else fill * cells
                cell_style = bar if count else None
            else:
                char = "·" if count == 0 else (str(count) if count < 10 else "+")
                chars = char.center(cells)
                cell_style = busy if count >= 2 else (bar if count else None)
            combined = (style + cell_style) if style and cell_style else (style or cell_style)
            text.append(chars, combined or "")
        return text
