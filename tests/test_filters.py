"""The shared calendar filter: the store's SQL and the in-memory rule agree."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogtui import catalog
from dialogtui.domain import Method, Municipality, Stage
from dialogtui.filters import Filter
from dialogtui.models import Initiative, TargetGroup
from dialogtui.store import Store
from tests.factories import make_initiative

_EXAMPLES = itertools.count()
UNITS = ["Psykiatrin Halland", "Hallands sjukhus", "Kultur i Halland"]
TITLES = ["Ungas hälsa", "Äldres vård", "ÅTERBESÖK", "Kollektivtrafik", "[bold]x[/]"]

groups = st.builds(
    TargetGroup,
    municipalities=st.lists(st.sampled_from(list(Municipality)), max_size=2),
    segments=st.lists(st.sampled_from(catalog.segments()[:4]), max_size=2),
)
initiatives = st.builds(
    lambda title, unit, method, stage, panel, offset, groups: make_initiative(
        title=title,
        unit=unit,
        method=method,
        stage=stage,
        uses_panel=panel,
        start=date(2026, 1, 1) + timedelta(days=offset),
        end=date(2026, 1, 1) + timedelta(days=offset + 10),
        target_groups=groups,
    ),
    st.sampled_from(TITLES),
    st.sampled_from(UNITS),
    st.sampled_from(list(Method)[:3]),
    st.sampled_from(list(Stage)[:3]),
    st.booleans(),
    st.integers(0, 60),
    st.lists(groups, max_size=2),
)
filters = st.builds(
    Filter,
    text=st.sampled_from(["", "ung", "äldre", "åter", "HALLAND", "[bold]"]),
    unit=st.none() | st.sampled_from(UNITS),
    method=st.none() | st.sampled_from(list(Method)[:3]),
    stage=st.none() | st.sampled_from(list(Stage)[:3]),
    municipality=st.none() | st.sampled_from(list(Municipality)),
    segment=st.none() | st.sampled_from(catalog.segments()[:4]),
    panel=st.none() | st.booleans(),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batch=st.lists(initiatives, max_size=12), where=filters)
def test_sql_filter_agrees_with_the_in_memory_rule(
    tmp_path: Path, batch: list[Initiative], where: Filter
) -> None:
    # One fresh file per example: hypothesis reuses the function's tmp_path.
    with Store(tmp_path / f"example-{next(_EXAMPLES)}.db") as opened:
        ids = opened.create_initiatives(batch)
        expected = {i for i, ini in zip(ids, batch, strict=True) if where.matches(ini)}
        assert {s.id for s in opened.summaries(where)} == expected
        assert opened.count_matching(where) == len(expected)


def test_text_filter_folds_swedish_letters(store: Store) -> None:
    store.create_initiative(make_initiative(title="Återbesök på ÄLDREBOENDE"))
    assert len(store.summaries(Filter(text="äldreboende"))) == 1
    assert len(store.summaries(Filter(text="återb"))) == 1
    assert store.summaries(Filter(text="övrigt")) == []


def test_municipality_filter_includes_whole_region_groups(store: Store) -> None:
    store.create_initiatives(
        [
            make_initiative(title="Halmstad", target_groups=[{"municipalities": ["Halmstad"]}]),
            make_initiative(title="Hela regionen", target_groups=[{}]),
            make_initiative(title="Varberg", target_groups=[{"municipalities": ["Varberg"]}]),
            make_initiative(title="Ingen grupp", target_groups=[]),
        ]
    )
    found = [s.title for s in store.summaries(Filter(municipality=Municipality.HALMSTAD))]
    assert sorted(found) == ["Halmstad", "Hela regionen"]


def test_summaries_between_dates_and_paging(store: Store) -> None:
    store.create_initiatives(
        [
            make_initiative(
                title=f"D{n}",
                start=date(2026, 1, 1) + timedelta(days=10 * n),
                end=date(2026, 1, 5) + timedelta(days=10 * n),
            )
            for n in range(10)
        ]
    )
    window = (date(2026, 1, 20), date(2026, 2, 1))
    assert [s.title for s in store.summaries(between=window)] == ["D2", "D3"]
    assert [s.title for s in store.summaries(offset=3, limit=2)] == ["D3", "D4"]
    assert [s.title for s in store.summaries(order="title", limit=2)] == ["D0", "D1"]
    summary = store.summaries(limit=1)[0]
    assert summary.groups == "Unga i Halmstad"


def test_filter_description_names_every_active_facet() -> None:
    assert Filter().describe() == "inget filter"
    described = Filter(
        text="unga", method=Method.FOCUS_GROUP, municipality=Municipality.HYLTE, panel=False
    ).describe()
    assert described == "text ”unga” · metod fokusgrupp · kommun Hylte · utan invånarpanelen"
