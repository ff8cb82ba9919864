"""Overlaps held compactly and written as a stream: every view and the CLI must show exactly what
the old, all-in-memory implementation showed. The old one is kept here, as the reference."""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from dialogtui import coordination
from dialogtui.cli import main
from dialogtui.coordination import (
    fingerprint,
    load_state,
    todo_list,
    write_overlaps_json,
    write_overlaps_text,
)
from dialogtui.demo import fill
from dialogtui.domain import Municipality, Planned
from dialogtui.models import BlockedPeriod, CoordinationMark
from dialogtui.overlap import Overlap, OverlapIndex, clusters, find_overlaps_naive
from dialogtui.rules import evaluation_answered
from dialogtui.screens.overlaps import OverlapRows, OverlapScreen, build_lines, overlap_line
from dialogtui.store import Store
from dialogtui.todo import todo_items
from tests.conftest import TODAY
from tests.factories import make_initiative
from tests.ui import make_app, widget_text

SEGMENTS = ["unga", "äldre", "patienter", "anhöriga"]


def _random_group(rng: random.Random) -> dict[str, Any]:
    age_min = rng.choice([0, 13, 18, 65])
    return {
        "name": rng.choice(["", "", "Unga", "Äldre i Hylte"]),
        "municipalities": [m.value for m in rng.sample(list(Municipality), rng.choice([0, 1, 2]))],
        "age_min": age_min,
        "age_max": rng.choice([age_min, 19, 64, 120]) if age_min < 64 else 120,
        "segments": rng.sample(SEGMENTS, rng.choice([0, 0, 1, 2])),
    }


@pytest.fixture
def region(store: Store) -> Store:
    """The demo, 150 random initiatives around it, coordination marks (one of them stale),
    a blocked period and a low panel cap: every part of the overlap output has something."""
    fill(store, TODAY)
    rng = random.Random(12)
    base = date(2026, 9, 1)
    made = []
    for n in range(150):
        start = base + timedelta(days=rng.randrange(200))
        made.append(
            make_initiative(
                title=f'Slump {n} «citat» "dubbel" \\ snedstreck',
                start=start,
                end=start + timedelta(days=rng.randrange(40)),
                uses_panel=rng.random() < 0.2,
                stage=rng.choice(["planning", "running", "cancelled"]),
                target_groups=[_random_group(rng) for _ in range(rng.choice([0, 1, 1, 2, 3]))],
            )
        )
    store.create_initiatives(made)
    planned = {p.id: p for p in store.planned()}
    found = find_overlaps_naive(list(planned.values()))
    for overlap in rng.sample(found, 6):
        a, b = planned[overlap.a], planned[overlap.b]
        store.mark_coordinated(
            CoordinationMark(a=a.id, b=b.id, note="Avstämt", fingerprint=fingerprint(a, b))
        )
    stale = rng.choice(found)
    store.mark_coordinated(
        CoordinationMark(a=stale.a, b=stale.b, note="Gammalt", fingerprint="0" * 16)
    )
    store.save_blocked_period(BlockedPeriod(name="Jul", start="2026-12-21", end="2027-01-06"))
    store.set_setting("panel_cap_year", "2")
    return store


# --- the old implementation, the reference -------------------------------------------------------


def _old_history(store: Store, rest: int) -> list[Overlap]:
    initiatives = {i.id: i for i in store.planned()}
    marks = store.coordination_marks()
    return [
        o
        for o in find_overlaps_naive(list(initiatives.values()), rest)
        if not coordination.is_open(
            initiatives[o.a], initiatives[o.b], marks.get((o.a, o.b)), TODAY
        )
        and not (
            (mark := marks.get((o.a, o.b))) is not None
            and mark.fingerprint == fingerprint(initiatives[o.a], initiatives[o.b])
        )
    ]


def _old_split(
    store: Store, rest: int
) -> tuple[dict[int, Planned], list[Overlap], list[tuple[Overlap, CoordinationMark]]]:
    """Open (`is_open` on TODAY) and coordinated; history is `_old_history`."""
    initiatives = {i.id: i for i in store.planned()}
    marks = store.coordination_marks()
    open_: list[Overlap] = []
    coordinated: list[tuple[Overlap, CoordinationMark]] = []
    for overlap in find_overlaps_naive(list(initiatives.values()), rest):
        first, second = initiatives[overlap.a], initiatives[overlap.b]
        mark = marks.get((overlap.a, overlap.b))
        if coordination.is_open(first, second, mark, TODAY):
            open_.append(overlap)
        elif mark is not None and mark.fingerprint == fingerprint(first, second):
            coordinated.append((overlap, mark))

    def order(o: Overlap) -> tuple[int, date, int, int]:
        first = min(initiatives[o.a].start, initiatives[o.b].start)
        return (-o.severity.rank, first, o.a, o.b)

    open_.sort(key=order)
    return initiatives, open_, coordinated


def _old_clusters(store: Store, rest: int = 14) -> list[list[Overlap]]:
    initiatives, open_, _ = _old_split(store, rest)
    member_of = {i: n for n, ids in enumerate(clusters(open_)) for i in ids}
    grouped: dict[int, list[Overlap]] = {}
    for overlap in open_:
        grouped.setdefault(member_of[overlap.a], []).append(overlap)

    def order(group: list[Overlap]) -> tuple[int, date, int, int]:
        o = group[0]
        first = min(initiatives[o.a].start, initiatives[o.b].start)
        return (-o.severity.rank, first, o.a, o.b)

    return sorted(grouped.values(), key=order)


def _old_json(store: Store, rest: int, include_coordinated: bool) -> str:
    _, open_, coordinated = _old_split(store, rest)
    rows = [(o, False, True) for o in open_]
    rows += [(o, False, False) for o in _old_history(store, rest)]
    if include_coordinated:
        rows += [(o, True, False) for o, _ in coordinated]
    records = [
        {**o.to_json(c), "open": is_open}
        for o, c, is_open in sorted(rows, key=lambda r: (r[0].a, r[0].b))
    ]
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def _old_text(store: Store, rest: int, include_coordinated: bool) -> str:
    from dialogtui.overlap import blocked_conflicts
    from dialogtui.rules import panel_peaks, peak_text

    titles, open_, coordinated = _old_split(store, rest)
    out = io.StringIO()
    out.write(f"Öppna överlapp: {len(open_)} (vilotid {rest} {'dag' if rest == 1 else 'dagar'})\n")
    shown: list[tuple[Overlap, CoordinationMark | None]] = [(o, None) for o in open_]
    if include_coordinated:
        shown += [(o, mark) for o, mark in coordinated]
    for overlap, mark in shown:
        kind = "samtidigt" if overlap.kind == "direct" else "inom vilotiden"
        status = f"  [samordnat: {mark.note}]" if mark else ""
        out.write(
            f"\n{overlap.severity.label:<5} {kind:<14} #{overlap.a} {titles[overlap.a].title}"
            f"  ↔  #{overlap.b} {titles[overlap.b].title}{status}\n"
        )
        for reason in overlap.reasons:
            out.write(f"      {reason}\n")
    if not include_coordinated and coordinated:
        out.write(f"\nSamordnade: {len(coordinated)} (visa med --include-coordinated)\n")
    blocked = blocked_conflicts(list(titles.values()), store.blocked_periods())
    if blocked:
        out.write("\nI spärrade perioder:\n")
        for initiative_id, period in blocked:
            out.write(
                f"  #{initiative_id} {titles[initiative_id].title}: {period.name}"
                f" {period.start.isoformat()}–{period.end.isoformat()}\n"
            )
    history = _old_history(store, rest)
    if history:
        out.write(f"\nHistorik: båda dialogerna har slutat: {len(history)}\n")
    cap = coordination.panel_cap(store)
    panel = panel_peaks(store.panel_surveys(), cap)
    if panel:
        out.write(f"\nHallandspanelen över taket ({cap} panelenkäter på 12 månader):\n")
        for peak in panel:
            out.write(f"  #{peak.initiative_id} {titles[peak.initiative_id].title}: ")
            out.write(f"{peak_text(peak)}\n")
    return out.getvalue()


def _facts(overlaps: Any) -> list[tuple[int, int, str, str, tuple[str, ...]]]:
    return [(o.a, o.b, o.kind, o.severity.value, o.reasons) for o in overlaps]


# --- the CLI's stream ----------------------------------------------------------------------------


@pytest.mark.parametrize(("rest", "include"), [(14, False), (14, True), (0, True), (30, False)])
def test_json_stream_writes_the_old_bytes(region: Store, rest: int, include: bool) -> None:
    out = io.StringIO()
    write_overlaps_json(region, out, rest, include, today=TODAY)
    expected = _old_json(region, rest, include)
    assert len(json.loads(expected)) > 100  # the comparison covers many records
    assert out.getvalue() == expected


@pytest.mark.parametrize(("rest", "include"), [(14, False), (14, True), (3, True)])
def test_text_stream_writes_the_old_bytes(region: Store, rest: int, include: bool) -> None:
    out = io.StringIO()
    write_overlaps_text(region, out, rest, include, today=TODAY)
    expected = _old_text(region, rest, include)
    assert "[samordnat: Avstämt]" in expected or not include
    assert "I spärrade perioder" in expected and "Hallandspanelen över taket" in expected
    assert "Historik: båda dialogerna har slutat" in expected
    assert out.getvalue() == expected


def test_an_empty_database_writes_an_empty_list(store: Store) -> None:
    out = io.StringIO()
    assert write_overlaps_json(store, out, today=TODAY) == 0
    assert out.getvalue() == json.dumps([], indent=2) + "\n"
    out = io.StringIO()
    write_overlaps_text(store, out, today=TODAY)
    assert out.getvalue() == "Öppna överlapp: 0 (vilotid 14 dagar)\n"


def test_the_cli_writes_the_stream(
    region: Store, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIALOGTUI_TODAY", TODAY.isoformat())
    assert main(["overlaps", "--db", str(region.path), "--json", "--include-coordinated"]) == 0
    assert capsys.readouterr().out == _old_json(region, 14, True)
    assert main(["overlaps", "--db", str(region.path), "--rest-days", "5"]) == 0
    assert capsys.readouterr().out == _old_text(region, 5, False)


def test_json_is_written_while_the_overlaps_are_still_sought(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 80 focus groups for the whole region in one month: 3,160 pairs, more than a chunk.
    store.create_initiatives(
        [
            make_initiative(start="2027-03-01", end="2027-03-31", target_groups=[{}])
            for _ in range(80)
        ]
    )
    sought = 0
    original = OverlapIndex.by_id

    def counting(self: OverlapIndex, *args: Any) -> Iterator[tuple[int, list[tuple[int, int]]]]:
        nonlocal sought
        for batch in original(self, *args):
            sought += 1
            yield batch

    monkeypatch.setattr(OverlapIndex, "by_id", counting)

    class Recorder(io.StringIO):
        sought_at_first_write: int | None = None

        def write(self, text: str) -> int:
            if self.sought_at_first_write is None:
                self.sought_at_first_write = sought
            return super().write(text)

    out = Recorder()
    assert write_overlaps_json(store, out, today=TODAY) == 80 * 79 // 2
    assert out.sought_at_first_write is not None
    assert 0 < out.sought_at_first_write < sought  # written before the search was through


# --- the compact state ---------------------------------------------------------------------------


def test_open_overlaps_are_the_old_clusters_in_their_order(region: Store) -> None:
    state = load_state(region, today=TODAY)
    expected = _old_clusters(region)
    assert len(expected) > 1  # several clusters, so that their order is tested
    assert _facts(state.open) == _facts(o for cluster in expected for o in cluster)
    assert [(count, members) for _, count, members in state.open.clusters()] == [
        (len(c), len({i for o in c for i in (o.a, o.b)})) for c in expected
    ]
    assert len(state.open) == sum(len(c) for c in expected)
    # Random access, slices and negative positions agree with iteration.
    listed = list(state.open)
    assert state.open[-1] == listed[-1]
    assert state.open[5:9] == listed[5:9]
    assert state.open == listed
    assert [state.open.pair(i) for i in (0, 7)] == [
        (o.a, o.b, o.severity.rank) for o in (listed[0], listed[7])
    ]
    with pytest.raises(IndexError):
        state.open[len(listed)]


def test_each_initiative_sees_its_own_part_of_the_old_list(region: Store) -> None:
    state = load_state(region, today=TODAY)
    _, open_, coordinated = _old_split(region, 14)
    assert state.coordinated == coordinated
    ongoing = {i for i, _ in state.blocked if state.initiatives[i].end >= TODAY}
    assert state.open_ids == {i for o in open_ for i in (o.a, o.b)} | ongoing
    for ident in state.initiatives:
        mine = [o for o in open_ if ident in (o.a, o.b)]
        assert state.open_for(ident) == mine
        assert state.open_count(ident) == len(mine)
    for overlap in open_[:40]:
        assert state.find(overlap.b, overlap.a) == (overlap, None)
    for overlap, mark in coordinated:
        assert state.find(overlap.a, overlap.b) == (overlap, mark)
    some = next(iter(state.initiatives))
    assert state.find(some, some) is None


def test_the_overlap_view_lists_the_old_lines(region: Store) -> None:
    state = load_state(region, today=TODAY)
    expected: list[tuple[str, tuple[int, int] | None]] = []
    for number, cluster in enumerate(_old_clusters(region), start=1):
        ids = {i for o in cluster for i in (o.a, o.b)}
        expected.append((f"Grupp {number}: {len(ids)} initiativ, {len(cluster)} överlapp", None))
        expected += [(overlap_line(state, o, None).plain, (o.a, o.b)) for o in cluster]
    lines = build_lines(state)
    shown = [
        (line.text.plain, (line.overlap.a, line.overlap.b) if line.overlap else None)
        for line in lines
    ]
    assert shown[: len(expected)] == expected
    tail = [text for text, _ in shown[len(expected) :]]
    assert tail[0] == f"Samordnade ({len(state.coordinated)})"
    assert "I spärrade perioder" in tail
    assert "Hallandspanelen över taket (2 panelenkäter på 12 månader)" in tail
    assert any(text.startswith("Historik: båda dialogerna har slutat") for text in tail)
    assert lines[len(lines) - 1].text.plain == shown[-1][0]


def test_the_to_do_list_keeps_the_old_order_of_overlaps(region: Store) -> None:
    state = load_state(region, today=TODAY)
    _, open_, _ = _old_split(region, 14)
    old = todo_items(
        TODAY,
        region.summaries(),
        region.settled_items(),
        {i: evaluation_answered(e) for i, e in region.evaluations().items()},
        region.feedback_promises(),
        [(o.a, o.b, o.severity.label) for o in open_],
    )
    new = todo_list(region, TODAY, state)
    assert sum(item.kind == "overlap" for item in new) > 50
    assert list(new) == list(old)
    assert new.counts() == [
        (kind, sum(item.kind == kind for item in old))
        for kind in dict.fromkeys(item.kind for item in old)
    ]


# --- paging --------------------------------------------------------------------------------------


async def test_the_overlap_view_makes_only_the_rows_it_shows(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 60 focus groups for the whole region in one month: 1,770 overlaps in one cluster.
    store.create_initiatives(
        [
            make_initiative(
                title=f"Fokus {n}", start="2026-12-01", end="2026-12-31", target_groups=[{}]
            )
            for n in range(60)
        ]
    )
    made = 0
    original = OverlapIndex.overlap

    def counting(self: OverlapIndex, a: int, b: int, code: int) -> Overlap:
        nonlocal made
        made += 1
        return original(self, a, b, code)

    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        monkeypatch.setattr(OverlapIndex, "overlap", counting)
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, OverlapScreen)
        rows = app.screen.query_one(OverlapRows)
        assert rows.row_count == 1 + 1770
        assert "1770 öppna" in widget_text(app.screen.query_one("#overlap-summary"))
        assert "Grupp 1: 60 initiativ, 1770 överlapp" in widget_text(rows)
        await pilot.press("end")
        await pilot.pause()
        assert "Fokus 58 ↔ Fokus 59" in widget_text(rows)
        # A page of 100 rows at the top and one at the bottom; never all 1,770.
        assert made <= 200
        await pilot.press("enter")
        await pilot.pause()
        assert "Fokus 58" in widget_text(app.screen.query_one("#overlap-detail"))


async def test_the_footer_is_rebuilt_only_when_its_keys_change(store: Store) -> None:
    from textual.widgets._footer import FooterKey

    store.create_initiatives(
        [
            make_initiative(title=f"Fokus {n}", start="2026-12-01", end="2026-12-31")
            for n in range(4)
        ]
    )
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("o")
        await pilot.pause()
        rows = app.screen.query_one(OverlapRows)
        assert rows.cursor == 1  # on the first overlap

        def keys() -> list[FooterKey]:
            return list(app.screen.query(FooterKey))

        before = keys()
        assert "Samordnat" in [key.description for key in before]
        await pilot.press("down")  # another overlap: the same keys apply
        await pilot.pause()
        assert rows.cursor == 2 and keys() == before
        await pilot.press("home")  # the cluster's heading: nothing to mark as coordinated
        await pilot.pause()
        assert keys() != before
        assert "Samordnat" not in [key.description for key in keys() if not key.disabled]


def test_the_state_survives_a_pickle(region: Store) -> None:
    # bench/search_bench.py runs the search in a process of its own and pickles the answer.
    import pickle

    state = load_state(region, today=TODAY)
    copy = pickle.loads(pickle.dumps(state))
    assert _facts(copy.open) == _facts(state.open)
    assert copy.coordinated == state.coordinated
    some = state.open[3]
    assert copy.open_for(some.a) == state.open_for(some.a)
