"""Dates as Swedish users type and read them: ISO first, day before month, weeks from Monday."""

from __future__ import annotations

import functools
import re
from datetime import date, timedelta

MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)
MONTHS_SHORT = (
    "jan",
    "feb",
    "mars",
    "apr",
    "maj",
    "juni",
    "juli",
    "aug",
    "sep",
    "okt",
    "nov",
    "dec",
)
WEEKDAYS_SHORT = ("mån", "tis", "ons", "tor", "fre", "lör", "sön")

_COMPACT = re.compile(r"^\d{8}$")
_WEEKDAY = re.compile(r"\b(mån|tis|ons|tor|fre|lör|sön)(dag|sdag)?\b\.?", re.IGNORECASE)
_ISO = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
# Words for a day near today, as people say them; spaces inside are optional ("idag").
_RELATIVE = {"idag": 0, "imorgon": 1, "iövermorgon": 2, "igår": -1}
# Abbreviations people type besides the calendar's own ("14 mar", "3 jun").
_MONTH_ALIASES = {3: "mar", 6: "jun", 7: "jul", 9: "sept"}
_WEEKDAY_ALONE = re.compile(r"^(mån|tis|ons|tor|fre|lör|sön)(dag|sdag)?\.?$")


class DateInputError(ValueError):
    """Text that is not a date; the message is Swedish."""


def parse_user_date(text: str, today: date) -> date:
    """Read a date as a Swedish user types it: 2027-03-14, 20270314, 14/3 2027, 14 mars 2027,
    14 mar, i dag, i morgon, mån (the next Monday after today).

    Day comes before month (14/3 is the 14th of March). A date without a year takes the year of
    `today`.
    """
    cleaned = text.strip()
    if not cleaned:
        raise DateInputError("ange ett datum, t.ex. 2027-03-14")
    folded = cleaned.casefold()
    offset = _RELATIVE.get(re.sub(r"\s+", "", folded))
    if offset is not None:
        return today + timedelta(days=offset)
    weekday = _WEEKDAY_ALONE.match(folded)
    if weekday:
        # A weekday alone is the next one to come: "mån" on a Monday is a week later.
        ahead = (WEEKDAYS_SHORT.index(weekday.group(1)) - today.weekday() - 1) % 7 + 1
        return today + timedelta(days=ahead)
    try:
        if _COMPACT.match(cleaned):
            return date(int(cleaned[:4]), int(cleaned[4:6]), int(cleaned[6:]))
        if _ISO.match(cleaned):
            year, month, day = (int(part) for part in cleaned.split("-"))
            return date(year, month, day)
    except ValueError:
        raise DateInputError(f"{cleaned} är inget giltigt datum") from None
    # A weekday adds nothing to a date and dateutil does not know Swedish ones ("sön 14 mars").
    words = _WEEKDAY.sub(" ", cleaned.casefold())
    for number, name in enumerate(MONTHS, start=1):
        names = [name, MONTHS_SHORT[number - 1]]
        if number in _MONTH_ALIASES:
            names.append(_MONTH_ALIASES[number])
        pattern = "|".join(rf"\b{n}\b\.?" for n in names)
        words = re.sub(pattern, f"/{number}/", words)
    if len(re.findall(r"\d+", words)) < 2:
        # "14" or "mars" alone would silently become a day in January: ask for day and month.
        raise DateInputError(
            f"”{cleaned}” är inget fullständigt datum; skriv t.ex. 2027-03-14 eller 14/3 2027"
        )
    # dateutil is imported here: most input is ISO and never needs it.
    from dateutil import parser as date_parser

    # The caller's today, never the machine's: the app and the tests choose which day it is.
    default_year = today.year
    try:
        parsed = date_parser.parse(
            words.replace(" ", "/").replace("//", "/").strip("/"),
            dayfirst=True,
            yearfirst=False,
            default=date_parser.parse(f"{default_year}-01-01"),
        )
    except (ValueError, OverflowError):
        raise DateInputError(
            f"”{cleaned}” är inget datum; skriv t.ex. 2027-03-14, 20270314 eller 14/3 2027"
        ) from None
    return parsed.date()


def format_day(day: date) -> str:
    """'mån 14 mars 2027'."""
    return f"{WEEKDAYS_SHORT[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def iso_week(day: date) -> int:
    return day.isocalendar().week


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def add_months(day: date, months: int) -> date:
    """The first of the month `months` after (or before) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(day: date) -> date:
    return add_months(day, 1) - timedelta(days=1)


def month_weeks(first: date) -> list[list[date]]:
    """The Monday-first weeks that show the month of `first`, as rows of seven days."""
    start = monday_of(first.replace(day=1))
    last = month_end(first)
    weeks: list[list[date]] = []
    while start <= last:
        weeks.append([start + timedelta(days=offset) for offset in range(7)])
        start += timedelta(days=7)
    return weeks


def swedish_holidays(years: range | list[int]) -> dict[date, str]:
    """Sweden's public holidays by date, with Swedish names (Sundays are not included)."""
    import holidays  # heavy: imported when a calendar first needs it

    found = holidays.country_holidays("SE", years=list(years), language="sv")
    return dict(found.items())


# --- periods ---


def format_period(start: date, end: date, *, with_year: bool = True) -> str:
    """Write an inclusive period compactly in Swedish, e.g. '2–20 mars 2027'."""
    return format_ordinal_period(start.toordinal(), end.toordinal(), with_year)


@functools.lru_cache(maxsize=4096)
def _day_parts(ordinal: int) -> tuple[int, str, int]:
    """Day of month, Swedish month abbreviation and year; cached because reasons repeat days."""
    day = date.fromordinal(ordinal)
    return day.day, MONTHS_SHORT[day.month - 1], day.year


def format_ordinal_period(start: int, end: int, with_year: bool) -> str:
    """format_period on date ordinals: the overlap search keeps dates as ordinals."""
    first_day, first_month, first_year = _day_parts(start)
    last_day, last_month, last_year = _day_parts(end)
    year = f" {last_year}" if with_year else ""
    if start == end:
        return f"{last_day} {last_month}{year}"
    if first_year != last_year:
        # Both years must show, or "28 dec–3 jan" would read as one year running backwards.
        first = f" {first_year}" if with_year else ""
        return f"{first_day} {first_month}{first}–{last_day} {last_month}{year}"
    if first_month == last_month:
        return f"{first_day}–{last_day} {last_month}{year}"
    return f"{first_day} {first_month}–{last_day} {last_month}{year}"
