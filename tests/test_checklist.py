"""The checklist, the process's gates, feedback promises and the to-do list."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from dialogtui.cli import main
from dialogtui.domain import InfluenceLevel, Method, Stage
from dialogtui.models import ChecklistEntry, Evaluation, FeedbackPromise
from dialogtui.process import applicable_items, influence_mismatch, progress, stage_problems
from dialogtui.screens.checklist import ChecklistRows, ChecklistScreen, PromiseScreen
from dialogtui.screens.dialogs import TextPromptScreen
from dialogtui.screens.initiative import InitiativeScreen
from dialogtui.screens.todo import TodoRows, TodoScreen
from dialogtui.store import Store
from dialogtui.todo import todo_items
from tests.conftest import TODAY
from tests.factories import make_initiative
from tests.ui import fixed_store, make_app, saves_settled, widget_text


def ids(**overrides: object) -> set[str]:
    return {item.id for item in applicable_items(make_initiative(**overrides))}


def test_items_apply_by_method_and_panel() -> None:
    survey = ids(method="survey")
    assert "F-tidsfrist" in survey and "F-ersattning" not in survey
    assert "F-bestallning" not in survey
    assert "F-bestallning" in ids(method="survey", uses_panel=True)
    meeting = ids(method="dialogue_meeting")
    assert "F-ersattning" in meeting and "F-tidsfrist" not in meeting
    assert "F-ersattning" not in ids(method="council")
    assert {"F-syfte", "U-syfte", "E-utvardering"} <= ids(method="other")


def test_progress_counts_done_and_not_applicable_as_settled() -> None:
    ini = make_initiative(method="council")
    answers = {
        "F-syfte": ChecklistEntry(item_id="F-syfte", state="done"),
        "F-sammanhang": ChecklistEntry(item_id="F-sammanhang", state="not_applicable", reason="x"),
        "F-fragor": ChecklistEntry(item_id="F-fragor", state="not_done"),
    }
    fore_total = len([i for i in applicable_items(ini) if i.phase == "fore"])
    assert progress(ini, answers)["fore"] == (2, fore_total)


def test_stage_gates() -> None:
    ini = make_initiative(method="council", stage="planning")
    public = [FeedbackPromise(audience="public", due="2026-05-01")]
    running = stage_problems(ini, Stage.RUNNING, {}, None, public)
    assert running[0] == "Före ej klar: Syftet med dialogen är tydligt"
    # Registered with the coordinator: the register itself says so.
    assert "Före ej klar: Dialogen är anmäld till koordinatören för invånardialog" not in running
    closing = stage_problems(
        ini.model_copy(update={"stage": Stage.EVALUATION}), Stage.CLOSED, {}, None
    )
    assert closing[0] == "Dialogen har ingen utvärdering ännu."
    assert any(p.startswith("Efter ej klar") for p in closing)
    everything = {
        item.id: ChecklistEntry(item_id=item.id, state="done") for item in applicable_items(ini)
    }
    complete = Evaluation(
        participants=3,
        effect="e",
        lesson="l",
        achieved="yes",
        unspoken="u",
        went_well="w",
        improve="i",
    )
    assert stage_problems(ini, Stage.CLOSED, everything, complete, public) == []
    assert stage_problems(ini, Stage.PLANNING, {}, None) == []


@pytest.mark.parametrize(
    ("method", "influence", "warns"),
    [
        (Method.SURVEY, InfluenceLevel.CO_DECIDE, True),
        (Method.SURVEY, InfluenceLevel.CONSULT, False),
        (Method.FOCUS_GROUP, InfluenceLevel.INFORM, True),
        (Method.FOCUS_GROUP, InfluenceLevel.INVOLVE, False),
        (Method.OTHER, InfluenceLevel.CO_DECIDE, False),
    ],
)
def test_influence_fits_method(method: Method, influence: InfluenceLevel, warns: bool) -> None:
    message = influence_mismatch(method, influence)
    assert (message is not None) is warns
    if message:
        assert influence.label in message and method.label in message


def test_todo_lists_each_kind_in_order(store: Store) -> None:
    ids_ = store.create_initiatives(
        [
            make_initiative(title="Slut utan utvärdering", start="2026-10-01", end="2026-10-31"),
            make_initiative(title="Börjar snart", start="2026-12-01", end="2026-12-31"),
            make_initiative(
                title="Tidsfrist",
                method="survey",
                start="2026-11-01",
                end="2026-12-31",
                deadline="2026-12-01",
            ),
            make_initiative(title="Långt fram", start="2027-06-01", end="2027-06-30"),
            make_initiative(
                title="Inställd", start="2026-10-01", end="2026-10-02", stage="cancelled"
            ),
        ]
    )
    promise = FeedbackPromise(initiative_id=ids_[0], audience="public", due="2026-11-20")
    store.save_feedback_promise(promise)
    promises = store.feedback_promises()
    items = todo_items(TODAY, store.summaries(), store.settled_items(), {}, promises)
    kinds = [(item.kind, item.title) for item in items]
    assert kinds == [
        ("promise", "Slut utan utvärdering"),
        ("evaluation", "Slut utan utvärdering"),
        ("efter", "Slut utan utvärdering"),
        ("deadline", "Tidsfrist"),
        ("feedbackplan", "Börjar snart"),
        ("fore", "Börjar snart"),
    ]
    assert items[0].text.startswith("4 dagar försenad (senast 2026-11-20)")
    store.save_evaluation(Evaluation(initiative_id=ids_[0], lesson="Kort"))
    answered = {i: e.answered for i, e in store.evaluations().items()}
    later = todo_items(
        TODAY, store.summaries(), store.settled_items(), answered, store.feedback_promises()
    )
    assert "evaluation" not in [item.kind for item in later]
    (partial,) = [item for item in later if item.kind == "partial"]
    assert partial.text.startswith("Utvärdering ofullständig (2 av 8)")


async def test_tick_items_with_keys_and_see_progress(db_path: Path) -> None:
    store = fixed_store(db_path)
    created = store.create_initiative(make_initiative(method="council"))
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        app.open_initiative(created.id or 0)
        await pilot.pause()
        await pilot.press("k")
        assert isinstance(app.screen, ChecklistScreen)
        progress_line = app.screen.query_one("#checklist-progress")
        # "Anmäld" ticks itself: being in the register is the registration.
        assert widget_text(progress_line).strip().startswith("Före 1/14")
        await pilot.press("space", "down", "space")
        await saves_settled(pilot)
        assert widget_text(progress_line).strip().startswith("Före 3/14")
        await pilot.press("up", "space")  # undo the first
        await saves_settled(pilot)
        assert widget_text(progress_line).strip().startswith("Före 2/14")
        await pilot.press("down", "down", "n")
        assert isinstance(app.screen, TextPromptScreen)
        await pilot.press(*"Ingen ny strategi", "enter")
        await saves_settled(pilot)
        answers = store.checklist(created.id or 0)
        assert answers["F-fragor"].state.value == "not_applicable"
        assert answers["F-fragor"].reason == "Ingen ny strategi"
        assert answers["F-sammanhang"].state.value == "done"
        assert answers["F-sammanhang"].by == "anna"
        rows = widget_text(app.screen.query_one(ChecklistRows))
        assert "[–] Frågorna" in rows and "(Ingen ny strategi)" in rows
        assert "anna 2026-11-24" in rows
        assert widget_text(progress_line).strip().startswith("Före 3/14")
        await pilot.press("escape")
        assert isinstance(app.screen, InitiativeScreen)
        assert "Före 3/14" in widget_text(app.screen.query_one("#body"))


async def test_promises_are_added_kept_and_shown_overdue(db_path: Path) -> None:
    store = fixed_store(db_path)
    created = store.create_initiative(make_initiative(start="2026-10-01", end="2026-10-20"))
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        app.open_checklist(created.id or 0)
        await pilot.pause()
        await pilot.press("p")
        assert isinstance(app.screen, PromiseScreen)
        await pilot.press("tab", *"Resultatet i korthet", "enter", *"brev", "enter")
        await pilot.press(*"20/11 2026", "ctrl+s")
        await saves_settled(pilot)
        (promise,) = store.feedback_promises(created.id)
        assert (promise.what, promise.channel, promise.due) == (
            "Resultatet i korthet",
            "brev",
            date(2026, 11, 20),
        )
        rows = widget_text(app.screen.query_one(ChecklistRows))
        assert "1 löfte registrerat" in rows and "0 av 1 löfte hållet, 1 försenat" in rows

        await pilot.press("ctrl+t")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, TodoScreen)
        todo = widget_text(app.screen.query_one(TodoRows))
        assert "Återkoppling försenad (1)" in todo
        assert "4 dagar försenad (senast 2026-11-20)" in todo
        await pilot.press("enter")  # the first row after the heading: the page
        await pilot.pause()
        assert isinstance(app.screen, InitiativeScreen)
        assert "FÖRSENAD" in widget_text(app.screen.query_one("#body"))

        await pilot.press("k", "end", "space")  # the promise is the last row: kept today
        await saves_settled(pilot)
        (kept,) = store.feedback_promises(created.id)
        assert kept.done == TODAY


async def test_closing_requires_evaluation_and_efter_items(db_path: Path) -> None:
    store = fixed_store(db_path)
    created = store.create_initiative(
        make_initiative(stage="evaluation", start="2026-10-01", end="2026-10-20")
    )
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        app.open_initiative(created.id or 0)
        await pilot.pause()
        await pilot.press("s")
        assert isinstance(app.screen, TextPromptScreen)
        assert "ingen utvärdering" in widget_text(app.screen.query_one("Static"))
        await pilot.press(*"Utvärderas i samband med årsrapporten", "enter")
        await saves_settled(pilot)
        assert store.initiative(created.id or 0).stage is Stage.CLOSED
        (entry,) = [e for e in store.audit_log(created.id) if e.action == "stage"]
        assert entry.note == "Åsidosatt: Utvärderas i samband med årsrapporten"


def test_todo_cli_json(
    store: Store, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIALOGTUI_TODAY", "2026-11-24")
    store.create_initiative(make_initiative(title="Över", start="2026-10-01", end="2026-10-31"))
    assert main(["todo", "--json", "--db", str(store.path)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["kind"], r["title"]) for r in rows][:2] == [
        ("evaluation", "Över"),
        ("efter", "Över"),
    ]
    assert main(["todo", "--db", str(store.path)]) == 0
    assert "Utvärdering saknas" in capsys.readouterr().out
