"""Dates as Swedish users type them."""

from __future__ import annotations

from datetime import date

import pytest

from dialogtui.dates import DateInputError, format_day, parse_user_date

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2027-03-14", date(2027, 3, 14)),
        ("20270314", date(2027, 3, 14)),
        ("14/3 2027", date(2027, 3, 14)),
        ("14 mars 2027", date(2027, 3, 14)),
        ("sön 14 mars 2027", date(2027, 3, 14)),
        ("måndag 1 februari 2027", date(2027, 2, 1)),
        ("1.4.2027", date(2027, 4, 1)),
        ("14/3", date(2026, 3, 14)),
        (" 2027-3-4 ", date(2027, 3, 4)),
        # TODAY is Tuesday 24 November 2026.
        ("i dag", TODAY),
        ("idag", TODAY),
        ("I  Dag", TODAY),
        ("i morgon", date(2026, 11, 25)),
        ("imorgon", date(2026, 11, 25)),
        ("i övermorgon", date(2026, 11, 26)),
        ("14 mar", date(2026, 3, 14)),
        ("14 mar 2027", date(2027, 3, 14)),
        ("3 jun", date(2026, 6, 3)),
        ("14 mars", date(2026, 3, 14)),
        ("mån", date(2026, 11, 30)),
        ("måndag", date(2026, 11, 30)),
        ("tis", date(2026, 12, 1)),
        ("ons", date(2026, 11, 25)),
        ("sön", date(2026, 11, 29)),
    ],
)
def test_accepted(typed: str, expected: date) -> None:
    assert parse_user_date(typed, TODAY) == expected


@pytest.mark.parametrize(
    "typed", ["", "mars", "14", "2027-02-30", "31/2 2027", "foo", "i kväll", "månad", "mar"]
)
def test_refused_in_swedish(typed: str) -> None:
    with pytest.raises(DateInputError) as refused:
        parse_user_date(typed, TODAY)
    assert "datum" in str(refused.value)


def test_what_the_form_shows_is_read_back() -> None:
    day = date(2027, 3, 14)
    assert parse_user_date(format_day(day), TODAY) == day
