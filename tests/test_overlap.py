"""Tests of dialogtui.overlap: the rule's edge cases, and the sweep against the all-pairs rule."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogtui import catalog
from dialogtui.dates import format_period
from dialogtui.domain import Municipality, Stage
from dialogtui.models import BlockedPeriod, Initiative, TargetGroup
from dialogtui.overlap import (
    Overlap,
    OverlapIndex,
    Severity,
    blocked_conflicts,
    clusters,
    find_overlaps,
    find_overlaps_naive,
    groups_intersect,
    next_free_window,
    overlaps_for,
    shift,
)

YOUTH_HALMSTAD = TargetGroup(
    name="Unga i Halmstad", municipalities=["Halmstad"], age_min=13, age_max=19, segments=["unga"]
)


def group(
    municipalities: Sequence[str] = (),
    age_min: int = 0,
    age_max: int = 120,
    segments: Sequence[str] = (),
    name: str = "",
) -> TargetGroup:
    return TargetGroup(
        name=name,
        municipalities=list(municipalities),
        age_min=age_min,
        age_max=age_max,
        segments=list(segments),
    )


def initiative(
    ident: int | None,
    start: date,
    end: date,
    groups: Sequence[TargetGroup] = (),
    *,
    panel: bool = False,
    stage: Stage = Stage.PLANNING,
    title: str | None = None,
) -> Initiative:
    return Initiative(
        id=ident,
        title=title or f"Dialog {ident}",
        unit="Enhet",
        method="survey",
        start=start,
        end=end,
        target_groups=list(groups),
        uses_panel=panel,
        stage=stage,
    )


def d(month: int, day: int, year: int = 2027) -> date:
    return date(year, month, day)


# --- target groups -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (group(["Halmstad"]), group(["Halmstad", "Varberg"]), True),
        (group(["Halmstad"]), group(["Varberg"]), False),
        (group([]), group(["Laholm"]), True),  # no municipality means all six
        (group([]), group([]), True),
        (group(age_min=13, age_max=19), group(age_min=19, age_max=25), True),  # touch at 19
        (group(age_min=13, age_max=19), group(age_min=20, age_max=25), False),
        (group(age_min=65), group(age_max=64), False),
        (group(segments=["unga"]), group(segments=["unga", "anhöriga"]), True),
        (group(segments=["unga"]), group(segments=["äldre"]), False),
        (group(segments=[]), group(segments=["äldre"]), True),  # no segment means all residents
        (group(["Hylte"], segments=["unga"]), group(["Hylte"], segments=["äldre"]), False),
        (group(["Hylte"], 0, 17), group(["Laholm"], 0, 17), False),
    ],
)
def test_groups_intersect(first: TargetGroup, second: TargetGroup, expected: bool) -> None:
    assert groups_intersect(first, second) is expected
    assert groups_intersect(second, first) is expected


# --- time ----------------------------------------------------------------------------------------


def test_same_single_day_is_direct() -> None:
    a = initiative(1, d(3, 2), d(3, 2), [YOUTH_HALMSTAD])
    b = initiative(2, d(3, 2), d(3, 2), [YOUTH_HALMSTAD])
    [overlap] = find_overlaps([a, b])
    assert (overlap.a, overlap.b, overlap.kind) == (1, 2, "direct")


def test_sharing_the_last_day_is_direct() -> None:
    a = initiative(1, d(3, 1), d(3, 10), [YOUTH_HALMSTAD])
    b = initiative(2, d(3, 10), d(3, 20), [YOUTH_HALMSTAD])
    assert [o.kind for o in find_overlaps([a, b])] == ["direct"]


def test_gap_of_exactly_rest_days_is_near() -> None:
    a = initiative(1, d(2, 20), d(3, 1), [YOUTH_HALMSTAD])
    b = initiative(2, d(3, 15), d(3, 30), [YOUTH_HALMSTAD])
    [overlap] = find_overlaps([a, b])
    assert overlap.kind == "near"
    assert overlap.severity is Severity.LOW


def test_gap_of_rest_days_plus_one_is_no_overlap() -> None:
    a = initiative(1, d(2, 20), d(3, 1), [YOUTH_HALMSTAD])
    b = initiative(2, d(3, 16), d(3, 30), [YOUTH_HALMSTAD])
    assert find_overlaps([a, b]) == []
    assert find_overlaps_naive([a, b]) == []


def test_rest_days_is_configurable() -> None:
    a = initiative(1, d(3, 1), d(3, 1), [YOUTH_HALMSTAD])
    b = initiative(2, d(3, 2), d(3, 2), [YOUTH_HALMSTAD])
    assert find_overlaps([a, b], rest_days=0) == []
    assert [o.kind for o in find_overlaps([a, b], rest_days=1)] == ["near"]
    with pytest.raises(ValueError):
        find_overlaps([a, b], rest_days=-1)


def test_near_works_whichever_comes_first_in_the_input() -> None:
    later = initiative(1, d(3, 15), d(3, 30), [YOUTH_HALMSTAD], title="Senare")
    earlier = initiative(2, d(3, 1), d(3, 6), [YOUTH_HALMSTAD], title="Tidigare")
    [overlap] = find_overlaps([later, earlier])
    assert (overlap.a, overlap.b) == (1, 2)
    assert overlap.reasons == (
        "Båda når unga 13–19 i Halmstad (målgruppen ”Unga i Halmstad”)",
        "”Senare” börjar 15 mars 2027, 9 dagar efter att ”Tidigare” slutar 6 mars 2027 "
        "(vilotid 14 dagar)",
    )


def test_a_one_day_gap_is_said_in_the_singular() -> None:
    a = initiative(1, d(3, 1), d(3, 1), [YOUTH_HALMSTAD], title="A")
    b = initiative(2, d(3, 2), d(3, 2), [YOUTH_HALMSTAD], title="B")
    [overlap] = find_overlaps([a, b], rest_days=1)
    assert "”B” börjar 2 mars 2027, 1 dag efter att ”A” slutar 1 mars 2027 (vilotid 1 dag)" in (
        overlap.reasons
    )


# --- groups, panel, stage ------------------------------------------------------------------------


def test_disjoint_groups_do_not_overlap() -> None:
    a = initiative(1, d(3, 1), d(3, 20), [group(["Halmstad"], segments=["unga"])])
    b = initiative(2, d(3, 1), d(3, 20), [group(["Varberg"], segments=["unga"])])
    assert find_overlaps([a, b]) == []


def test_one_intersecting_pair_among_several_groups_is_enough() -> None:
    a = initiative(1, d(3, 1), d(3, 20), [group(["Hylte"]), group([], 65, 120, ["äldre"])])
    b = initiative(2, d(3, 5), d(3, 25), [group(["Laholm"], 0, 17), group(["Laholm"], 65, 120)])
    [overlap] = find_overlaps([a, b])
    assert overlap.severity is Severity.MEDIUM
    assert overlap.reasons == ("Båda når äldre 65+ i Laholm 5–20 mars 2027",)


def test_panel_pairs_overlap_without_common_groups() -> None:
    a = initiative(1, d(3, 1), d(3, 20), [group(["Halmstad"])], panel=True)
    b = initiative(2, d(3, 10), d(3, 30), [group(["Varberg"])], panel=True)
    [overlap] = find_overlaps([a, b])
    assert overlap.kind == "direct"
    assert overlap.severity is Severity.HIGH
    assert overlap.reasons == ("Båda använder invånarpanelen 10–20 mars 2027",)


def test_panel_pairs_near_name_the_gap() -> None:
    a = initiative(1, d(3, 1), d(3, 6), panel=True, title="Vårenkät")
    b = initiative(2, d(3, 15), d(4, 2), panel=True, title="Tandvård")
    [overlap] = find_overlaps([a, b])
    assert overlap.reasons == (
        "Båda använder invånarpanelen",
        "”Tandvård” börjar 15 mars 2027, 9 dagar efter att ”Vårenkät” slutar 6 mars 2027 "
        "(vilotid 14 dagar)",
    )


def test_only_one_on_the_panel_needs_common_groups() -> None:
    a = initiative(1, d(3, 1), d(3, 20), [group(["Halmstad"])], panel=True)
    b = initiative(2, d(3, 1), d(3, 20), [group(["Varberg"])])
    assert find_overlaps([a, b]) == []


def test_no_target_group_overlaps_only_through_the_panel() -> None:
    everyone = group()
    plain = initiative(1, d(3, 1), d(3, 20))
    panel_only = initiative(2, d(3, 1), d(3, 20), panel=True)
    other = initiative(3, d(3, 1), d(3, 20), [everyone])
    other_panel = initiative(4, d(3, 1), d(3, 20), [everyone], panel=True)
    found = find_overlaps([plain, panel_only, other, other_panel])
    assert [(o.a, o.b) for o in found] == [(2, 4), (3, 4)]
    assert found == find_overlaps_naive([plain, panel_only, other, other_panel])


def test_cancelled_initiatives_never_overlap() -> None:
    a = initiative(1, d(3, 1), d(3, 20), [YOUTH_HALMSTAD], panel=True)
    b = initiative(2, d(3, 1), d(3, 20), [YOUTH_HALMSTAD], panel=True, stage=Stage.CANCELLED)
    assert find_overlaps([a, b]) == []
    assert overlaps_for(b, [a]) == []
    assert overlaps_for(a, [b]) == []


# --- severity and reasons ------------------------------------------------------------------------


def test_ages_touching_at_one_year_overlap() -> None:
    a = initiative(1, d(3, 2), d(3, 20), [group(age_min=13, age_max=19)])
    b = initiative(2, d(3, 2), d(3, 20), [group(age_min=19, age_max=25)])
    c = initiative(3, d(3, 2), d(3, 20), [group(age_min=20, age_max=25)])
    assert find_overlaps([a, c]) == []
    [overlap] = find_overlaps([a, b])
    assert overlap.reasons == ("Båda når invånare 19–19 i hela Halland 2–20 mars 2027",)


def test_equal_groups_at_once_are_high_and_partial_ones_medium() -> None:
    a = initiative(1, d(3, 2), d(3, 20), [YOUTH_HALMSTAD])
    same = initiative(2, d(3, 10), d(4, 5), [group(["Halmstad"], 13, 19, ["unga"])])
    wider = initiative(3, d(3, 10), d(4, 5), [group(["Halmstad", "Hylte"], 13, 19, ["unga"])])
    severities = {(o.a, o.b): o.severity for o in find_overlaps([a, same, wider])}
    assert severities == {(1, 2): Severity.HIGH, (1, 3): Severity.MEDIUM, (2, 3): Severity.MEDIUM}


def test_all_six_municipalities_equal_none_for_severity() -> None:
    a = initiative(1, d(3, 2), d(3, 20), [group([], 65, 120)])
    b = initiative(2, d(3, 2), d(3, 20), [group([m.value for m in Municipality], 65, 120)])
    [overlap] = find_overlaps([a, b])
    assert overlap.severity is Severity.HIGH
    assert find_overlaps_naive([a, b]) == [overlap]


def test_all_segments_equal_none_for_severity() -> None:
    a = initiative(1, d(3, 2), d(3, 20), [group(["Hylte"])])
    b = initiative(2, d(3, 2), d(3, 20), [group(["Hylte"], segments=catalog.segments())])
    [overlap] = find_overlaps([a, b])
    assert overlap.severity is Severity.HIGH
    assert find_overlaps_naive([a, b]) == [overlap]


def test_reasons_name_the_group_and_the_dates_in_swedish() -> None:
    a = initiative(7, d(3, 2), d(3, 20), [YOUTH_HALMSTAD])
    b = initiative(9, d(2, 20), d(3, 25), [group(["Halmstad"], 13, 19, ["unga"], "Skolelever")])
    [overlap] = find_overlaps([a, b])
    [reason] = overlap.reasons
    assert reason == (
        "Båda når unga 13–19 i Halmstad (målgrupperna ”Unga i Halmstad” och ”Skolelever”) "
        "2–20 mars 2027"
    )
    assert YOUTH_HALMSTAD.label in reason


def test_reasons_describe_the_residents_both_reach() -> None:
    a = initiative(1, d(3, 2), d(3, 20), [group(["Halmstad", "Varberg"], 13, 25, ["unga"])])
    b = initiative(2, d(3, 2), d(3, 20), [group(["Varberg"], 18, 120)])
    [overlap] = find_overlaps([a, b])
    assert overlap.reasons == ("Båda når unga 18–25 i Varberg 2–20 mars 2027",)


def test_unnamed_equal_groups_are_said_once() -> None:
    a = initiative(1, d(3, 2), d(3, 20), [group(segments=["äldre"])])
    b = initiative(2, d(3, 2), d(3, 20), [group(segments=["äldre"])])
    [overlap] = find_overlaps([a, b])
    assert overlap.reasons == ("Båda når äldre i hela Halland 2–20 mars 2027",)
    assert group(segments=["äldre"]).label in overlap.reasons[0]


def test_severity_orders_and_speaks_swedish() -> None:
    assert Severity.LOW < Severity.MEDIUM < Severity.HIGH
    assert max(Severity) is Severity.HIGH
    assert sorted(Severity, reverse=True) == [Severity.HIGH, Severity.MEDIUM, Severity.LOW]
    assert [s.label for s in Severity] == ["hög", "medel", "låg"]
    assert [s.value for s in Severity] == ["high", "medium", "low"]
    assert Severity.parse("hög") is Severity.HIGH


def test_to_json_follows_the_contract() -> None:
    overlap = Overlap(3, 8, "near", Severity.LOW, ("a", "b"))
    assert overlap.to_json(coordinated=True) == {
        "a": 3,
        "b": 8,
        "kind": "near",
        "severity": "low",
        "reasons": ["a", "b"],
        "coordinated": True,
    }
    assert overlap.pair == frozenset({3, 8})


def test_results_are_sorted_with_a_before_b() -> None:
    items = [initiative(i, d(3, 1), d(3, 5), [YOUTH_HALMSTAD]) for i in (30, 4, 12)]
    assert [(o.a, o.b) for o in find_overlaps(items)] == [(4, 12), (4, 30), (12, 30)]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (d(3, 2), d(3, 2), "2 mars 2027"),
        (d(3, 2), d(3, 20), "2–20 mars 2027"),
        (d(2, 28), d(3, 3), "28 feb–3 mars 2027"),
        (d(12, 28, 2026), d(1, 3), "28 dec 2026–3 jan 2027"),
        (d(5, 30), d(6, 2), "30 maj–2 juni 2027"),
    ],
)
def test_format_period(start: date, end: date, expected: str) -> None:
    assert format_period(start, end) == expected


def test_format_period_without_year() -> None:
    assert format_period(d(3, 2), d(3, 20), with_year=False) == "2–20 mars"
    assert format_period(d(7, 30), d(8, 2), with_year=False) == "30 juli–2 aug"


# --- one initiative against the rest -------------------------------------------------------------


def test_overlaps_for_an_unsaved_initiative_uses_id_zero() -> None:
    draft = initiative(None, d(3, 1), d(3, 10), [YOUTH_HALMSTAD])
    others = [
        initiative(5, d(3, 5), d(3, 25), [YOUTH_HALMSTAD]),
        initiative(6, d(6, 1), d(6, 5), [YOUTH_HALMSTAD]),
    ]
    [overlap] = overlaps_for(draft, others)
    assert (overlap.a, overlap.b, overlap.kind) == (0, 5, "direct")


def test_overlaps_for_skips_its_own_stored_version() -> None:
    edited = initiative(5, d(3, 1), d(3, 10), [YOUTH_HALMSTAD])
    stored = initiative(5, d(3, 3), d(3, 12), [YOUTH_HALMSTAD])
    other = initiative(2, d(3, 5), d(3, 25), [YOUTH_HALMSTAD])
    assert [(o.a, o.b) for o in overlaps_for(edited, [stored, other])] == [(2, 5)]


def test_next_free_window_jumps_past_rest_period() -> None:
    me = initiative(None, d(3, 5), d(3, 9), [YOUTH_HALMSTAD])
    other = initiative(1, d(3, 1), d(3, 10), [YOUTH_HALMSTAD])
    assert next_free_window(me, [other]) == d(3, 25)  # 10 March + 14 rest days + 1
    assert next_free_window(me, [other], rest_days=0) == d(3, 11)


def test_next_free_window_respects_rest_before_a_later_initiative() -> None:
    me = initiative(None, d(3, 1), d(3, 5), [YOUTH_HALMSTAD])
    blocker = initiative(1, d(3, 2), d(3, 3), [YOUTH_HALMSTAD])
    later = initiative(2, d(4, 1), d(4, 20), [YOUTH_HALMSTAD])
    # After the blocker's rest (to 17 March) the five days would end 22 March, only 10 days
    # before 1 April; the first start clear of both is after 20 April + 14 days.
    assert next_free_window(me, [blocker, later]) == d(5, 5)


def test_next_free_window_ignores_coordinated_pairs_and_unrelated_groups() -> None:
    me = initiative(3, d(3, 5), d(3, 9), [YOUTH_HALMSTAD])
    other = initiative(1, d(3, 1), d(3, 10), [YOUTH_HALMSTAD])
    elsewhere = initiative(2, d(3, 1), d(3, 10), [group(["Laholm"])])
    assert next_free_window(me, [other, elsewhere], ignore={frozenset({1, 3})}) == d(3, 5)
    assert next_free_window(me, [elsewhere]) == d(3, 5)


def test_next_free_window_is_never_in_a_blocked_period() -> None:
    me = initiative(None, d(3, 5), d(3, 9), [YOUTH_HALMSTAD])
    other = initiative(1, d(3, 1), d(3, 10), [YOUTH_HALMSTAD])
    easter = BlockedPeriod(name="Påsk", start=d(3, 20), end=d(4, 6))
    # Clear of the other from 25 March, but the five days would touch Easter until 7 April.
    assert next_free_window(me, [other], periods=[easter]) == d(4, 7)
    # With nothing else in the way, the period alone moves the start.
    alone = initiative(None, d(3, 18), d(3, 22), [YOUTH_HALMSTAD])
    assert next_free_window(alone, [], periods=[easter]) == d(4, 7)
    assert next_free_window(me, [], periods=[easter]) == d(3, 5)


def test_next_free_window_gives_up_beyond_the_horizon() -> None:
    me = initiative(None, d(3, 5), d(3, 9), [YOUTH_HALMSTAD])
    other = initiative(1, d(3, 1), d(3, 10), [YOUTH_HALMSTAD])
    assert next_free_window(me, [other], horizon_days=19) is None
    assert next_free_window(me, [other], horizon_days=20) == d(3, 25)


# --- blocked periods, panel load, clusters -------------------------------------------------------


def test_blocked_conflicts_share_a_day_and_skip_cancelled() -> None:
    summer = BlockedPeriod(name="Sommar", start=d(6, 20), end=d(8, 10))
    election = BlockedPeriod(name="Val", start=d(9, 1), end=d(9, 13))
    items = [
        initiative(1, d(6, 1), d(6, 20)),  # touches the first day of summer
        initiative(2, d(8, 11), d(8, 31)),  # starts the day after summer
        initiative(3, d(8, 1), d(9, 5)),
        initiative(4, d(7, 1), d(7, 5), stage=Stage.CANCELLED),
    ]
    assert blocked_conflicts(items, [election, summer]) == [
        (1, summer),
        (3, summer),
        (3, election),
    ]


def test_clusters_are_connected_components() -> None:
    overlaps = [
        Overlap(5, 9, "direct", Severity.MEDIUM, ()),
        Overlap(1, 2, "near", Severity.LOW, ()),
        Overlap(2, 7, "near", Severity.LOW, ()),
        Overlap(9, 11, "direct", Severity.HIGH, ()),
    ]
    assert clusters(overlaps) == [[1, 2, 7], [5, 9, 11]]
    assert clusters([]) == []


def test_the_module_stays_pure() -> None:
    probe = (
        "import sys, dialogtui.overlap; "
        "print(sorted(m for m in ('textual', 'sqlite3', 'sqlite_utils', 'dialogtui.store') "
        "if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"


# --- properties: the sweep equals the rule -------------------------------------------------------

BASE = date(2027, 1, 1)
SEGMENTS = catalog.segments()[:4]  # few tags, so that groups meet often


@st.composite
def target_groups(draw: st.DrawFn) -> TargetGroup:
    ages = draw(st.lists(st.sampled_from([0, 13, 19, 20, 64, 65, 120]), min_size=2, max_size=2))
    return TargetGroup(
        name=draw(st.sampled_from(["", "", "Unga", "Äldre i Hylte"])),
        municipalities=draw(st.lists(st.sampled_from(list(Municipality)), max_size=2)),
        age_min=min(ages),
        age_max=max(ages),
        segments=draw(st.lists(st.sampled_from(SEGMENTS), max_size=2)),
    )


@st.composite
def initiatives(draw: st.DrawFn, ident: int | None, pool: Sequence[TargetGroup] = ()) -> Initiative:
    # Groups drawn from a shared pool make equal groups, and so high severity, common.
    groups = st.one_of(target_groups(), st.sampled_from(pool)) if pool else target_groups()
    start = BASE + timedelta(days=draw(st.integers(0, 120)))
    return initiative(
        ident,
        start,
        start + timedelta(days=draw(st.integers(0, 30))),
        draw(st.lists(groups, max_size=3)),
        panel=draw(st.booleans()),
        stage=draw(st.sampled_from([Stage.PLANNING, Stage.RUNNING, Stage.CANCELLED])),
    )


@st.composite
def portfolios(draw: st.DrawFn) -> list[Initiative]:
    pool = draw(st.lists(target_groups(), min_size=1, max_size=3))
    ids = draw(st.lists(st.integers(1, 60), unique=True, max_size=14))
    return [draw(initiatives(ident, pool)) for ident in ids]


FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FASTER = settings(FAST, max_examples=100)


@FAST
@given(portfolios(), st.sampled_from([0, 1, 3, 14]))
def test_sweep_equals_all_pairs(items: list[Initiative], rest_days: int) -> None:
    fast = find_overlaps(items, rest_days)
    assert fast == find_overlaps_naive(items, rest_days)
    assert [(o.a, o.b) for o in fast] == sorted({(o.a, o.b) for o in fast})
    assert all(o.a < o.b for o in fast)


@FASTER
@given(portfolios(), st.sampled_from([0, 1, 3, 14]))
def test_every_order_of_the_index_lists_every_pair_once(
    items: list[Initiative], rest_days: int
) -> None:
    expected = {(o.a, o.b): o.severity.rank for o in find_overlaps_naive(items, rest_days)}
    index = OverlapIndex(items, rest_days)
    by_id = [(a, b, code) for a, found in index.by_id() for b, code in found]
    assert [(a, b) for a, b, _ in by_id] == sorted(expected)
    assert {(a, b): code for a, b, code in by_id} == expected
    starts = {i.id: i.start.toordinal() for i in items}
    for order, pick in ((index.by_first_start, min), (index.by_last_start, max)):
        days = [day for day, _ in order()]
        assert days == sorted(set(days))  # day after day, each once
        listed = [(day, a, b, code) for day, batch in order() for a, b, code in batch]
        assert len(listed) == len(expected)
        assert {(a, b): code for _, a, b, code in listed} == expected
        assert all(day == pick(starts[a], starts[b]) for day, a, b, _ in listed)
    for item in items:
        ident = item.id or 0
        mine = sorted(
            (b if a == ident else a, c) for (a, b), c in expected.items() if ident in (a, b)
        )
        assert index.partners(ident) == mine
    for (a, b), code in expected.items():
        assert index.code(a, b) == index.code(b, a) == code
        assert index.overlap(a, b, code).reasons == index.reasons(a, b, code)


def test_an_initiative_longer_than_all_others_is_found_from_both_ends() -> None:
    # The length classes bound each binary search; a year-long one must still meet a day.
    long = initiative(1, d(1, 1), d(12, 31), [YOUTH_HALMSTAD])
    short = [initiative(n, d(6, n), d(6, n), [YOUTH_HALMSTAD]) for n in range(2, 6)]
    index = OverlapIndex([long, *short])
    assert [b for b, _ in index.partners(1)] == [2, 3, 4, 5]
    assert index.partners(3) == [(1, 2), (2, 0), (4, 0), (5, 0)]  # days apart: near


@FASTER
@given(portfolios(), st.sampled_from([0, 2, 14]), st.data())
def test_overlaps_for_equals_the_pairs_of_one(
    items: list[Initiative], rest_days: int, data: st.DataObject
) -> None:
    if not items:
        return
    me = data.draw(st.sampled_from(items))
    expected = [o for o in find_overlaps_naive(items, rest_days) if me.id in (o.a, o.b)]
    assert overlaps_for(me, items, rest_days) == expected


def _next_free_window_naive(
    me: Initiative,
    others: list[Initiative],
    rest_days: int,
    horizon_days: int,
    ignore: set[frozenset[int]],
) -> date | None:
    ident = me.id or 0
    rest = [o for o in others if (o.id or 0) != ident]
    for offset in range(horizon_days + 1):
        moved = shift(me, me.start + timedelta(days=offset))
        hits = [
            o
            for o in find_overlaps_naive([moved, *rest], rest_days)
            if ident in (o.a, o.b) and o.pair not in ignore
        ]
        if not hits:
            return moved.start
    return None


@FASTER
@given(
    portfolios(),
    initiatives(None),
    st.sampled_from([0, 3, 14]),
    st.integers(0, 90),
    st.data(),
)
def test_next_free_window_equals_day_by_day_search(
    items: list[Initiative],
    me: Initiative,
    rest_days: int,
    horizon_days: int,
    data: st.DataObject,
) -> None:
    pairs = [frozenset({0, o.id or 0}) for o in items]
    ignore = set(data.draw(st.lists(st.sampled_from(pairs), max_size=3))) if pairs else set()
    expected = _next_free_window_naive(me, items, rest_days, horizon_days, ignore)
    assert next_free_window(me, items, rest_days, horizon_days, ignore) == expected


def test_a_search_can_be_cancelled() -> None:
    from dialogtui.overlap import Cancelled

    both = [
        initiative(1, d(3, 1), d(3, 5), panel=True),
        initiative(2, d(3, 2), d(3, 6), panel=True),
    ]
    with pytest.raises(Cancelled):
        find_overlaps(both, cancelled=lambda: True)
    assert len(find_overlaps(both, cancelled=lambda: False)) == 1
