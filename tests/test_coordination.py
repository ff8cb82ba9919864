"""Overlaps as the coordinator meets them: warnings before a save, coordination, the CLI."""

from __future__ import annotations

import io
import json
from datetime import date
from itertools import pairwise
from pathlib import Path

import pytest
from textual.widgets import Select

from dialogtui.cli import main
from dialogtui.coordination import (
    check_candidate,
    fingerprint,
    load_state,
    panel_heading,
    write_overlaps_text,
)
from dialogtui.domain import Method
from dialogtui.models import BlockedPeriod, CoordinationMark
from dialogtui.screens.calendar import CalendarScreen
from dialogtui.screens.dialogs import TextPromptScreen
from dialogtui.screens.form import InitiativeFormScreen
from dialogtui.screens.initiative import InitiativeScreen
from dialogtui.screens.overlaps import (
    OverlapDetailScreen,
    OverlapRows,
    OverlapScreen,
    OverlapWarningScreen,
)
from dialogtui.store import Store
from dialogtui.widgets.initiative_table import InitiativeTable
from tests.conftest import TODAY
from tests.factories import make_initiative
from tests.ui import make_app, saves_settled, settle, settled, widget_text

UNGA = {
    "name": "Unga i Halmstad",
    "municipalities": ["Halmstad"],
    "age_min": 13,
    "age_max": 19,
    "segments": ["unga"],
}


def existing(store: Store) -> int:
    created = store.create_initiative(
        make_initiative(
            title="Ungas psykiska hälsa", start="2026-12-01", end="2026-12-20", target_groups=[UNGA]
        )
    )
    return created.id or 0


def test_coordination_holds_until_dates_change(store: Store) -> None:
    first = existing(store)
    second = store.create_initiative(
        make_initiative(
            title="Kulturvanor",
            unit="Kultur i Halland",
            start="2026-12-10",
            end="2026-12-30",
            target_groups=[UNGA],
        )
    )
    state = load_state(store, today=TODAY)
    (overlap,) = state.open
    assert (overlap.a, overlap.b) == (first, second.id)
    assert overlap.severity.label == "hög"
    a, b = state.initiatives[first], state.initiatives[second.id or 0]
    store.mark_coordinated(
        CoordinationMark(
            a=first, b=second.id or 0, note="Olika veckor", fingerprint=fingerprint(a, b)
        )
    )
    state = load_state(store, today=TODAY)
    assert state.open == [] and len(state.coordinated) == 1
    assert state.coordinated[0][1].note == "Olika veckor"
    # The second one moves: the decision no longer covers it, and it warns again.
    store.update_initiative(
        store.initiative(second.id or 0).model_copy(update={"start": date(2026, 12, 5)})
    )
    assert len(load_state(store, today=TODAY).open) == 1
    actions = [e.action for e in store.audit_log(first)]
    assert "coordinate" in actions


def test_candidate_check_suggests_the_next_free_window(store: Store) -> None:
    existing(store)
    candidate = make_initiative(
        title="Ny", start="2026-12-15", end="2026-12-24", target_groups=[UNGA]
    )
    check = check_candidate(store, candidate, TODAY)
    assert len(check.overlaps) == 1
    assert check.suggestion is not None
    # Ends 20 Dec; with 14 rest days the earliest clear start is 4 Jan.
    assert check.suggestion.start == date(2027, 1, 4)
    assert check.suggestion.days == candidate.days
    assert check_candidate(store, check.suggestion, TODAY).is_clear


def test_the_suggested_window_keeps_clear_of_blocked_periods(store: Store) -> None:
    existing(store)
    store.save_blocked_period(BlockedPeriod(name="Jul", start="2026-12-21", end="2027-01-10"))
    candidate = make_initiative(
        title="Ny", start="2026-12-15", end="2026-12-24", target_groups=[UNGA]
    )
    check = check_candidate(store, candidate, TODAY)
    assert [p.name for p in check.blocked] == ["Jul"]
    assert check.suggestion is not None
    # Clear of the overlap from 4 January, but Christmas is blocked until 10 January.
    assert check.suggestion.start == date(2027, 1, 11)
    assert check_candidate(store, check.suggestion, TODAY).is_clear
    # A period alone, with no overlap, also gets a suggestion.
    elsewhere = make_initiative(start="2026-12-28", end="2026-12-30", target_groups=[])
    alone = check_candidate(store, elsewhere, TODAY)
    assert not alone.overlaps and alone.suggestion is not None
    assert alone.suggestion.start == date(2027, 1, 11)


def test_blocked_periods_and_panel_cap_are_reported(store: Store) -> None:
    store.save_blocked_period(BlockedPeriod(name="Jul", start="2026-12-21", end="2027-01-06"))
    existing(store)
    store.set_setting("panel_cap_year", "1")
    ids = store.create_initiatives(
        [
            make_initiative(
                title=f"Panel {n}",
                method="panel_survey",
                start=f"2027-0{n}-01",
                end=f"2027-0{n}-05",
                target_groups=[],
            )
            for n in (1, 2)
        ]
    )
    state = load_state(store, today=TODAY)
    assert [(period.name) for _, period in state.blocked] == ["Jul"]
    assert [(p.initiative_id, p.count, p.since) for p in state.panel] == [
        (ids[1], 2, date(2027, 1, 1))
    ]
    # The cap of one is said in the singular, by the screen and the command line alike.
    out = io.StringIO()
    write_overlaps_text(store, out, today=TODAY)
    assert "Hallandspanelen över taket (1 panelenkät på 12 månader):" in out.getvalue()
    assert panel_heading(2) == "Hallandspanelen över taket (2 panelenkäter på 12 månader)"


def test_overlaps_cli_json_contract_and_rest_days(
    store: Store, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Whether an overlap is still open depends on the day: both dialogues are to come.
    monkeypatch.setenv("DIALOGTUI_TODAY", TODAY.isoformat())
    existing(store)
    store.create_initiative(
        make_initiative(title="Nära", start="2027-01-03", end="2027-01-10", target_groups=[UNGA])
    )
    assert main(["overlaps", "--db", str(store.path), "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["a"] < row["b"]
    assert (row["kind"], row["severity"], row["coordinated"]) == ("near", "low", False)
    assert "vilotid 14 dagar" in row["reasons"][-1]
    assert main(["overlaps", "--db", str(store.path), "--json", "--rest-days", "10"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["overlaps", "--db", str(store.path)]) == 0
    assert "Öppna överlapp: 1" in capsys.readouterr().out
    assert main(["overlaps", "--db", str(store.path), "--rest-days", "-1"]) == 1


async def test_overlapping_registration_warns_before_saving_then_is_coordinated(
    store: Store,
) -> None:
    existing(store)
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        await pilot.press("n", *"Kulturvanor bland unga", "enter", *"Kultur i Halland")
        form = app.screen
        assert isinstance(form, InitiativeFormScreen)
        form.query_one("#method", Select).value = Method.FOCUS_GROUP
        form.query_one("#start").value = "2026-12-10"  # type: ignore[attr-defined]
        form.query_one("#end").value = "2026-12-18"  # type: ignore[attr-defined]
        await pilot.press("ctrl+g")
        await pilot.pause()
        form.query_one(".age-min").value = "13"  # type: ignore[attr-defined]
        form.query_one(".age-max").value = "19"  # type: ignore[attr-defined]
        form.query_one(".municipalities").select("Halmstad")  # type: ignore[attr-defined]
        form.query_one(".segments").select("unga")  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)

        assert isinstance(app.screen, OverlapWarningScreen)
        warning = widget_text(app.screen.query_one("VerticalScroll Static"))
        assert "Ungas psykiska hälsa" in warning and "unga 13–19 i Halmstad" in warning
        assert store.count_initiatives() == 1  # nothing written yet
        await pilot.press("escape")
        assert isinstance(app.screen, InitiativeFormScreen)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("s")  # save anyway
        await settled(pilot)
        assert store.count_initiatives() == 2
        assert isinstance(app.screen, InitiativeScreen)
        assert "hög: Ungas psykiska hälsa" in widget_text(app.screen.query_one("#body"))

        await pilot.press("escape", "3")
        await settle(pilot)
        assert "⚠ Ungas psykiska" in widget_text(app.screen.query_one(InitiativeTable))

        await pilot.press("o")
        assert isinstance(app.screen, OverlapScreen)
        rows = app.screen.query_one(OverlapRows)
        assert "1 öppet" in widget_text(app.screen.query_one("#overlap-summary"))
        await pilot.press("down", "enter")
        assert isinstance(app.screen, OverlapDetailScreen)
        await pilot.press("k")
        assert isinstance(app.screen, TextPromptScreen)
        await pilot.press(*"Olika skolor och veckor", "enter")
        await settled(pilot)
        await pilot.press("escape")
        assert isinstance(app.screen, OverlapScreen)
        rows = app.screen.query_one(OverlapRows)
        assert "0 öppna · 1 samordnat" in widget_text(app.screen.query_one("#overlap-summary"))
        assert "samordnat: Olika skolor" in widget_text(rows)
        await pilot.press("escape")
        assert isinstance(app.screen, CalendarScreen)
        assert "⚠" not in widget_text(app.screen.query_one(InitiativeTable))


async def test_move_to_the_suggested_window(store: Store, db_path: Path) -> None:
    existing(store)
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        await pilot.press("n", *"Flyttbar", "enter", *"Enhet")
        form = app.screen
        form.query_one("#method", Select).value = Method.SURVEY
        form.query_one("#start").value = "2026-12-15"  # type: ignore[attr-defined]
        form.query_one("#end").value = "2026-12-24"  # type: ignore[attr-defined]
        form.query_one("#deadline").value = "2026-12-20"  # type: ignore[attr-defined]
        await pilot.press("ctrl+g")
        await pilot.pause()
        form.query_one(".segments").select("unga")  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, OverlapWarningScreen)
        assert "4–13 jan 2027" in widget_text(app.screen.query_one("Vertical > Static"))
        await pilot.press("f")
        await settled(pilot)
        moved = next(i for i in store.initiatives() if i.title == "Flyttbar")
        assert (moved.start, moved.end, moved.deadline) == (
            date(2027, 1, 4),
            date(2027, 1, 13),
            date(2027, 1, 9),
        )


async def test_rest_days_and_blocked_periods_are_set_with_keys(store: Store) -> None:
    from dialogtui.screens.settings import BlockedPeriodScreen, SettingsScreen

    existing(store)
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 30)) as pilot:
        await pilot.press("o", "v")
        assert isinstance(app.screen, SettingsScreen)
        await pilot.press("backspace", "backspace", *"abc", "enter")
        assert "Vilotid: måste vara ett heltal mellan 0 och 365" in widget_text(
            app.screen.query_one("#settings-error")
        )
        assert store.setting("rest_days") is None
        await pilot.press("shift+tab", "ctrl+a", "ctrl+k", *"21", "enter")
        await saves_settled(pilot)
        assert store.setting("rest_days") == "21"
        await pilot.press("ctrl+n")
        assert isinstance(app.screen, BlockedPeriodScreen)
        await pilot.press(*"Jullov", "enter", *"20/12 2026", "enter", *"6/1 2027", "ctrl+s")
        await saves_settled(pilot)
        assert isinstance(app.screen, SettingsScreen)
        (period,) = store.blocked_periods()
        assert (period.name, period.start, period.end) == (
            "Jullov",
            date(2026, 12, 20),
            date(2027, 1, 6),
        )
        await pilot.press("tab", "tab", "delete")  # into the list of periods; remove it again
        await saves_settled(pilot)
        assert store.blocked_periods() == []
        await pilot.press("ctrl+n", *"Jullov", "enter", *"20/12 2026", "enter", *"6/1 2027")
        await pilot.press("ctrl+s")
        await settled(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert "Jullov" in widget_text(app.screen.query_one(OverlapRows))
        assert "1 i spärrade perioder" in widget_text(app.screen.query_one("#overlap-summary"))


async def test_a_target_group_is_added_and_removed_with_keys(store: Store) -> None:
    created = store.create_initiative(make_initiative(target_groups=[UNGA, {}]))
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        app.edit_initiative(created)
        await pilot.pause()
        form = app.screen
        remove = form.query(".remove-group").last()
        remove.focus()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert [g.name for g in store.initiative(created.id or 0).target_groups] == [
            "Unga i Halmstad"
        ]


def test_an_edit_warns_only_of_overlaps_it_would_create(store: Store) -> None:
    existing(store)
    second = store.create_initiative(
        make_initiative(
            title="Redan överlappande", start="2026-12-05", end="2026-12-12", target_groups=[UNGA]
        )
    )
    retitled = second.model_copy(update={"title": "Ny titel"})
    assert check_candidate(store, retitled, TODAY).is_clear
    third = store.create_initiative(
        make_initiative(title="Senare", start="2027-02-01", end="2027-02-10", target_groups=[UNGA])
    )
    moved = second.model_copy(update={"start": date(2027, 2, 1), "end": date(2027, 2, 8)})
    (new,) = check_candidate(store, moved, TODAY).overlaps
    assert new.pair == frozenset((second.id, third.id))


def test_the_light_form_judges_and_fingerprints_exactly_as_the_full_one(store: Store) -> None:
    from dialogtui.demo import fill
    from dialogtui.overlap import find_overlaps

    fill(store, TODAY)
    full = store.initiatives()
    light = store.planned()
    assert [(p.id, p.title, p.start, p.end, p.stage) for p in light] == [
        (i.id, i.title, i.start, i.end, i.stage) for i in full
    ]
    assert find_overlaps(light) == find_overlaps(full)  # reasons included
    by_id = {p.id: p for p in light}
    for a, b in pairwise(full):
        assert a.id is not None and b.id is not None
        # Marks made from either form must keep matching after a restart.
        assert fingerprint(by_id[a.id], by_id[b.id]) == fingerprint(a, b)
