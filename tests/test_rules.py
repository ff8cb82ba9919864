"""The guideline's rules (issue 13), each decided in one place and tested at every door it
concerns. The README's rules section lists the same rules with their lines in the seeds.

Doors: F registration form · E edit form · S stage key `s` · J C X T `dialogtui import` of JSON,
CSV, the xlsx export and a filled registration template (the `every_file_door` tests run all
four) · I the inbox screen · L the other commands (todo, overlaps, report, export).
✓ tested here (or in the file named) · - the door does not concern the rule · = no code of its
own: the same call as a tested neighbour (E is F's form; I reads a template as T does and
checks as F does; C X T print after an import as J does; L todo is the to-do list's function).

    rule (decided in)                                        F E S J C X T I L
 1  stage gate, any change (process.stage_problems)          - ✓ ✓ ✓ ✓ ✓ ✓ - -
 2  survey needs a deadline (rules.deadline_missing)         ✓ ✓ ✓ ✓ ✓ ✓ ✓ ✓ ✓
 3  deadline within period (domain.period_problems)          ✓ ✓ - ✓ ✓ ✓ ✓ = -
 4  moving keeps the deadline's place (overlap.shift)        ✓ ✓ - - - - - - -
 5  no compensation at surveys (rules.compensation_problem)  ✓ ✓ - ✓ ✓ ✓ ✓ = -
 6  compensation: health care only; unknown unit asked       ✓ ✓ - ✓ ✓ ✓ ✓ ✓ -
 7  another payer pointed out (rules.payer_note)             ✓ = - ✓ ✓ ✓ ✓ = -
 8  panel survey uses the panel (rules.panel_by_method)      ✓ ✓ - ✓ ✓ ✓ ✓ ✓ -
 9  Invånartjänster's tasks (rules.invanartjanster_engaged)  ✓ = - ✓ ✓ ✓ ✓ = ✓
10  panel cap, 4 in 12 months (rules.panel_peaks)            ✓ ✓ - ✓ = = = = ✓
11  items ticking themselves (process.automatic_items)       ✓ ✓ - ✓ ✓ ✓ ✓ = ✓
12  conditions, personal data, feedback to respondents       ✓ = - ✓ ✓ ✓ ✓ = ✓
13  public feedback planned (rules.public_feedback_*)        - - ✓ - - - - - =
14  evaluation done at 8 of 8 (rules.evaluation_answered)    - - ✓ - - - - - ✓
15  one open overlap (coordination.is_open)                  ✓ = - ✓ = = = = ✓
16  compensation estimated in the year report (reports)      - - - - - - - - ✓

Where (test_ left out): 1 the_gate_is_passed…, edit_form_stage_change…, edit_form_moving_back…,
stage_key_asks…, stage_key_wants…, the_gate_to_closed_wants_the_dialogue_to_have_ended,
stage_key_will_not_close…, every_file_door_passes_the_stage_gate… (T: no stage, so
"anmäld"), move_and_save_of_a_registration… (F offers no stage). 2 form_says_so…,
edit_form_says…, the_deadline_is_not_called_optional… (F E), every_file_door_points_out…,
inbox_shows…, todo_lists_surveys… (L todo).
3 form_refuses_a_deadline…, edit_refuses_moving…, edit_form_says…,
every_file_door_refuses_a_deadline…, template_refuses…. 4 move_and_save_of_a_registration…,
move_and_save_of_an_edit…. 5-6 compensation_rule, form_refuses_compensation…,
form_asks_about_a_unit…, edit_refuses_compensation…, edit_form_refuses_…leaves_health_care,
every_file_door_refuses_compensation…, inbox_shows… (the unknown unit asked),
the_form_and_the_filter_offer_the_units… (F, and the filter). 7 another_payer…,
every_file_door_lets_health_care…. 8 form_ticks_the_panel…, edit_of_a_panel_survey…,
every_file_door_keeps…, inbox_shows…, cli_import_and_an_old_database…. 9 invanartjanster_tasks…,
page_shows_the_order…, history_names_who…, new_texts_… (the box in F; J C X), template_carries….
10 registration_over_the_panel_cap…, an_edit_that_goes_over…, import_points_out_the_panel_cap…
(printed after an import of several files or a workbook), panel_cap_defaults… (L overlaps),
panel_cap_is_changed_in_the_settings… (the region's setting). 11 items_with_a_source…,
automatic_items_say_so…, every_file_door_points_out…/keeps…, saving_the_eighth_answer…,
the_process_step_to_set_the_deadline… (the page's "Fastställ tidsfrist", the same fact).
12 new_texts_are_written… (F, page, summary), new_texts_travel… (J C X, export),
template_carries…. 13 no_feedback_to_the_public… (page, to-do), stage_key_asks….
14 an_evaluation_is_done…, a_partial_evaluation…, stage_key_wants…, saving_the_eighth…,
spreadsheet_export_carries…; the report's share in test_reports.py. 15 an_overlap_of_two_ended…
(state, to-do, calendar ⚠, overlaps, --json), page_and_overlap_view_agree…,
the_forms_check_before_saving… (F E I), import_prints_only_open_overlaps…. 16 in
test_reports.py: markdown_has_headings… ("Beräknad ersättning", never "Utbetald"),
csv_parses_back…, compensation_paid_is_amount_times_participants; here
cli_report_calls_the_compensation_an_estimate; the screen in test_snapshots.py::test_year_report.
"""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Checkbox, Select

from dialogtui import rules
from dialogtui.cli import main
from dialogtui.domain import Method, Stage
from dialogtui.history import describe
from dialogtui.interchange import InterchangeError, csv_headers, parse_csv, parse_json
from dialogtui.models import ChecklistEntry, Evaluation, FeedbackPromise
from dialogtui.process import ORDERER, duties, stage_problems
from dialogtui.screens.dialogs import TextPromptScreen
from dialogtui.screens.form import FieldRow, InitiativeFormScreen
from dialogtui.screens.initiative import InitiativeScreen
from dialogtui.store import Store
from dialogtui.store.checklist import AutomaticItemError
from dialogtui.store.schema import migrate
from tests.conftest import TODAY
from tests.factories import make_initiative
from tests.ui import fixed_store, make_app, settle, wait_for, widget_text

# Every free-text answer of an evaluation; with participants and a verdict it is complete.
ANSWERS = {"effect": "E", "lesson": "L", "unspoken": "U", "went_well": "W", "improve": "I"}
COMPLETE = {"participants": 10, "achieved": "yes", **ANSWERS}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def record(**overrides: Any) -> dict[str, Any]:
    """A JSON import record that passes every rule; tests change what they are about."""
    return {
        "title": "Importerad",
        "unit": "Psykiatrin Halland",
        "method": "focus_group",
        "start": "2027-03-01",
        "end": "2027-03-31",
    } | overrides


def csv_text(**cells: str) -> str:
    """A one-row CSV with the import's own headers; cells by header."""
    headers = csv_headers(0)
    base = {
        "Titel": "Importerad",
        "Beställare": "Psykiatrin Halland",
        "Metod": "fokusgrupp",
        "Invånarpanelen": "nej",
        "Start": "2027-03-01",
        "Slut": "2027-03-31",
    } | cells
    return ";".join(headers) + "\n" + ";".join(base.get(h, "") for h in headers) + "\n"


def existing(db_path: Path) -> Path:
    """An empty database: import adds to one, it never creates one."""
    Store(db_path).close()
    return db_path


def import_file(tmp_path: Path, records: list[dict[str, Any]]) -> Path:
    path = tmp_path / "in.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return path


def error_of(app: Any, field: str) -> str:
    row = app.screen.query_one(f"#row-{field}", FieldRow)
    if not row.has_class("-invalid"):
        return ""
    return " ".join(widget_text(row.query_one(".field-error")).split())


def hint_of(app: Any, field: str) -> str:
    row = app.screen.query_one(f"#row-{field}", FieldRow)
    if not row.has_class("-hinted"):
        return ""
    return " ".join(widget_text(row.query_one(".field-hint")).split())


async def registration(pilot: Any, app: Any, title: str, unit: str, method: Method) -> Any:
    """Open the registration form and fill what every registration needs."""
    await pilot.press("n", *title, "enter", *unit)
    form = app.screen
    assert isinstance(form, InitiativeFormScreen)
    form.query_one("#method", Select).value = method
    form.query_one("#start").value = "2027-03-01"
    form.query_one("#end").value = "2027-03-31"
    await pilot.pause()
    return form


async def save(pilot: Any, app: Any) -> None:
    await pilot.press("ctrl+s")
    await settle(pilot)


# --- stages: one gate, whichever door -------------------------------------------------------------


def test_the_gate_is_passed_on_the_way_and_not_going_back() -> None:
    ini = make_initiative(stage="registered", method="survey")
    jump = stage_problems(ini, Stage.CLOSED, {}, None)
    # A jump from "anmäld" to "avslutad" meets both gates: the start's and the end's.
    assert jump[0].startswith("Tidsfrist saknas")
    assert any(p.startswith("Ingen återkoppling till allmänheten") for p in jump)
    assert any(p.startswith("Före ej klar") for p in jump)
    assert "Dialogen har ingen utvärdering ännu." in jump
    closed = ini.model_copy(update={"stage": Stage.CLOSED})
    assert stage_problems(closed, Stage.PLANNING, {}, None) == []
    assert stage_problems(ini, Stage.CANCELLED, {}, None) == []


def test_the_gate_to_closed_wants_the_dialogue_to_have_ended() -> None:
    ini = make_initiative(stage="evaluation", start="2026-11-01", end="2026-12-15")
    ended = "Dialogen har inte slutat ännu: slutdatum 2026-12-15 (i dag 2026-11-24)."
    assert ended in stage_problems(ini, Stage.CLOSED, {}, None, today=date(2026, 11, 24))
    # On its last day it may be closed; going into data collection asks nothing of the end.
    assert not any(
        p.startswith("Dialogen har inte slutat")
        for p in stage_problems(ini, Stage.CLOSED, {}, None, today=date(2026, 12, 15))
    )
    planned = ini.model_copy(update={"stage": Stage.PLANNING})
    assert not any(
        p.startswith("Dialogen har inte slutat")
        for p in stage_problems(planned, Stage.RUNNING, {}, None, today=date(2026, 11, 24))
    )


async def test_stage_key_will_not_close_a_dialogue_that_has_not_ended(db_path: Path) -> None:
    from dialogtui.process import applicable_items

    store = fixed_store(db_path)
    created = store.create_initiative(
        make_initiative(stage="evaluation", start="2026-11-01", end="2026-12-15")
    )
    ident = created.id or 0
    store.save_evaluation(Evaluation(initiative_id=ident, **COMPLETE))  # type: ignore[arg-type]
    for item in applicable_items(created):
        if item.phase == "efter" and item.id != "E-utvardering":
            store.set_checklist_entry(ident, ChecklistEntry(item_id=item.id, state="done"))
    app = make_app(store)  # today is 24 November 2026: three weeks before the end
    async with app.run_test(notifications=True, size=(100, 50)) as pilot:
        app.open_initiative(ident)
        await pilot.pause()
        await pilot.press("s")
        await settle(pilot)
        # Evaluation and every Efter item done: only the dates stand in the way, and are told.
        assert isinstance(app.screen, TextPromptScreen)
        prompt = " ".join(widget_text(app.screen.query_one("Static")).split())
        assert "• Dialogen har inte slutat ännu: slutdatum 2026-12-15" in prompt
        assert "Efter ej klar" not in prompt and "tvärdering" not in prompt
        await pilot.press("escape")
        assert store.initiative(ident).stage is Stage.EVALUATION


async def test_stage_key_asks_for_deadline_and_public_feedback_before_running(
    db_path: Path,
) -> None:
    store = fixed_store(db_path)
    created = store.create_initiative(make_initiative(method="survey", stage="planning"))
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 50)) as pilot:
        app.open_initiative(created.id or 0)
        await pilot.pause()
        await pilot.press("s")
        assert isinstance(app.screen, TextPromptScreen)
        prompt = " ".join(widget_text(app.screen.query_one("Static")).split())
        assert "Tidsfrist saknas: varje undersökning ska ha en tidsfrist" in prompt
        assert "Ingen återkoppling till allmänheten är planerad" in prompt
        await pilot.press(*"Tidsfristen bestäms på mötet", "enter")
        await pilot.pause()
        assert store.initiative(created.id or 0).stage is Stage.RUNNING
        (entry,) = [e for e in store.audit_log(created.id) if e.action == "stage"]
        assert entry.note == "Åsidosatt: Tidsfristen bestäms på mötet"


async def test_stage_key_wants_a_complete_evaluation_to_close(db_path: Path) -> None:
    store = fixed_store(db_path)
    created = store.create_initiative(
        make_initiative(stage="evaluation", start="2026-10-01", end="2026-10-20")
    )
    store.save_evaluation(Evaluation(initiative_id=created.id, participants=8, lesson="L"))
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 50)) as pilot:
        app.open_initiative(created.id or 0)
        await pilot.pause()
        await pilot.press("s")
        assert isinstance(app.screen, TextPromptScreen)
        prompt = " ".join(widget_text(app.screen.query_one("Static")).split())
        assert "Utvärdering ofullständig (3 av 8): besvara alla åtta frågor." in prompt
        await pilot.press("escape")
        assert store.initiative(created.id or 0).stage is Stage.EVALUATION


async def test_edit_form_stage_change_passes_the_same_gate(db_path: Path) -> None:
    store = fixed_store(db_path)
    created = store.create_initiative(
        make_initiative(stage="planning", start="2027-03-01", end="2027-03-20")
    )
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        app.open_initiative(created.id or 0)
        await pilot.pause()
        await pilot.press("e")
        app.screen.query_one("#stage", Select).value = Stage.CLOSED
        await save(pilot, app)
        # Closed with no evaluation, open items and a start to come: listed, a reason asked.
        assert isinstance(app.screen, TextPromptScreen)
        prompt = " ".join(widget_text(app.screen.query_one("Static")).split())
        assert "Dialogen har ingen utvärdering ännu." in prompt
        assert "Före ej klar: Syftet med dialogen är tydligt" in prompt
        # The start is to come, so the dialogue has not ended either: the same gate as `s`.
        assert "Dialogen har inte slutat ännu: slutdatum 2027-03-20" in prompt
        await pilot.press("escape")
        assert isinstance(app.screen, InitiativeFormScreen)
        assert store.initiative(created.id or 0).stage is Stage.PLANNING
        await save(pilot, app)
        await pilot.press(*"Projektet lades ned", "enter")
        await settle(pilot)
        assert store.initiative(created.id or 0).stage is Stage.CLOSED
        edit = store.audit_log(created.id)[0]
        assert edit.changes["stage"] == ["planning", "closed"]
        assert edit.note == "Åsidosatt: Projektet lades ned"
        page = widget_text(app.screen.query_one("#body"))
        assert "Skede: planering → avslutad (Åsidosatt: Projektet lades ned)" in " ".join(
            page.split()
        )


async def test_edit_form_moving_back_asks_nothing(db_path: Path) -> None:
    store = fixed_store(db_path)
    created = store.create_initiative(make_initiative(stage="running"))
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        app.edit_initiative(created)
        await pilot.pause()
        app.screen.query_one("#stage", Select).value = Stage.PLANNING
        await save(pilot, app)
        assert store.initiative(created.id or 0).stage is Stage.PLANNING


def test_json_and_csv_imports_pass_the_gate_from_registered() -> None:
    with pytest.raises(InterchangeError, match=r"Post 1: Skede: ”genomförande” kräver"):
        parse_json(json.dumps([record(stage="running")]))
    with pytest.raises(InterchangeError, match=r"Post 1 \(rad 2\): Skede: ”avslutad”"):
        parse_csv(csv_text(Skede="avslutad"))
    (planned,) = parse_json(json.dumps([record(stage="planning")]))
    assert planned.stage is Stage.PLANNING
    (running,) = parse_json(json.dumps([record(stage="running")]), reason="Flytt")
    assert running.stage is Stage.RUNNING
    (closed,) = parse_csv(csv_text(Skede="avslutad"), reason="Flytt")
    assert closed.stage is Stage.CLOSED


def test_cli_import_past_the_gate_needs_a_reason_kept_in_history(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = import_file(tmp_path, [record(), record(title="Klar", stage="closed")])
    code, _, err = run(capsys, "import", str(source), "--db", str(existing(db_path)))
    assert code == 1
    assert "Post 2: Skede: ”avslutad”" in err and "--reason" in err
    assert "Dialogen har ingen utvärdering ännu" in err and "Efter-punkter ej klara" in err
    with Store(db_path) as opened:
        assert opened.count_initiatives() == 0
    code, _, _ = run(
        capsys, "import", str(source), "--db", str(db_path), "--reason", "Flytt från Excel"
    )
    assert code == 0
    with Store(db_path) as opened:
        first, second = opened.initiatives()
        # The reason goes with the record that needed it, as the stage key writes it.
        assert opened.audit_log(first.id)[0].note == ""
        assert opened.audit_log(second.id)[0].note == "Åsidosatt: Flytt från Excel"


# --- deadline: set for every survey, within its period ------------------------------------------


async def test_form_says_so_when_a_survey_has_no_deadline(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        await registration(pilot, app, "Enkät", "Psykiatrin Halland", Method.SURVEY)
        assert hint_of(app, "deadline").startswith("⚠ Tidsfrist saknas: varje undersökning")
        app.screen.query_one("#method", Select).value = Method.FOCUS_GROUP
        await pilot.pause()
        assert hint_of(app, "deadline") == ""
        app.screen.query_one("#method", Select).value = Method.PANEL_SURVEY
        await pilot.pause()
        app.screen.query_one("#deadline").value = "2027-03-20"  # type: ignore[attr-defined]
        await pilot.pause()
        assert hint_of(app, "deadline").startswith("→")
        # Only advice: a survey may be registered before its deadline is known.
        app.screen.query_one("#deadline").value = ""  # type: ignore[attr-defined]
        await save(pilot, app)
        (saved,) = store.initiatives()
        assert saved.deadline is None


def label_of(app: Any, field: str) -> str:
    row = app.screen.query_one(f"#row-{field}", FieldRow)
    return widget_text(row.query_one(".field-label")).strip()


async def test_the_deadline_is_not_called_optional_for_a_survey(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        await pilot.press("n")
        assert label_of(app, "deadline") == "Tidsfrist (valfri)"  # no method chosen yet
        app.screen.query_one("#method", Select).value = Method.SURVEY
        await pilot.pause()
        # Every survey has a deadline: "valfri" beside "Tidsfrist saknas" would contradict it.
        assert label_of(app, "deadline") == "Tidsfrist"
        app.screen.query_one("#method", Select).value = Method.FOCUS_GROUP
        await pilot.pause()
        assert label_of(app, "deadline") == "Tidsfrist (valfri)"
    survey = store.create_initiative(make_initiative(method="panel_survey"))
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        app.edit_initiative(survey)
        await pilot.pause()
        assert label_of(app, "deadline") == "Tidsfrist"


def test_todo_lists_surveys_without_a_deadline(
    store: Store, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store.create_initiatives(
        [
            make_initiative(title="Utan", method="survey", start="2027-02-01", end="2027-02-20"),
            make_initiative(
                title="Med",
                method="survey",
                start="2027-02-01",
                end="2027-02-20",
                deadline="2027-02-15",
            ),
            make_initiative(title="Möte", start="2027-02-01", end="2027-02-20"),
            make_initiative(title="Över", method="survey", start="2026-02-01", end="2026-02-20"),
        ]
    )
    monkeypatch.setenv("DIALOGTUI_TODAY", TODAY.isoformat())
    code, out, _ = run(capsys, "todo", "--json", "--db", str(store.path))
    assert code == 0
    missing = [row["title"] for row in json.loads(out) if row["kind"] == "nodeadline"]
    assert missing == ["Utan"]


def test_cli_import_points_out_a_survey_without_deadline(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = import_file(tmp_path, [record(method="survey")])
    code, _, err = run(capsys, "import", str(source), "--db", str(existing(db_path)))
    assert code == 0
    assert "Obs: Post 1 ”Importerad”: Tidsfrist saknas" in err


async def test_form_refuses_a_deadline_after_the_end(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        form = await registration(pilot, app, "Enkät", "Psykiatrin Halland", Method.SURVEY)
        form.query_one("#deadline").value = "2027-04-02"
        await save(pilot, app)
        assert isinstance(app.screen, InitiativeFormScreen)
        assert error_of(app, "deadline") == (
            "Tidsfrist (2027-04-02) får inte vara efter slutdatum (2027-03-31);"
            " den ska ligga inom dialogens period"
        )
        assert store.count_initiatives() == 0


async def test_edit_refuses_moving_the_end_before_the_deadline(store: Store) -> None:
    created = store.create_initiative(
        make_initiative(
            method="survey", deadline="2026-03-15", start="2026-03-02", end="2026-03-20"
        )
    )
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        app.edit_initiative(created)
        await pilot.pause()
        app.screen.query_one("#end").value = "2026-03-10"  # type: ignore[attr-defined]
        await save(pilot, app)
        assert "får inte vara efter slutdatum (2026-03-10)" in error_of(app, "deadline")
        assert store.initiative(created.id or 0).end == date(2026, 3, 20)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_imports_refuse_a_deadline_outside_the_period(fmt: str) -> None:
    message = r"Post 1.*Tidsfrist \(2027-04-02\) får inte vara efter slutdatum"
    with pytest.raises(InterchangeError, match=message):
        if fmt == "json":
            parse_json(json.dumps([record(method="survey", deadline="2027-04-02")]))
        else:
            parse_csv(csv_text(Metod="enkätundersökning", Tidsfrist="2027-04-02"))


def test_cli_import_refuses_a_deadline_outside_the_period(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = import_file(tmp_path, [record(method="survey", deadline="2027-02-27")])
    code, _, err = run(capsys, "import", str(source), "--db", str(existing(db_path)))
    assert code == 1
    assert "Post 1: Tidsfrist (2027-02-27) får inte vara före startdatum" in err


async def test_move_and_save_of_an_edit_moves_the_deadline_with_the_period(
    store: Store,
) -> None:
    unga = {"municipalities": ["Halmstad"], "segments": ["unga"]}
    store.create_initiative(
        make_initiative(title="Först", start="2026-12-01", end="2026-12-20", target_groups=[unga])
    )
    later = store.create_initiative(
        make_initiative(
            title="Enkät",
            method="survey",
            start="2027-02-01",
            end="2027-02-10",
            deadline="2027-02-08",
            target_groups=[unga],
        )
    )
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        app.edit_initiative(later)
        await pilot.pause()
        app.screen.query_one("#start").value = "2026-12-15"  # type: ignore[attr-defined]
        app.screen.query_one("#end").value = "2026-12-24"  # type: ignore[attr-defined]
        app.screen.query_one("#deadline").value = "2026-12-22"  # type: ignore[attr-defined]
        await save(pilot, app)
        await pilot.press("f")
        await settle(pilot)
        moved = store.initiative(later.id or 0)
        # Clear of "Först" (ends 20 Dec) plus 14 rest days; the deadline keeps its 7 days.
        assert (moved.start, moved.end, moved.deadline) == (
            date(2027, 1, 4),
            date(2027, 1, 13),
            date(2027, 1, 11),
        )


# --- compensation ---------------------------------------------------------------------------------


def test_compensation_rule() -> None:
    assert rules.compensation_problem(Method.SURVEY, "Psykiatrin Halland") is not None
    assert rules.compensation_problem(Method.PANEL_SURVEY, "Psykiatrin Halland") is not None
    assert rules.compensation_problem(Method.COUNCIL, "Psykiatrin Halland") is not None
    for method in (Method.DIALOGUE_MEETING, Method.FOCUS_GROUP, Method.WORKING_GROUP):
        assert rules.compensation_problem(method, "psykiatrin  halland") is None
        assert "hör inte dit" in str(rules.compensation_problem(method, "Kultur i Halland"))
        assert "finns inte i enhetslistan" in str(rules.compensation_problem(method, "Okänd"))
    # The local committees are in the list, and are not health care.
    assert "hör inte dit" in str(
        rules.compensation_problem(Method.DIALOGUE_MEETING, "Lokala nämnden i Hylte")
    )


async def test_the_form_and_the_filter_offer_the_units_of_the_units_list(store: Store) -> None:
    """data/units.toml says what the form and the filter offer (`units.choices`): its units
    marked `offered`, in its order, the local committees among them; then any other unit that
    has registered something, so that its dialogues can still be found."""
    from textual.widgets import Input, OptionList

    from dialogtui import units

    store.create_initiatives(
        [make_initiative(unit="Vårdcentral X"), make_initiative(unit="Område Psykiatri")]
    )
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        await pilot.press("n", *"Titel", "enter", *"Lokala nämnden i Hy")
        unit = app.screen.query_one("#unit", Input)
        # The form suggests a unit of the list as it is typed; → takes the suggestion.
        await wait_for(pilot, lambda: unit._suggestion != "", what="a suggestion")
        await pilot.press("right")
        assert unit.value == "Lokala nämnden i Hylte"
        await pilot.press("ctrl+a", "ctrl+k", *"Område Ps")
        await settle(pilot)
        await pilot.press("right")
        # A name kept known but not offered is not suggested for a new registration.
        assert unit.value == "Område Ps"
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        app.screen.query_one("#unit", Select).focus()
        await pilot.press("enter")
        await pilot.pause()
        listing = app.screen.query_one(OptionList)
        offered = [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]
    expected = list(units.offered_names())
    assert "Lokala nämnden i Hylte" in expected
    assert offered[1 : len(expected) + 1] == expected  # after "alla"
    assert offered[len(expected) + 1 :] == ["Område Psykiatri", "Vårdcentral X"]


async def test_form_refuses_compensation_for_a_survey(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        form = await registration(pilot, app, "Enkät", "Psykiatrin Halland", Method.SURVEY)
        form.query_one("#amount_sek").value = "200"
        await save(pilot, app)
        assert error_of(app, "amount_sek").startswith(
            "Ersättning: erbjuds bara vid dialogmöten, fokusgrupper och arbetsgrupper, inte vid"
            " metoden enkätundersökning"
        )
        assert store.count_initiatives() == 0


async def test_form_refuses_compensation_from_a_unit_outside_health_care(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        form = await registration(pilot, app, "Möte", "Kultur i Halland", Method.DIALOGUE_MEETING)
        form.query_one("#amount_sek").value = "300"
        await save(pilot, app)
        assert "bara hälso- och sjukvården får erbjuda ersättning" in error_of(app, "amount_sek")
        form.query_one("#unit").value = "Närsjukvården Halland"
        await save(pilot, app)
        (saved,) = store.initiatives()
        assert saved.compensation is not None and saved.compensation.amount_sek == 300


async def test_form_asks_about_a_unit_it_does_not_know(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        form = await registration(pilot, app, "Möte", "Vårdcentral X", Method.FOCUS_GROUP)
        form.query_one("#unit").focus()
        await pilot.press("tab")  # leaving the field points it out
        assert hint_of(app, "unit").startswith(
            "⚠ ”Vårdcentral X” finns inte i enhetslistan (data/units.toml): stämmer stavningen?"
        )
        form.query_one("#amount_sek").value = "300"
        await save(pilot, app)
        assert "”Vårdcentral X” finns inte i enhetslistan" in error_of(app, "amount_sek")
        assert "be koordinatören lägga till enheten" in error_of(app, "amount_sek")
        assert store.count_initiatives() == 0


async def test_edit_refuses_compensation_when_the_method_becomes_a_survey(store: Store) -> None:
    created = store.create_initiative(make_initiative(compensation={"amount_sek": 300}))
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        app.edit_initiative(created)
        await pilot.pause()
        app.screen.query_one("#method", Select).value = Method.SURVEY
        await save(pilot, app)
        assert error_of(app, "amount_sek").startswith("Ersättning: erbjuds bara vid dialogmöten")
        assert store.initiative(created.id or 0).method is Method.FOCUS_GROUP


@pytest.mark.parametrize(
    ("json_fields", "csv_cells", "message"),
    [
        (
            {"method": "survey", "compensation": {"amount_sek": 100}},
            {"Metod": "enkätundersökning", "Ersättning kr": "100"},
            "inte vid metoden enkätundersökning",
        ),
        (
            {"unit": "Regionservice", "compensation": {"amount_sek": 100}},
            {"Beställare": "Regionservice", "Ersättning kr": "100"},
            "”Regionservice” hör inte dit",
        ),
        (
            {"unit": "Okänd", "compensation": {"amount_sek": 100}},
            {"Beställare": "Okänd", "Ersättning kr": "100"},
            "”Okänd” finns inte i enhetslistan",
        ),
    ],
)
def test_imports_refuse_compensation_naming_the_field(
    json_fields: dict[str, Any], csv_cells: dict[str, str], message: str
) -> None:
    with pytest.raises(InterchangeError, match=f"Post 1: Ersättning: .*{message}"):
        parse_json(json.dumps([record(**json_fields)]))
    with pytest.raises(InterchangeError, match=rf"Post 1 \(rad 2\): Ersättning: .*{message}"):
        parse_csv(csv_text(**csv_cells))


async def test_a_payer_without_an_amount_is_told_what_is_missing(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        await registration(pilot, app, "Möte", "Psykiatrin Halland", Method.FOCUS_GROUP)
        await type_into(pilot, app, "payer", "Regionkontoret")
        await save(pilot, app)
        assert error_of(app, "amount_sek") == (
            "Ersättning: Belopp (kr): måste anges när ”Betalas av” är ifyllt;"
            " töm ”Betalas av” om ingen ersättning ges"
        )
        assert store.count_initiatives() == 0
    missing = "Ersättning: Belopp \\(kr\\): måste anges när ”Betalas av” är ifyllt"
    with pytest.raises(InterchangeError, match=f"Post 1: {missing}"):
        parse_json(json.dumps([record(compensation={"amount_sek": None, "payer": "X"})]))
    with pytest.raises(InterchangeError, match=rf"Post 1 \(rad 2\): {missing}"):
        parse_csv(csv_text(**{"Ersättning betalas av": "X"}))


def test_cli_import_refuses_compensation_and_points_out_another_payer(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = import_file(tmp_path, [record(method="survey", compensation={"amount_sek": 50})])
    code, _, err = run(capsys, "import", str(bad), "--db", str(existing(db_path)))
    assert code == 1 and "Post 1: Ersättning: erbjuds bara vid dialogmöten" in err
    other_payer = record(compensation={"amount_sek": 50, "payer": "Regionkontoret"})
    code, _, err = run(
        capsys, "import", str(import_file(tmp_path, [other_payer])), "--db", str(db_path)
    )
    assert code == 0
    assert (
        "Obs: Post 1 ”Importerad”: Ersättningen betalas av ”Regionkontoret”, inte av beställaren"
        " ”Psykiatrin Halland”" in err
    )


async def test_another_payer_is_pointed_out_in_the_form_and_on_the_page(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 50)) as pilot:
        form = await registration(pilot, app, "Möte", "Psykiatrin Halland", Method.FOCUS_GROUP)
        form.query_one("#amount_sek").value = "300"
        form.query_one("#payer").focus()
        await pilot.press(*"Regionkontoret", "tab")
        assert hint_of(app, "payer").startswith("⚠ Ersättningen betalas av ”Regionkontoret”")
        await save(pilot, app)
        assert isinstance(app.screen, InitiativeScreen)
        page = " ".join(widget_text(app.screen.query_one("#body")).split())
        assert "⚠ Ersättningen betalas av ”Regionkontoret”, inte av beställaren" in page
        # The orderer by default: a blank payer is the orderer, and nothing is pointed out.
        assert rules.payer_note("Psykiatrin Halland", "") is None
        assert rules.payer_note("Psykiatrin Halland", "psykiatrin halland") is None


def test_cli_report_calls_the_compensation_an_estimate(
    store: Store, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    met = store.create_initiative(
        make_initiative(
            method="dialogue_meeting",
            start="2026-05-04",
            end="2026-05-04",
            compensation={"amount_sek": 300},
        )
    )
    store.save_evaluation(Evaluation(initiative_id=met.id, **(COMPLETE | {"participants": 12})))  # type: ignore[arg-type]
    monkeypatch.setenv("DIALOGTUI_TODAY", TODAY.isoformat())
    code, out, _ = run(capsys, "report", "--year", "2026", "--db", str(store.path))
    assert code == 0
    # Amount per participant × the evaluation's participants: an estimate, not a payment made.
    assert "- Beräknad ersättning: 3 600 kr (belopp per deltagare × deltagare)" in out
    assert "Utbetald" not in out


# --- the residents' panel and who does what ------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_panel_survey_uses_the_panel_whatever_the_file_says(fmt: str) -> None:
    if fmt == "json":
        (one,) = parse_json(
            json.dumps([record(method="panel_survey", uses_panel=False, deadline="2027-03-20")])
        )
    else:
        (one,) = parse_csv(csv_text(Metod="panelenkät", Invånarpanelen="nej"))
    assert one.uses_panel is True


async def test_form_ticks_the_panel_for_a_panel_survey_and_keeps_it(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        form = await registration(pilot, app, "Panel", "Regionkontoret", Method.PANEL_SURVEY)
        box = form.query_one("#uses_panel", Checkbox)
        assert box.value is True and box.disabled
        form.query_one("#method", Select).value = Method.FOCUS_GROUP
        await pilot.pause()
        assert not box.disabled
        form.query_one("#method", Select).value = Method.PANEL_SURVEY
        await save(pilot, app)
        (saved,) = store.initiatives()
        assert saved.uses_panel is True


async def test_edit_of_a_panel_survey_cannot_untick_the_panel(store: Store) -> None:
    created = store.create_initiative(make_initiative(method="panel_survey"))
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        app.edit_initiative(created)
        await pilot.pause()
        box = app.screen.query_one("#uses_panel", Checkbox)
        assert box.value is True and box.disabled


def test_cli_import_and_an_old_database_keep_panel_surveys_on_the_panel(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = import_file(tmp_path, [record(method="panel_survey", uses_panel=False)])
    assert run(capsys, "import", str(source), "--db", str(existing(db_path)))[0] == 0
    with Store(db_path) as opened:
        (one,) = opened.initiatives()
        assert one.uses_panel

    # A database of schema 6, where a panel survey could be stored off the panel.
    old = tmp_path / "old.db"
    conn = sqlite3.connect(old, isolation_level=None)
    migrate(conn, 6)
    conn.execute(
        'INSERT INTO initiatives (title, unit, method, influence, uses_panel, start, "end",'
        " deadline, stage, created_at, created_by, updated_at, updated_by) VALUES ('Gammal',"
        " 'Regionkontoret', 'panel_survey', 'consult', 0, '2025-01-01', '2025-01-31',"
        " '2025-01-20', 'closed', '2025-01-01T00:00:00+01:00', 'bo',"
        " '2025-01-02T00:00:00+01:00', 'eva')"
    )
    conn.execute("INSERT INTO settings (key, value) VALUES ('panel_cap', '2')")
    conn.close()
    with Store(old, user="anna") as upgraded:
        (gammal,) = upgraded.initiatives()
        assert gammal.uses_panel
        assert gammal.conditions == "" and not gammal.orders_invanartjanster
        # The cap was per quarter: 2 a quarter is kept as the same load, 8 a year.
        assert upgraded.setting("panel_cap_year") == "8"
        assert upgraded.setting("panel_cap") is None
        answers = upgraded.checklist(gammal.id or 0)
        assert (answers["F-anmald"].by, answers["F-anmald"].automatic) == ("bo", True)
        assert (answers["F-tidsfrist"].by, answers["F-tidsfrist"].automatic) == ("eva", True)


def test_invanartjanster_tasks_belong_to_dialogues_they_are_engaged_in() -> None:
    own = {d.id: d.who for d in duties(make_initiative(method="survey"))}
    assert own["P-datainsamling"] == ORDERER and own["P-aterkoppling-allmanhet"] == ORDERER
    assert "P-bestallning" not in own
    ordered = {
        d.id: d.who for d in duties(make_initiative(method="survey", orders_invanartjanster=True))
    }
    assert ordered["P-datainsamling"] == "Invånartjänster"
    assert ordered["P-bestallning"] == ORDERER
    meeting = {d.id: (d.who, d.task) for d in duties(make_initiative(uses_panel=True))}
    assert meeting["P-urval"][0] == "Invånartjänster"
    own_meeting = {d.id: (d.who, d.task) for d in duties(make_initiative())}
    assert own_meeting["P-urval"] == (ORDERER, "Ta fram urval")


async def test_page_shows_the_order_to_invanartjanster(db_path: Path) -> None:
    store = fixed_store(db_path)
    created = store.create_initiative(
        make_initiative(method="survey", orders_invanartjanster=True, deadline="2026-03-10")
    )
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 60)) as pilot:
        app.open_initiative(created.id or 0)
        await pilot.pause()
        page = " ".join(widget_text(app.screen.query_one("#body")).split())
        assert "Invånartjänster beställt av dem (datainsamling eller urval)" in page
        assert "Invånartjänster [ ] Genomför datainsamlingen" in page


def test_history_names_who_does_a_task_by_the_initiatives_method(db_path: Path) -> None:
    store = fixed_store(db_path)
    for method, expected in (
        ("focus_group", "Beställaren: Återkoppla resultat och utvärdering till Invånartjänster"),
        ("council", "Beställaren: Rapportera resultat och utvärdering till koordinatören"),
    ):
        created = store.create_initiative(make_initiative(method=method, uses_panel=True))
        store.set_checklist_entry(
            created.id or 0, ChecklistEntry(item_id="P-rapportera", state="done")
        )
        (entry,) = [e for e in store.audit_log(created.id) if e.entity == "checklist"]
        assert describe(entry, created)[1] == f"”{expected}”: ej klar → klar"
    survey = store.create_initiative(make_initiative(method="survey", uses_panel=True))
    store.set_checklist_entry(
        survey.id or 0, ChecklistEntry(item_id="P-aterkoppling-deltagare", state="done")
    )
    (entry,) = [e for e in store.audit_log(survey.id) if e.entity == "checklist"]
    assert describe(entry, survey)[1].startswith("”Invånartjänster: Återkoppla resultat")


def test_panel_cap_counts_panel_surveys_over_a_rolling_twelve_months() -> None:
    december = [(n, date(2026, 12, n)) for n in range(1, 5)]
    # Four in December and a fifth in January: the fifth in twelve months, whatever the year.
    (peak,) = rules.panel_peaks([*december, (9, date(2027, 1, 10))], cap=4)
    assert (peak.initiative_id, peak.count, peak.since) == (9, 5, date(2026, 12, 1))
    assert rules.peak_text(peak) == (
        "börjar 2027-01-10, den 5:e panelenkäten på 12 månader (sedan 2026-12-01)"
    )
    # Exactly a year after the first, the first no longer counts.
    assert rules.panel_peaks([*december, (9, date(2027, 12, 1))], cap=4) == []
    assert rules.counts_toward_panel_cap(Method.SURVEY, uses_panel=True)
    assert not rules.counts_toward_panel_cap(Method.FOCUS_GROUP, uses_panel=True)
    assert [rules.ordinal(n) for n in (1, 2, 3, 11, 12, 21, 22)] == [
        "1:a",
        "2:a",
        "3:e",
        "11:e",
        "12:e",
        "21:a",
        "22:a",
    ]


def test_panel_cap_defaults_to_four_a_year_and_is_told_by_the_cli(
    store: Store, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store.create_initiatives(
        [
            make_initiative(
                title=f"Panel {n}",
                method="panel_survey",
                start=f"2027-{n:02}-01",
                end=f"2027-{n:02}-05",
                target_groups=[],
            )
            for n in range(1, 6)
        ]
        # A focus group recruiting from the panel sends no questions: not counted.
        + [make_initiative(title="Fokus", uses_panel=True, start="2027-06-01", end="2027-06-02")]
    )
    monkeypatch.setenv("DIALOGTUI_TODAY", TODAY.isoformat())
    code, out, _ = run(capsys, "overlaps", "--db", str(store.path))
    assert code == 0
    assert "Hallandspanelen över taket (4 panelenkäter på 12 månader):" in out
    assert "Panel 5: börjar 2027-05-01, den 5:e panelenkäten på 12 månader" in out
    assert "Fokus:" not in out


async def test_panel_cap_is_changed_in_the_settings_which_say_whose_rule_it_is(
    store: Store,
) -> None:
    from dialogtui.screens.settings import SettingsScreen

    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await pilot.press("o", "v")
        assert isinstance(app.screen, SettingsScreen)
        shown = " ".join(
            widget_text(w) for w in app.screen.query("Static, Label") if w.display
        ).split()
        text = " ".join(shown)
        assert "Regionens egna val, inte riktlinjens:" in text
        assert "Hallandspanelen: panelenkäter på 12 månader" in text
        assert "Enligt riktlinjen och dialogprocessen, inga inställningar" in text
        assert app.screen.query_one("#panel_cap_year").value == "4"  # type: ignore[attr-defined]
        app.screen.query_one("#panel_cap_year").focus()
        await pilot.press("ctrl+a", "ctrl+k", *"6", "enter")
        await pilot.pause()
        assert store.setting("panel_cap_year") == "6"


async def test_registration_over_the_panel_cap_is_pointed_out_before_saving(
    store: Store,
) -> None:
    from dialogtui.screens.overlaps import OverlapWarningScreen

    store.create_initiatives(
        [
            make_initiative(
                title=f"Panel {n}",
                method="panel_survey",
                start=f"2027-0{n}-01",
                end=f"2027-0{n}-03",
                target_groups=[],
            )
            for n in (1, 3, 5, 7)
        ]
        # And a focus group recruiting from the panel at the same time (it sends no survey, so
        # it does not count toward the cap): a move is offered.
        + [
            make_initiative(
                title="Möte",
                start="2027-09-01",
                end="2027-09-03",
                target_groups=[],
                uses_panel=True,
            )
        ]
    )
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        form = await registration(pilot, app, "Femte", "Regionkontoret", Method.PANEL_SURVEY)
        form.query_one("#start").value = "2027-09-01"
        form.query_one("#end").value = "2027-09-03"
        await save(pilot, app)
        assert isinstance(app.screen, OverlapWarningScreen)
        warning = " ".join(widget_text(app.screen.query_one("VerticalScroll Static")).split())
        assert (
            "Hallandspanelen över taket (4 panelenkäter på 12 månader): ”Femte” börjar" in warning
        )
        # Moving cures the overlap, not the panel's count over twelve months: it says so.
        offer = " ".join(widget_text(app.screen.query_one("Vertical > Static")).split())
        assert offer.startswith("Nästa lediga period med samma längd:")
        assert offer.endswith("(Hallandspanelen över taket även då)")
        await pilot.press("s")
        await settle(pilot)
        assert store.count_initiatives() == 6


# --- the checklist follows the facts it has -------------------------------------------------


def test_items_with_a_source_tick_themselves_and_stay_ticked(db_path: Path) -> None:
    store = fixed_store(db_path, "anna")
    created = store.create_initiative(make_initiative(method="survey"))
    ident = created.id or 0
    anmald = store.checklist(ident)["F-anmald"]
    creation = store.audit_log(ident)[0]
    assert (anmald.automatic, anmald.by, anmald.at) == (True, creation.user, creation.at)
    assert "F-tidsfrist" not in store.checklist(ident)
    with pytest.raises(AutomaticItemError, match="bockas av automatiskt"):
        store.set_checklist_entry(ident, ChecklistEntry(item_id="F-anmald", state="not_done"))

    bo = fixed_store(db_path, "bo")
    dated = bo.update_initiative(
        store.initiative(ident).model_copy(update={"deadline": date(2026, 3, 10)})
    )
    tidsfrist = store.checklist(ident)["F-tidsfrist"]
    assert (tidsfrist.state.value, tidsfrist.automatic, tidsfrist.by) == ("done", True, "bo")
    # The source gone, the item is open again for a person.
    bo.update_initiative(dated.model_copy(update={"deadline": None}))
    assert "F-tidsfrist" not in store.checklist(ident)

    store.save_evaluation(Evaluation(initiative_id=ident, participants=3))
    assert "E-utvardering" not in store.checklist(ident)
    partial = store.evaluation(ident)
    assert partial is not None
    store.save_evaluation(
        Evaluation(initiative_id=ident, version=partial.version, **COMPLETE)  # type: ignore[arg-type]
    )
    assert store.checklist(ident)["E-utvardering"].automatic


async def test_the_process_step_to_set_the_deadline_ticks_itself_with_it(
    db_path: Path, tmp_path: Path
) -> None:
    store = fixed_store(db_path, "bo")
    created = store.create_initiative(make_initiative(method="survey"))
    ident = created.id or 0
    assert "P-tidsfrist" not in store.checklist(ident)
    store.update_initiative(created.model_copy(update={"deadline": date(2026, 3, 10)}))
    step = store.checklist(ident)["P-tidsfrist"]
    assert (step.state.value, step.automatic, step.by) == ("done", True, "bo")
    with pytest.raises(AutomaticItemError, match="tidsfrist är angiven"):
        store.set_checklist_entry(ident, ChecklistEntry(item_id="P-tidsfrist", state="not_done"))
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 60)) as pilot:
        app.open_initiative(ident)
        await pilot.pause()
        page = " ".join(widget_text(app.screen.query_one("#body")).split())
        # The page no longer shows the step open under the deadline it has.
        assert "Tidsfrist 2026-03-10" in page
        assert "Beställaren [x] Fastställ tidsfrist för undersökningen" in page

    # A database of schema 7, where the step was a person's to tick: it follows the deadline.
    old = tmp_path / "v7.db"
    conn = sqlite3.connect(old, isolation_level=None)
    migrate(conn, 7)
    conn.execute(
        'INSERT INTO initiatives (title, unit, method, influence, uses_panel, start, "end",'
        " deadline, stage, created_at, created_by, updated_at, updated_by) VALUES ('Enkät',"
        " 'Regionkontoret', 'survey', 'consult', 0, '2025-01-01', '2025-01-31',"
        " '2025-01-20', 'closed', '2025-01-01T00:00:00+01:00', 'bo',"
        " '2025-01-02T00:00:00+01:00', 'eva')"
    )
    conn.close()
    with Store(old, user="anna") as upgraded:
        (enkat,) = upgraded.initiatives()
        step = upgraded.checklist(enkat.id or 0)["P-tidsfrist"]
        assert (step.state.value, step.automatic, step.by) == ("done", True, "eva")


def test_imports_tick_registration_and_deadline(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = import_file(tmp_path, [record(method="survey", deadline="2027-03-20")])
    assert run(capsys, "import", str(source), "--db", str(existing(db_path)))[0] == 0
    with Store(db_path) as opened:
        (one,) = opened.initiatives()
        answers = opened.checklist(one.id or 0)
        assert answers["F-anmald"].automatic and answers["F-tidsfrist"].automatic


async def test_automatic_items_say_so_and_refuse_a_key(db_path: Path) -> None:
    from dialogtui.screens.checklist import ChecklistRows

    store = fixed_store(db_path)
    created = store.create_initiative(make_initiative(method="council"))
    app = make_app(store)
    async with app.run_test(notifications=True, size=(120, 40)) as pilot:
        app.open_checklist(created.id or 0)
        await pilot.pause()
        rows = widget_text(app.screen.query_one(ChecklistRows))
        assert "[x] Dialogen är anmäld till koordinatören för invånardialog  automatiskt" in rows
        for _ in range(8):  # down to "anmäld", the ninth item
            await pilot.press("down")
        await pilot.press("space")
        await pilot.press("n")
        await pilot.pause()
        assert store.checklist(created.id or 0)["F-anmald"].state.value == "done"
        assert not isinstance(app.screen, TextPromptScreen)
        assert any("bockas av automatiskt" in str(n.message) for n in app._notifications)


async def test_new_texts_are_written_in_the_form_and_shown_everywhere(db_path: Path) -> None:
    from dialogtui.documents import initiative_summary_markdown
    from dialogtui.screens.checklist import ChecklistRows

    store = fixed_store(db_path)
    app = make_app(store)
    texts = {
        "conditions": "Rådgivande; nämnden beslutar",
        "personal_data": "Svaren är anonyma",
        "feedback_description": "Brev till alla i juni",
    }
    async with app.run_test(notifications=True, size=(120, 50)) as pilot:
        form = await registration(pilot, app, "Texter", "Psykiatrin Halland", Method.FOCUS_GROUP)
        form.query_one("#conditions").text = texts["conditions"]
        form.query_one("#personal_data").text = texts["personal_data"]
        form.query_one("#orders_invanartjanster").focus()
        await pilot.press("space")  # the order to Invånartjänster, recorded explicitly
        await save(pilot, app)
        (saved,) = store.initiatives()
        assert saved.orders_invanartjanster
        assert (saved.conditions, saved.personal_data, saved.feedback_description) == (
            texts["conditions"],
            texts["personal_data"],
            "",
        )
        page = widget_text(app.screen.query_one("#body"))
        assert "Villkor för påverkan" in page and texts["conditions"] in page
        assert "Personuppgifter och svar" in page and texts["personal_data"] in page
        assert "beställt av dem" in page
        await pilot.press("k")
        rows = widget_text(app.screen.query_one(ChecklistRows))
        assert "Villkoren för grad av påverkan/delaktighet är angivna  ifyllt i formuläret" in rows
        assert "inga löften registrerade ännu (p) · inte ifyllt i formuläret" in rows

    full = store.initiative(saved.id or 0).model_copy(update=texts)
    summary = initiative_summary_markdown(full, {}, None, [])
    for label in (
        "Villkor för påverkan",
        "Personuppgifter och svar",
        "Återkoppling till de svarande",
    ):
        assert f"### {label}" in summary
    assert "Brev till alla i juni" in summary


def test_new_texts_travel_through_json_csv_and_the_spreadsheet() -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    from dialogtui.exports import initiatives_from_xlsx, to_xlsx
    from dialogtui.interchange import export_csv, export_json

    texts = {
        "orders_invanartjanster": True,
        "conditions": "Villkor",
        "personal_data": "Anonymt",
        "feedback_description": "Brev",
    }
    original = make_initiative(id=1, **texts)
    (from_json,) = parse_json(export_json([original]))
    (from_csv,) = parse_csv(export_csv([original]))
    for back in (from_json, from_csv):
        assert {k: getattr(back, k) for k in texts} == texts
    book = load_workbook(BytesIO(to_xlsx([original], {})))
    sheet = book["Initiativ"]
    row = {h.value: c.value for h, c in zip(sheet[1], sheet[2], strict=True)}
    assert row["Villkor för påverkan"] == "Villkor"
    assert row["Personuppgifter och svar"] == "Anonymt"
    assert row["Återkoppling till de svarande"] == "Brev"
    assert row["Beställning till Invånartjänster"] == "ja"
    # And back in through the xlsx door of dialogtui import.
    (from_xlsx,) = initiatives_from_xlsx(book)
    assert {k: getattr(from_xlsx, k) for k in texts} == texts


async def test_no_feedback_to_the_public_is_pointed_out_before_the_dialogue_runs(
    db_path: Path,
) -> None:
    store = fixed_store(db_path)
    created = store.create_initiative(
        make_initiative(stage="planning", start="2026-12-01", end="2026-12-10")
    )
    ident = created.id or 0
    answered: dict[int, int] = {}
    from dialogtui.todo import todo_items

    kinds = [i.kind for i in todo_items(TODAY, store.summaries(), {}, answered, [])]
    assert "feedbackplan" in kinds
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 60)) as pilot:
        app.open_initiative(ident)
        await pilot.pause()
        page = " ".join(widget_text(app.screen.query_one("#body")).split())
        assert "⚠ Ingen återkoppling till allmänheten är planerad" in page
        store.save_feedback_promise(
            FeedbackPromise(initiative_id=ident, audience="public", due="2027-01-31")
        )
        app.screen.reload()  # type: ignore[attr-defined]
        await pilot.pause()
        page = " ".join(widget_text(app.screen.query_one("#body")).split())
        assert "Ingen återkoppling till allmänheten" not in page
    promises = store.feedback_promises()
    kinds = [i.kind for i in todo_items(TODAY, store.summaries(), {}, answered, promises)]
    assert "feedbackplan" not in kinds


# --- evaluation -----------------------------------------------------------------------------------


def test_an_evaluation_is_done_only_with_all_eight_answers() -> None:
    assert rules.evaluation_answered(None) == 0
    assert rules.evaluation_answered(Evaluation()) == 1  # question 1 defaults to the method
    only_count = Evaluation(participants=40)
    assert rules.evaluation_status(only_count) == "Utvärdering ofullständig (2 av 8)"
    assert not only_count.is_complete
    nearly = Evaluation(**(COMPLETE | {"improve": "  "}))
    assert rules.evaluation_status(nearly) == "Utvärdering ofullständig (7 av 8)"
    assert Evaluation(**COMPLETE).is_complete
    assert rules.evaluation_status(Evaluation(**COMPLETE)) == "Utvärdering klar"


async def test_a_partial_evaluation_is_saved_and_listed_as_such(db_path: Path) -> None:
    from dialogtui.screens.todo import TodoRows

    store = fixed_store(db_path)
    created = store.create_initiative(
        make_initiative(title="Halvt", stage="evaluation", start="2026-10-01", end="2026-10-20")
    )
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        app.open_evaluation(created.id or 0)
        await pilot.pause()
        await pilot.press(*"40", "tab", "tab", *"Det blev ett nytt beslut", "tab", *"Lär", "ctrl+s")
        await pilot.pause()
        saved = store.evaluation(created.id or 0)
        assert saved is not None and saved.answered == 4
        assert any(
            "sparad men ofullständig (4 av 8 frågor besvarade)" in str(n.message)
            for n in app._notifications
        )
        await pilot.press("ctrl+t")
        await settle(pilot)
        rows = widget_text(app.screen.query_one(TodoRows))
        assert "Utvärdering ofullständig (1)" in rows
        assert "Halvt: Utvärdering ofullständig (4 av 8), slutade 2026-10-20" in rows
        assert "Utvärdering saknas" not in rows


def test_spreadsheet_export_carries_all_eight_answers_in_order() -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    from dialogtui.exports import EVALUATION_HEADERS, to_xlsx

    ini = make_initiative(id=1, method="dialogue_meeting")
    evaluation = Evaluation(initiative_id=1, invited=20, **COMPLETE)
    sheet = load_workbook(BytesIO(to_xlsx([ini], {1: evaluation})))["Initiativ"]
    headers = [cell.value for cell in sheet[1]]
    first = headers.index("Utvärdering")
    assert headers[first : first + len(EVALUATION_HEADERS)] == [
        "Utvärdering",
        "Typ av dialog (genomförd)",  # 1, defaulting to the method
        "Deltagare",  # 2, with the invited and the rate
        "Inbjudna",
        "Svarsfrekvens",
        "Påverkan på beslut",  # 3
        "Viktigaste lärdom",  # 4
        "Syfte och mål uppnådda",  # 5, with its comment
        "Kommentar om måluppfyllelse",
        "Outtalade syften",  # 6
        "Vad gjordes bra",  # 7
        "Vad kunde gjorts bättre",  # 8
    ]
    row = [cell.value for cell in sheet[2]][first : first + len(EVALUATION_HEADERS)]
    assert row[:3] == ["klar", "dialogmöte", 10]
    assert row[5:] == ["E", "L", "ja", None, "U", "W", "I"]


# --- overlaps: one definition of open ------------------------------------------------------------


def overlapping_pair(
    store: Store, first_end: str, second_end: str, place: str = "Halmstad"
) -> tuple[int, int]:
    unga = {"municipalities": [place], "segments": ["unga"]}
    a, b = store.create_initiatives(
        [
            make_initiative(title="A", start="2026-09-01", end=first_end, target_groups=[unga]),
            make_initiative(title="B", start="2026-09-05", end=second_end, target_groups=[unga]),
        ]
    )
    return a, b


def test_an_overlap_of_two_ended_dialogues_is_history_everywhere(
    store: Store, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from dialogtui.coordination import is_open, load_state, todo_list

    a, b = overlapping_pair(store, "2026-09-30", "2026-10-10")  # both over by 24 November
    c, d = overlapping_pair(store, "2026-09-30", "2026-12-10", "Laholm")  # one still running
    state = load_state(store, today=TODAY)
    assert [(o.a, o.b) for o in state.open] == [(c, d)]
    assert [(o.a, o.b) for o in state.history] == [(a, b)]
    first, second = state.initiatives[a], state.initiatives[b]
    assert not is_open(first, second, None, TODAY)
    assert is_open(first, second, None, date(2026, 10, 10))  # the last day of the later one
    assert state.open_ids == {c, d}  # the calendar's ⚠
    assert [i.other_id for i in todo_list(store, TODAY, state) if i.kind == "overlap"] == [d]

    monkeypatch.setenv("DIALOGTUI_TODAY", TODAY.isoformat())
    code, out, _ = run(capsys, "overlaps", "--db", str(store.path))
    assert code == 0 and "Öppna överlapp: 1" in out and "Historik" in out
    code, out, _ = run(capsys, "overlaps", "--json", "--db", str(store.path))
    # The JSON contract keeps listing every overlap, and says which are open.
    assert [(o["a"], o["b"], o["open"]) for o in json.loads(out)] == [
        (a, b, False),
        (c, d, True),
    ]


async def test_page_and_overlap_view_agree_on_what_is_open(store: Store) -> None:
    from dialogtui.screens.overlaps import OverlapRows, OverlapScreen

    a, _ = overlapping_pair(store, "2026-09-30", "2026-10-10")
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 50)) as pilot:
        await settle(pilot)
        app.open_initiative(a)
        # The page reads in a worker, and reads again once the overlap search has answered.
        line = "F-samordning, avstämd mot andra initiativ: inga överlapp"
        await wait_for(
            pilot,
            lambda: any(line in widget_text(body) for body in app.screen.query("#body")),
            what="the page's coordination line",
        )
        await pilot.press("escape", "o")
        await settle(pilot)
        assert isinstance(app.screen, OverlapScreen)
        summary = widget_text(app.screen.query_one("#overlap-summary"))
        assert "0 öppna · 0 samordnade · 1 i historiken" in summary
        rows = widget_text(app.screen.query_one(OverlapRows))
        assert "Historik: båda dialogerna har slutat (1)" in rows


# --- the registration template: the same rules, told with the cell ------------------------------


def filled_template(**labels: Any) -> Any:
    """A filled registration template, read as an import reads it; labels as the sheet has them."""
    from tests.templates import blank, fill_by_label
    from tests.test_template import FILLED, GROUPS
    from tests.test_template import read as read_template

    return read_template(fill_by_label(blank(), FILLED | labels, GROUPS))


def test_template_refuses_compensation_and_a_late_deadline_naming_the_cell() -> None:
    late = filled_template(**{"Tidsfrist": date(2027, 3, 25)})
    assert [str(p) for p in late.problems] == [
        "Tidsfrist (cell B15): tidsfrist (2027-03-25) får inte vara efter slutdatum (2027-03-20);"
        " den ska ligga inom dialogens period"
    ]
    survey = filled_template(Metod="enkätundersökning", Tidsfrist=date(2027, 3, 15))
    (problem,) = [str(p) for p in survey.problems]
    assert problem.startswith("Ersättning (cell B")  # the amount's cell
    assert "inte vid metoden enkätundersökning" in problem
    outside = filled_template(Beställare="Kultur i Halland")
    assert any("”Kultur i Halland” hör inte dit" in str(p) for p in outside.problems)


def test_template_carries_the_new_fields_and_the_panel_rule() -> None:
    read = filled_template(
        **{
            "Metod": "panelenkät",
            "Invånarpanelen": "nej",
            "Tidsfrist": date(2027, 3, 15),
            "Ersättning per deltagare (kr)": None,
            "Betalas av": None,
            "Beställning till Invånartjänster": "ja",
            "Villkor för påverkan": "Rådgivande",
            "Personuppgifter och svar": "Anonymt",
            "Återkoppling till de svarande": "Brev i maj",
        }
    )
    assert read.problems == []
    got = read.initiative
    assert got is not None and got.uses_panel and got.orders_invanartjanster
    assert (got.conditions, got.personal_data, got.feedback_description) == (
        "Rådgivande",
        "Anonymt",
        "Brev i maj",
    )


# --- every file door of `dialogtui import`: JSON, CSV, the xlsx export, a filled template -------
# The same record written in each format, so that one test states a rule for all four doors.

FILE_DOORS = ["json", "csv", "xlsx", "template"]


def door_file(
    tmp_path: Path,
    fmt: str,
    *,
    method: str = "focus_group",
    unit: str = "Psykiatrin Halland",
    deadline: str | None = None,
    amount: int | None = None,
    payer: str = "",
    uses_panel: bool = False,
    stage: str | None = None,
) -> Path:
    """One registration as a unit or a coordinator would hand it in, in the format `fmt`."""
    label = Method(method).label
    yes_no = "ja" if uses_panel else "nej"
    if fmt == "json":
        fields: dict[str, Any] = {"method": method, "unit": unit, "uses_panel": uses_panel}
        if deadline:
            fields["deadline"] = deadline
        if amount is not None:
            fields["compensation"] = {"amount_sek": amount, "payer": payer}
        if stage:
            fields["stage"] = stage
        return import_file(tmp_path, [record(**fields)])
    cells = {
        "Metod": label,
        "Beställare": unit,
        "Tidsfrist": deadline or "",
        "Ersättning kr": "" if amount is None else str(amount),
        "Ersättning betalas av": payer,
        "Invånarpanelen": yes_no,
        "Skede": Stage(stage).label if stage else "",
    }
    if fmt == "csv":
        path = tmp_path / "in.csv"
        path.write_text(csv_text(**cells), encoding="utf-8")
        return path
    path = tmp_path / "in.xlsx"
    if fmt == "xlsx":
        from openpyxl import Workbook

        from dialogtui.exports import SHEET_TITLE

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = SHEET_TITLE
        headers = csv_headers(0)
        row = dict(zip(headers, csv_text(**cells).splitlines()[1].split(";"), strict=True))
        sheet.append(headers)
        # Dates as a spreadsheet holds them: date cells, not texts.
        sheet.append(
            [
                date.fromisoformat(v) if h in ("Start", "Slut", "Tidsfrist") and v else v or None
                for h, v in row.items()
            ]
        )
        book.save(path)
        return path
    assert fmt == "template" and stage is None  # a registration has no stage: it is "anmäld"
    from tests.templates import blank, fill_by_label
    from tests.test_template import FILLED, GROUPS

    labels = FILLED | {
        "Metod": label,
        "Beställare": unit,
        "Invånarpanelen": yes_no,
        "Startdatum": date(2027, 3, 1),
        "Slutdatum": date(2027, 3, 31),
        "Tidsfrist": date.fromisoformat(deadline) if deadline else None,
        "Ersättning per deltagare (kr)": amount,
        "Betalas av": payer or None,
    }
    path.write_bytes(fill_by_label(blank(), labels, GROUPS))
    return path


def import_door(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    db_path: Path,
    source: Path,
    *extra: str,
) -> tuple[int, str, str]:
    monkeypatch.setenv("DIALOGTUI_TODAY", TODAY.isoformat())  # a template's dates read by it
    return run(capsys, "import", str(source), "--db", str(existing(db_path)), *extra)


@pytest.mark.parametrize("fmt", FILE_DOORS)
def test_every_file_door_refuses_a_deadline_outside_the_period(
    fmt: str,
    tmp_path: Path,
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = door_file(tmp_path, fmt, method="survey", deadline="2027-04-02")
    code, _, err = import_door(capsys, monkeypatch, db_path, source)
    assert code == 1
    assert "Tidsfrist" in err
    assert "(2027-04-02) får inte vara efter slutdatum (2027-03-31)" in err
    with Store(db_path) as opened:
        assert opened.count_initiatives() == 0


@pytest.mark.parametrize("fmt", FILE_DOORS)
@pytest.mark.parametrize(
    ("method", "unit", "message"),
    [
        ("survey", "Psykiatrin Halland", "inte vid metoden enkätundersökning"),
        ("panel_survey", "Psykiatrin Halland", "inte vid metoden panelenkät"),
        ("dialogue_meeting", "Regionservice", "”Regionservice” hör inte dit"),
        ("focus_group", "Okänd enhet", "”Okänd enhet” finns inte i enhetslistan"),
    ],
)
def test_every_file_door_refuses_compensation_the_process_rules_out(
    fmt: str,
    method: str,
    unit: str,
    message: str,
    tmp_path: Path,
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = door_file(tmp_path, fmt, method=method, unit=unit, deadline="2027-03-20", amount=100)
    code, _, err = import_door(capsys, monkeypatch, db_path, source)
    assert code == 1
    assert "Ersättning" in err and message in err
    with Store(db_path) as opened:
        assert opened.count_initiatives() == 0


@pytest.mark.parametrize("fmt", FILE_DOORS)
def test_every_file_door_lets_health_care_compensate_and_points_out_another_payer(
    fmt: str,
    tmp_path: Path,
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = door_file(tmp_path, fmt, method="dialogue_meeting", amount=300, payer="Regionkontoret")
    code, _, err = import_door(capsys, monkeypatch, db_path, source)
    assert code == 0
    assert "Obs: " in err
    assert "Ersättningen betalas av ”Regionkontoret”, inte av beställaren" in err
    with Store(db_path) as opened:
        (one,) = opened.initiatives()
        assert one.compensation is not None and one.compensation.amount_sek == 300


@pytest.mark.parametrize("fmt", FILE_DOORS)
def test_every_file_door_points_out_a_survey_without_deadline_and_an_unknown_unit(
    fmt: str,
    tmp_path: Path,
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = door_file(tmp_path, fmt, method="survey", unit="Vårdcentral X")
    code, _, err = import_door(capsys, monkeypatch, db_path, source)
    assert code == 0  # advice only: a survey may be registered before its deadline is known
    assert "Tidsfrist saknas: varje undersökning ska ha en tidsfrist" in err
    assert "”Vårdcentral X” finns inte i enhetslistan (data/units.toml)" in err
    with Store(db_path) as opened:
        (one,) = opened.initiatives()
        # F-anmald ticks itself at every door; F-tidsfrist waits for a deadline.
        answers = opened.checklist(one.id or 0)
        assert answers["F-anmald"].automatic and "F-tidsfrist" not in answers


@pytest.mark.parametrize("fmt", FILE_DOORS)
def test_every_file_door_keeps_a_panel_survey_on_the_panel_and_ticks_its_deadline(
    fmt: str,
    tmp_path: Path,
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = door_file(
        tmp_path, fmt, method="panel_survey", uses_panel=False, deadline="2027-03-20"
    )
    code, _, err = import_door(capsys, monkeypatch, db_path, source)
    assert code == 0 and "Tidsfrist saknas" not in err
    with Store(db_path) as opened:
        (one,) = opened.initiatives()
        assert one.uses_panel
        # So the panel cap counts it, whatever the file said of the panel.
        assert opened.panel_surveys() == [(one.id, date(2027, 3, 1))]
        assert opened.checklist(one.id or 0)["F-tidsfrist"].automatic


@pytest.mark.parametrize("fmt", FILE_DOORS)
def test_every_file_door_passes_the_stage_gate_from_registered(
    fmt: str,
    tmp_path: Path,
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if fmt == "template":
        # A registration has no stage to give: it arrives as "anmäld", past no gate.
        code, _, _ = import_door(capsys, monkeypatch, db_path, door_file(tmp_path, fmt))
        assert code == 0
        with Store(db_path) as opened:
            assert [i.stage for i in opened.initiatives()] == [Stage.REGISTERED]
        return
    source = door_file(tmp_path, fmt, stage="closed")
    code, _, err = import_door(capsys, monkeypatch, db_path, source)
    assert code == 1
    assert "Skede: ”avslutad” kräver mer än en import kan visa" in err
    assert "Dialogen har ingen utvärdering ännu" in err and "--reason" in err
    code, _, _ = import_door(capsys, monkeypatch, db_path, source, "--reason", "Flytt")
    assert code == 0
    with Store(db_path) as opened:
        (one,) = opened.initiatives()
        assert one.stage is Stage.CLOSED
        assert opened.audit_log(one.id)[0].note.endswith("Åsidosatt: Flytt")


async def test_the_inbox_shows_a_registration_with_the_forms_advice_and_the_panel_rule(
    db_path: Path,
) -> None:
    from dialogtui.screens.inbox import InboxEntryScreen, InboxRows
    from tests.ui import screen_text

    store = fixed_store(db_path)
    folder = db_path.parent / "inkorg"
    folder.mkdir()
    source = door_file(db_path.parent, "template", method="panel_survey", unit="Vårdcentral X")
    sent = source.rename(folder / "panel.xlsx")
    past = sent.stat().st_mtime - 3600  # sent a while ago: the inbox reads it at once
    os.utime(sent, (past, past))
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 60)) as pilot:
        await pilot.press("a")
        await settle(pilot)
        rows = app.screen.query_one(InboxRows)
        assert rows.row_count == 1
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, InboxEntryScreen)
        shown = " ".join(screen_text(app).split())
        # The form's advice, under its field: no deadline yet, a unit the list does not know.
        assert "⚠ Tidsfrist saknas: varje undersökning ska ha en tidsfrist" in shown
        assert "⚠ ”Vårdcentral X” finns inte i enhetslistan" in shown
        # Unticked in the file, but a panel survey uses the panel: shown as it will be saved.
        assert "Invånarpanelen ja" in shown


def test_import_prints_only_open_overlaps_of_what_it_added(
    tmp_path: Path,
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    unga = {"municipalities": ["Halmstad"], "segments": ["unga"]}
    with Store(existing(db_path)) as opened:
        opened.create_initiatives(
            [
                make_initiative(title="Förra året", start="2025-09-01", end="2025-09-30",
                                target_groups=[unga]),
                make_initiative(title="Nästa år", start="2027-03-01", end="2027-03-31",
                                target_groups=[unga]),
            ]
        )  # fmt: skip
    group = {"name": "Unga", "municipalities": ["Halmstad"], "segments": ["unga"]}
    records = [
        # Last year's dialogue taken in for the record: its overlap is history.
        record(title="Gammal", start="2025-09-10", end="2025-09-20", target_groups=[group]),
        record(title="Ny", target_groups=[group]),
    ]
    source = tmp_path / "in.json"
    source.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("DIALOGTUI_TODAY", TODAY.isoformat())
    code, out, _ = run(capsys, "import", str(source), "--db", str(db_path))
    assert code == 0
    assert "De nya initiativen överlappar 1 gång:" in out
    assert "Nästa år  ↔  #4 Ny" in out
    assert "Gammal" not in out


# --- the edit form and the registration form, key by key ------------------------------------------


async def type_into(pilot: Any, app: Any, field: str, text: str) -> None:
    """Put the cursor in a field, empty it and type, as a user does."""
    app.screen.query_one(f"#{field}").focus()
    await pilot.press("ctrl+a", "ctrl+k", *text, "tab")


async def test_edit_form_refuses_compensation_when_the_unit_leaves_health_care(
    store: Store,
) -> None:
    created = store.create_initiative(
        make_initiative(method="dialogue_meeting", compensation={"amount_sek": 300})
    )
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        app.edit_initiative(created)
        await pilot.pause()
        await type_into(pilot, app, "unit", "Kultur i Halland")
        await save(pilot, app)
        assert isinstance(app.screen, InitiativeFormScreen)
        assert "bara hälso- och sjukvården får erbjuda ersättning" in error_of(app, "amount_sek")
        await type_into(pilot, app, "unit", "Okänd enhet")
        assert hint_of(app, "unit").startswith("⚠ ”Okänd enhet” finns inte i enhetslistan")
        await save(pilot, app)
        assert "finns inte i enhetslistan" in error_of(app, "amount_sek")
        assert store.initiative(created.id or 0).unit == created.unit


async def test_edit_form_says_when_a_survey_has_no_deadline(store: Store) -> None:
    created = store.create_initiative(make_initiative(method="focus_group"))
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        app.edit_initiative(created)
        await pilot.pause()
        assert hint_of(app, "deadline") == ""
        app.screen.query_one("#method", Select).value = Method.SURVEY
        await pilot.pause()
        assert hint_of(app, "deadline").startswith("⚠ Tidsfrist saknas: varje undersökning")
        await type_into(pilot, app, "deadline", "2026-03-30")
        await save(pilot, app)
        # The edit refuses a deadline after the end, naming the field, as the form does.
        assert "får inte vara efter slutdatum" in error_of(app, "deadline")
        await type_into(pilot, app, "deadline", "2026-03-10")
        await save(pilot, app)
        saved = store.initiative(created.id or 0)
        assert (saved.method, saved.deadline) == (Method.SURVEY, date(2026, 3, 10))
        assert store.checklist(created.id or 0)["F-tidsfrist"].automatic


async def test_move_and_save_of_a_registration_moves_the_deadline_with_the_period(
    store: Store,
) -> None:
    from dialogtui.models import BlockedPeriod
    from dialogtui.screens.overlaps import OverlapWarningScreen

    store.save_blocked_period(BlockedPeriod(name="Jul", start="2026-12-20", end="2027-01-06"))
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        await registration(pilot, app, "Enkät", "Psykiatrin Halland", Method.SURVEY)
        # A registration is "anmäld": the form offers no stage, so no gate is passed here.
        assert not app.screen.query("#stage")
        await type_into(pilot, app, "start", "2026-12-21")
        await type_into(pilot, app, "end", "2026-12-30")
        await type_into(pilot, app, "deadline", "2026-12-28")
        await save(pilot, app)
        assert isinstance(app.screen, OverlapWarningScreen)
        await pilot.press("f")
        await settle(pilot)
        (moved,) = store.initiatives()
        assert moved.start > date(2027, 1, 6)  # clear of Christmas
        assert moved.deadline is not None
        # The deadline keeps its seven days from the start, and so stays within the period.
        assert (moved.deadline - moved.start, moved.end - moved.start) == (
            date(2026, 12, 28) - date(2026, 12, 21),
            date(2026, 12, 30) - date(2026, 12, 21),
        )


async def test_saving_the_eighth_answer_ticks_the_evaluation_item(db_path: Path) -> None:
    store = fixed_store(db_path)
    created = store.create_initiative(
        make_initiative(stage="evaluation", start="2026-10-01", end="2026-10-20")
    )
    ident = created.id or 0
    seven = COMPLETE | {"improve": ""}
    store.save_evaluation(Evaluation(initiative_id=ident, **seven))  # type: ignore[arg-type]
    assert "E-utvardering" not in store.checklist(ident)
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        app.open_evaluation(ident)
        await pilot.pause()
        app.screen.query_one("#improve").focus()
        await pilot.press(*"Fler kanaler", "ctrl+s")
        await settle(pilot)
        item = store.checklist(ident)["E-utvardering"]
        assert (item.state.value, item.automatic) == ("done", True)
        # And the gate to "avslutad" no longer asks for the evaluation.
        evaluation = store.evaluation(ident)
        assert evaluation is not None and evaluation.is_complete
        problems = stage_problems(
            created, Stage.CLOSED, store.checklist(ident), evaluation, origin=Stage.EVALUATION
        )
        assert not any("Utvärdering" in p or "utvärdering" in p for p in problems)


def test_import_points_out_the_panel_cap_its_records_go_over(
    tmp_path: Path,
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with Store(existing(db_path)) as opened:
        opened.create_initiatives(
            [
                make_initiative(title=f"Panel {n}", method="panel_survey", start=f"2027-0{n}-01",
                                end=f"2027-0{n}-03", target_groups=[])
                for n in (1, 2, 3)
            ]
        )  # fmt: skip
    records = [
        record(title="Fjärde", method="panel_survey", start="2027-04-01", end="2027-04-03"),
        record(title="Femte", method="panel_survey", start="2027-05-01", end="2027-05-03"),
    ]
    source = tmp_path / "in.json"
    source.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("DIALOGTUI_TODAY", TODAY.isoformat())
    code, out, _ = run(capsys, "import", str(source), "--db", str(db_path))
    assert code == 0
    assert "Hallandspanelen över taket (4 panelenkäter på 12 månader):" in out
    assert "#5 Femte: börjar 2027-05-01, den 5:e panelenkäten på 12 månader" in out
    assert "Fjärde:" not in out


async def test_an_edit_that_goes_over_the_panel_cap_is_pointed_out_before_saving(
    store: Store,
) -> None:
    from dialogtui.screens.overlaps import OverlapWarningScreen

    store.create_initiatives(
        [
            make_initiative(title=f"Panel {n}", method="panel_survey", start=f"2027-0{n}-01",
                            end=f"2027-0{n}-03", target_groups=[])
            for n in (1, 3, 5, 7)
        ]
    )  # fmt: skip
    later = store.create_initiative(
        make_initiative(title="Senare", method="panel_survey", start="2028-09-01",
                        end="2028-09-03", target_groups=[])
    )  # fmt: skip
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        app.edit_initiative(later)
        await pilot.pause()
        await type_into(pilot, app, "start", "2027-09-01")
        await type_into(pilot, app, "end", "2027-09-03")
        await save(pilot, app)
        assert isinstance(app.screen, OverlapWarningScreen)
        warning = " ".join(widget_text(app.screen.query_one("VerticalScroll Static")).split())
        assert "Hallandspanelen över taket (4 panelenkäter på 12 månader): ”Senare”" in warning
        assert "den 5:e panelenkäten på 12 månader" in warning


def test_the_forms_check_before_saving_uses_the_same_definition_of_open(store: Store) -> None:
    """The registration and edit forms (and the inbox) ask `check_candidate` before a save."""
    from dialogtui.coordination import check_candidate

    overlapping_pair(store, "2026-09-30", "2026-10-10")  # A and B, both over by 24 November
    unga = {"municipalities": ["Halmstad"], "segments": ["unga"]}
    after_the_fact = make_initiative(
        title="Efteråt", start="2026-09-02", end="2026-09-20", target_groups=[unga]
    )
    assert check_candidate(store, after_the_fact, TODAY).is_clear  # history: nothing to say
    running = after_the_fact.model_copy(update={"end": date(2026, 12, 1)})
    check = check_candidate(store, running, TODAY)  # still running: both are open overlaps
    assert sorted(check.others[o.b if o.a == 0 else o.a].title for o in check.overlaps) == [
        "A",
        "B",
    ]
