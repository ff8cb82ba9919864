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


def label_width(width: int, weeks: int) -> int:
    return max(10, min(40, width - weeks - 1))


def initiative_row(item: InitiativeSummary, mondays: Sequence[date]) -> TimelineRow:
    return TimelineRow(
        label=item.title,
        counts=tuple(int(active) for active in active_weeks(item.start, item.end, mondays)),
        initiative=item,
    )


def header(year: int, mondays: Sequence[date], today: date, width: int) -> Text:
    """Two lines above the rows: month names, then week numbers and a mark at today's week."""
    label = label_width(width, len(mondays))
    months = [" "] * len(mondays)
    weeks = [" "] * len(mondays)
    for index, monday in enumerate(mondays):
        # A month is named at the first week whose Thursday (ISO's rule) falls in it.
        thursday = monday.toordinal() + 3
        month = date.fromordinal(thursday).month
        if index == 0 or date.fromordinal(thursday - 7).month != month:
            for offset, char in enumerate(MONTHS_SHORT[month - 1][:3]):
                if index + offset < len(months):
                    months[index + offset] = char
        number = monday.isocalendar().week
        if number % 4 == 1 and index + len(str(number)) <= len(weeks):
            for offset, char in enumerate(str(number)):
                weeks[index + offset] = char
    today_index = week_index(today, mondays)
    text = Text(no_wrap=True, overflow="crop")
    text.append(f"{year}".ljust(label + 1), "bold")
    text.append("".join(months))
    text.append("\n" + "v.".rjust(label) + " ")
    for index, char in enumerate(weeks):
        text.append("▼" if index == today_index else char, "bold" if index == today_index else "")
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
        text = Text(no_wrap=True, overflow="ellipsis")
        name = row.label
        if row.initiative is not None and row.initiative.id in self.warn_ids:
            name = "⚠ " + name
        name = name if len(name) <= label else name[: label - 1] + "…"
        text.append(name.ljust(label) + " ")
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
                char = "!" if index == deadline else ("█" if count else " ")
                cell_style = bar if count else None
            else:
                char = "·" if count == 0 else (str(count) if count < 10 else "+")
                cell_style = busy if count >= 2 else (bar if count else None)
            combined = (style + cell_style) if style and cell_style else (style or cell_style)
            text.append(char, combined or "")
        return text
