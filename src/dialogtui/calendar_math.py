"""Calendar arithmetic for the views: what happens on each day of a month, and in each week."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from dialogtui.dates import monday_of
from dialogtui.domain import InitiativeSummary, swedish_key


@dataclass(slots=True)
class DayActivity:
    """Which initiatives run, start and end on one day, and whose deadline it is."""

    running: list[InitiativeSummary] = field(default_factory=list)
    starting: int = 0
    ending: int = 0
    deadlines: int = 0


def day_activity(
    summaries: Iterable[InitiativeSummary], days: Sequence[date]
) -> dict[date, DayActivity]:
    """Spread the initiatives over the given days (typically the weeks a month view shows)."""
    if not days:
        return {}
    first, last = min(days), max(days)
    activity = {day: DayActivity() for day in days}
    for item in summaries:
        day = max(item.start, first)
        stop = min(item.end, last)
        while day <= stop:
            if day in activity:
                activity[day].running.append(item)
            day += timedelta(days=1)
        if item.start in activity:
            activity[item.start].starting += 1
        if item.end in activity:
            activity[item.end].ending += 1
        if item.deadline in activity:
            activity[item.deadline].deadlines += 1
    return activity


def year_weeks(year: int) -> list[date]:
    """The Mondays of every week that has a day in `year`, the first one possibly in December."""
    monday = monday_of(date(year, 1, 1))
    weeks = []
    while monday.year <= year:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def active_weeks(start: date, end: date, mondays: Sequence[date]) -> list[bool]:
    """For each week, whether the period [start, end] has a day in it."""
    return [start <= monday + timedelta(days=6) and end >= monday for monday in mondays]


def week_counts(
    spans: Iterable[tuple[str, date, date]], mondays: Sequence[date]
) -> dict[str, list[int]]:
    """Per key (a unit, a target group), how many of its periods touch each week."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * len(mondays))
    if not mondays:
        return {}
    first = mondays[0]
    for key, start, end in spans:
        row = counts[key]
        begin = max(0, (start - first).days // 7)
        stop = min(len(mondays) - 1, (end - first).days // 7)
        for index in range(begin, stop + 1):
            row[index] += 1
    return dict(sorted(counts.items(), key=lambda item: swedish_key(item[0])))


def week_index(day: date, mondays: Sequence[date]) -> int | None:
    if not mondays:
        return None
    index = (day - mondays[0]).days // 7
    return index if 0 <= index < len(mondays) else None
