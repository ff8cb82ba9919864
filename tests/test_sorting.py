"""Swedish order everywhere a list is sorted by name: å, ä, ö after z, in that order (issue 14).
The store's `swedish` collation and domain.swedish_key are one rule; each list is checked."""

from __future__ import annotations

import csv
import io
from datetime import date

from dialogtui.calendar_math import week_counts
from dialogtui.domain import swedish_key
from dialogtui.reports import to_csv, year_report
from dialogtui.store import Store
from tests.factories import make_initiative

# In Swedish order; a casefold sort would put ä before å and Å after a.
NAMES = ["abc", "Zeta", "ångbåt", "Åsa", "Ärende", "Östra", "ÖVRE"]
SHUFFLED = ["Östra", "Ärende", "ångbåt", "Zeta", "ÖVRE", "abc", "Åsa"]


def test_the_key_puts_a_ring_then_umlauts_after_z() -> None:
    assert sorted(SHUFFLED, key=swedish_key) == NAMES
    assert sorted(SHUFFLED, key=str.casefold) != NAMES  # what the old sorting did


def test_the_store_sorts_titles_and_units_the_swedish_way(store: Store) -> None:
    for name in SHUFFLED:
        store.create_initiative(make_initiative(title=f"{name} dialog", unit=f"{name} enhet"))
    by_title = [s.title for s in store.summaries(order="title")]
    assert by_title == [f"{name} dialog" for name in NAMES]
    by_unit = [s.unit for s in store.summaries(order="unit")]
    assert by_unit == [f"{name} enhet" for name in NAMES]
    assert store.units() == [f"{name} enhet" for name in NAMES]


def test_the_timeline_groups_sort_the_swedish_way() -> None:
    mondays = [date(2026, 3, 2)]
    spans = [(name, date(2026, 3, 2), date(2026, 3, 3)) for name in SHUFFLED]
    assert list(week_counts(spans, mondays)) == NAMES


def test_the_year_report_rows_sort_the_swedish_way() -> None:
    initiatives = [
        make_initiative(id=n + 1, version=1, title=f"D{n}", unit=name)
        for n, name in enumerate(SHUFFLED)
    ]
    report = year_report(2026, initiatives, {}, [], as_of=date(2026, 12, 31))
    assert [row.label for row in report.by_unit] == NAMES
    rows = list(csv.reader(io.StringIO(to_csv(report).lstrip("\ufeff")), delimiter=";"))
    units = [row[2] for row in rows if len(row) > 2 and row[1] == "Beställare"]
    assert units == NAMES
