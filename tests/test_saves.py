"""The UI thread never waits on the database: saves run in a worker, in order, once each.

Another process holds SQLite's write lock (as a colleague's large import does) while the user
presses keys: the keys are handled at once, the pending save says "Sparar …", the save lands
when the lock is released, and a save that gives up gives back what was typed, saying why in
Swedish. A worker that fails in a way nobody foresaw is a Swedish message, never the end.
"""

from __future__ import annotations

import dataclasses
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Select

from dialogtui.app import DialogApp
from dialogtui.changes import touched
from dialogtui.domain import ChecklistState, Stage
from dialogtui.models import ChecklistEntry, Evaluation, FeedbackPromise
from dialogtui.process import open_items
from dialogtui.screens.base import Save
from dialogtui.screens.calendar import CalendarScreen
from dialogtui.screens.checklist import ChecklistRows, ChecklistScreen, PromiseScreen
from dialogtui.screens.dialogs import TextPromptScreen
from dialogtui.screens.evaluation import EvaluationScreen, next_without_evaluation
from dialogtui.screens.form import InitiativeFormScreen
from dialogtui.screens.help import HelpScreen
from dialogtui.screens.initiative import InitiativeScreen, gate
from dialogtui.store import Store
from dialogtui.widgets.initiative_table import InitiativeTable
from dialogtui.widgets.month import MonthView
from tests.factories import complete_evaluation, make_initiative
from tests.ui import (
    WAIT_SECONDS,
    fixed_store,
    make_app,
    saves_settled,
    screen_text,
    settle,
    type_text,
    wait_for_screen,
    wait_until,
    widget_text,
    write_lock_held,
)


def header_says_saving(app: object) -> bool:
    from textual.widgets._header import HeaderTitle

    titles = app.screen.query(HeaderTitle)  # type: ignore[attr-defined]
    return any("Sparar …" in widget_text(title) for title in titles)


def messages(app: object) -> str:
    return "\n".join(str(n.message) for n in app._notifications)  # type: ignore[attr-defined]


def hold_saves(app: DialogApp) -> threading.Semaphore:
    """From now on each save (a draft excepted) waits, before it writes, until the test lets
    one go with `release()`.

    A save under a colleague's lock gives up after its busy timeout; a test that presses a key
    while the save waits cannot know, on a loaded machine, that the key came before the
    giving up, however long the timeout. Held here, the save starts to wait for the lock
    only once the test has seen what it wanted to see.
    """
    go = threading.Semaphore(0)
    save = app.save

    def holding(job: Save[Any]) -> bool:
        if job.quiet:  # a draft: kept in the background, nothing the test waits for
            return save(job)
        write = job.write

        def held(store: Store) -> Any:
            if not go.acquire(timeout=4 * WAIT_SECONDS):
                raise AssertionError("the test never let the save go")
            return write(store)

        return save(dataclasses.replace(job, write=held))

    app.save = holding  # type: ignore[method-assign]
    return go


async def test_keys_go_on_while_another_process_holds_the_write_lock(db_path: Path) -> None:
    # The save waits as long as the test holds the lock: the 10 s in use ran out on a
    # loaded machine before the keys below had all been handled.
    store = fixed_store(db_path, busy_timeout=300)
    created = store.create_initiative(make_initiative(method="council"))
    other = store.create_initiative(
        make_initiative(title="Annan dialog", start="2026-11-20", end="2026-12-04")
    )
    initiative_id = created.id or 0
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        app.open_checklist(initiative_id)
        await wait_for_screen(pilot, ChecklistScreen)
        rows = app.screen.query_one(ChecklistRows)
        with write_lock_held(db_path):
            await pilot.press("space")  # F-syfte: done, waiting for the lock
            await wait_until(pilot, lambda: header_says_saving(app), "the header to say so")
            assert "Sparar … [ ] Syftet" in widget_text(rows)
            assert "F-syfte" not in store.checklist(initiative_id)  # not written yet
            # Keys move, help opens, Esc leaves: all while the save still waits for the lock.
            await pilot.press("down")
            assert rows.cursor == 2
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape", "escape")
            assert isinstance(app.screen, CalendarScreen)
            # The month and the list answer too, with the save still waiting.
            grid = app.screen.query_one(MonthView)
            day = grid.selected
            await pilot.press("right", "right")
            assert (grid.selected - day).days == 2
            await pilot.press("3")
            table = app.screen.query_one(InitiativeTable)
            await wait_until(pilot, lambda: table.row_count == 2)
            await pilot.press("down")
            assert table.cursor == 1
            assert header_says_saving(app)
            assert "F-syfte" not in store.checklist(initiative_id)
        # The lock is free: the save lands, and nothing says it still waits.
        await wait_until(
            pilot, lambda: "F-syfte" in store.checklist(initiative_id), "the tick to land"
        )
        await saves_settled(pilot)
        assert store.checklist(initiative_id)["F-syfte"].state is ChecklistState.DONE
        assert not header_says_saving(app)
        assert other.id is not None
        # Only what the rules tick themselves ("Anmäld"): the keys' tick went to the first.
        assert all(entry.automatic for entry in store.checklist(other.id).values())


async def test_a_second_press_while_pending_writes_once(db_path: Path) -> None:
    # The save waits as long as the test holds the lock: the 10 s in use ran out on a
    # loaded machine before the keys below had all been handled.
    store = fixed_store(db_path, busy_timeout=300)
    created = store.create_initiative(make_initiative(method="council"))
    initiative_id = created.id or 0
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        app.open_initiative(initiative_id)
        await wait_for_screen(pilot, InitiativeScreen)
        await pilot.press("k")
        with write_lock_held(db_path):
            await pilot.press("space", "space", "space")
            await wait_until(pilot, lambda: "Sparar redan" in messages(app))
            await pilot.press("escape", "s", "s")  # registered → planning, pressed twice
        await saves_settled(pilot)
        ticks = [e for e in store.audit_log(initiative_id) if e.entity == "checklist"]
        assert len(ticks) == 1, "three presses, one write"
        assert store.checklist(initiative_id)["F-syfte"].state is ChecklistState.DONE
        stages = [e for e in store.audit_log(initiative_id) if e.action == "stage"]
        assert len(stages) == 1
        assert store.initiative(initiative_id).stage is Stage.PLANNING


def ready_but_one(store: Store) -> int:
    """A planned meeting ready to run but for its first "Före" item, F-syfte (the checklist's
    first row): a promise to the public is made and every other "Före" item is done."""
    created = store.create_initiative(make_initiative(method="council", stage="planning"))
    initiative_id = created.id or 0
    store.save_feedback_promise(
        FeedbackPromise(
            initiative_id=initiative_id, audience="public", what="Resultatet", due="2027-01-15"
        )
    )
    for item in open_items(created, store.checklist(initiative_id), "fore"):
        if item.id != "F-syfte":
            store.set_checklist_entry(initiative_id, ChecklistEntry(item_id=item.id, state="done"))
    assert [p[: p.index(":")] for p in gate(store, created, Stage.RUNNING)] == ["Före ej klar"]
    return initiative_id


async def test_the_stage_key_waits_for_a_pending_tick_without_freezing(db_path: Path) -> None:
    # The stage gate is read in the save worker, after the tick asked for before it: the key is
    # handled at once under a colleague's lock, and the gate sees the tick once it has landed.
    # A save waits as long as the lock is held here, however slow the machine: on a loaded
    # one, the ten seconds in use ran out before the keys that follow had been handled.
    store = fixed_store(db_path, busy_timeout=300)
    initiative_id = ready_but_one(store)
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        app.open_initiative(initiative_id)
        await wait_for_screen(pilot, InitiativeScreen)
        await pilot.press("k")
        await wait_for_screen(pilot, ChecklistScreen)
        with write_lock_held(db_path):
            await pilot.press("space", "escape")  # F-syfte done: waits for the lock
            await wait_for_screen(pilot, InitiativeScreen)
            await pilot.press("s")  # planning → running, also waiting
            await wait_until(pilot, lambda: header_says_saving(app), "the header to say so")
            assert app.is_saving(("stage", initiative_id))
            # The keys go on: the page scrolls, help opens and closes, nothing asks for a reason.
            await pilot.press("down", "question_mark")
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape")
            assert isinstance(app.screen, InitiativeScreen)
            assert store.initiative(initiative_id).stage is Stage.PLANNING
        await saves_settled(pilot)
        # Both landed, in order: the gate found nothing missing, so no reason was asked for.
        assert isinstance(app.screen, InitiativeScreen)
        assert store.checklist(initiative_id)["F-syfte"].state is ChecklistState.DONE
        assert store.initiative(initiative_id).stage is Stage.RUNNING
        (entry,) = [e for e in store.audit_log(initiative_id) if e.action == "stage"]
        assert not entry.note


async def test_a_form_left_while_its_stage_change_waits_comes_back_at_the_gate(
    db_path: Path,
) -> None:
    # The form's stage change passes the gate in the save worker too, after the tick asked for
    # before it: under a colleague's lock the form can be left at once; when the gate then
    # stands in the way, nothing is written and the form comes back with what was typed.
    # A save waits as long as the lock is held here, however slow the machine: on a loaded
    # one, the ten seconds in use ran out before the keys that follow had been handled.
    store = fixed_store(db_path, busy_timeout=300)
    created = store.create_initiative(make_initiative(method="council", stage="planning"))
    initiative_id = created.id or 0
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        app.open_initiative(initiative_id)
        await wait_for_screen(pilot, InitiativeScreen)
        await pilot.press("k")
        await wait_for_screen(pilot, ChecklistScreen)
        with write_lock_held(db_path):
            await pilot.press("space", "escape", "e")  # F-syfte done: waits for the lock
            await wait_for_screen(pilot, InitiativeFormScreen)
            app.screen.query_one("#stage", Select).value = Stage.RUNNING
            await pilot.press("ctrl+s")
            await wait_until(
                pilot, lambda: app.is_saving(("initiative", initiative_id)), "the save to wait"
            )
            await pilot.press("escape")  # leaving while it waits loses nothing
            await wait_for_screen(pilot, InitiativeScreen)
            await pilot.press("down")
            assert store.initiative(initiative_id).stage is Stage.PLANNING
        # The tick lands, then the gate finds what is still missing: the form is back.
        await wait_until(pilot, lambda: not app.is_saving(), "the saves to land")
        await wait_for_screen(pilot, InitiativeFormScreen)
        assert app.screen.query_one("#stage", Select).value is Stage.RUNNING
        assert "inte redo för genomförande" in " ".join(screen_text(app).split())
        assert store.initiative(initiative_id).stage is Stage.PLANNING
        # Saved again: the gate lists what is missing (no longer the purpose, ticked before it)
        # and asks for the reason.
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, TextPromptScreen)
        prompt = " ".join(widget_text(app.screen.query_one("Static")).split())
        assert "Ingen återkoppling till allmänheten är planerad" in prompt
        assert "Före ej klar" in prompt and "Syftet med dialogen" not in prompt
        await type_text(pilot, "Beslutat av nämnden")
        await pilot.press("enter")
        await saves_settled(pilot)
        assert store.initiative(initiative_id).stage is Stage.RUNNING
        edit = store.audit_log(initiative_id)[0]
        assert edit.note == "Åsidosatt: Beslutat av nämnden"


async def test_saves_land_in_the_order_they_were_asked_for(db_path: Path) -> None:
    # The save waits as long as the test holds the lock: the 10 s in use ran out on a
    # loaded machine before the keys below had all been handled.
    store = fixed_store(db_path, busy_timeout=300)
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await pilot.press("o", "v")
        with write_lock_held(db_path):
            await pilot.press("ctrl+a", "ctrl+k", *"20", "tab")
            await pilot.press("shift+tab", "ctrl+a", "ctrl+k", *"21", "tab")
            await wait_until(pilot, lambda: header_says_saving(app))
        await saves_settled(pilot)
        assert store.int_setting("rest_days", 0) == 21


async def test_a_save_that_gives_up_gives_back_what_was_typed(db_path: Path) -> None:
    # A save waits 0.3 s for the lock here (10 s in use), so that giving up is quick to see.
    store = fixed_store(db_path, busy_timeout=0.3)
    created = store.create_initiative(make_initiative(method="council"))
    initiative_id = created.id or 0
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        app.open_checklist(initiative_id)
        await wait_for_screen(pilot, ChecklistScreen)
        with write_lock_held(db_path):
            await pilot.press("p")
            assert isinstance(app.screen, PromiseScreen)
            await pilot.press("tab", *"Resultatet i korthet", "enter", *"brev", "enter")
            await pilot.press(*"20/12 2026", "ctrl+s")
            # The dialog closed; the save gave up; the dialog is back with the text and why.
            await wait_until(pilot, lambda: "Databasen är upptagen" in messages(app))
            await wait_for_screen(pilot, PromiseScreen)
            dialog = app.screen
            assert dialog.query_one("#what").value == "Resultatet i korthet"  # type: ignore[attr-defined]
            assert dialog.query_one("#channel").value == "brev"  # type: ignore[attr-defined]
            assert dialog.query_one("#due").value == "2026-12-20"  # type: ignore[attr-defined]
            error = " ".join(widget_text(dialog.query_one("#promise-error")).split())
            assert "Sparades inte: Databasen är upptagen av en annan användare" in error
            assert "väntade 0,3 s" in error and "Inget sparades" in error
            assert store.feedback_promises(initiative_id) == []
        await pilot.press("ctrl+s")  # the lock is free now: the same text, saved
        await saves_settled(pilot)
        (promise,) = store.feedback_promises(initiative_id)
        assert (promise.what, promise.channel) == ("Resultatet i korthet", "brev")
        assert isinstance(app.screen, ChecklistScreen)


async def test_an_evaluation_left_while_saving_comes_back_when_the_save_fails(
    db_path: Path,
) -> None:
    # The saves are held until the test has seen them wait (see `hold_saves`): with a busy
    # timeout of 0.5 s, and once of 3 s, the save failed on a loaded machine before Esc had
    # been handled, with the form still open.
    store = fixed_store(db_path, busy_timeout=0.3)
    created = store.create_initiative(make_initiative(start="2026-10-01", end="2026-10-10"))
    initiative_id = created.id or 0
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        app.open_evaluation(initiative_id)
        await wait_for_screen(pilot, EvaluationScreen)
        first = app.screen
        go = hold_saves(app)
        with write_lock_held(db_path):
            await pilot.press(*"12", "tab", "tab", *"Bättre kallelser", "ctrl+s")
            summary = app.screen.query_one("#evaluation-summary")
            await wait_until(pilot, lambda: "Sparar …" in widget_text(summary), "Sparar …")
            go.release()  # it meets the lock, and gives up
            # Failing in place: the text stays, the reason is shown where it was typed.
            await wait_until(pilot, lambda: "Sparades inte" in widget_text(summary))
            assert "Databasen är upptagen" in widget_text(summary)
            assert app.screen.query_one("#effect").text == "Bättre kallelser"  # type: ignore[attr-defined]
            # Saving again and leaving while it waits: the failure brings the form back, as typed.
            await pilot.press("ctrl+s", "escape")
            await wait_until(pilot, lambda: first not in app.screen_stack, "the form to close")
            assert app.is_saving()
            go.release()
            await wait_until(
                pilot,
                lambda: (
                    isinstance(app.screen, EvaluationScreen)
                    and app.screen is not first
                    and app.screen.is_mounted
                ),
                "the evaluation to come back",
            )
            await pilot.pause()
            again = app.screen
            assert again.query_one("#participants").value == "12"  # type: ignore[attr-defined]
            assert again.query_one("#effect").text == "Bättre kallelser"  # type: ignore[attr-defined]
            assert "Sparades inte" in widget_text(again.query_one("#evaluation-summary"))
        go.release()  # the lock is free now: the same text, saved
        await pilot.press("ctrl+s")
        await saves_settled(pilot)
        saved = store.evaluation(initiative_id)
        assert saved is not None and saved.participants == 12


async def test_a_form_left_while_saving_comes_back_when_the_save_fails(db_path: Path) -> None:
    # The save is held until Esc has been handled (see `hold_saves`): with a busy timeout of
    # 1.5 s, a loaded machine could see it give up with the form still open.
    store = fixed_store(db_path, busy_timeout=0.3)
    created = store.create_initiative(make_initiative())
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        app.edit_initiative(created)
        await wait_for_screen(pilot, InitiativeFormScreen)
        first = app.screen
        go = hold_saves(app)
        with write_lock_held(db_path):
            await pilot.press("end", *" i Varberg", "ctrl+s")
            await wait_until(pilot, lambda: header_says_saving(app), "the save to start")
            await pilot.press("escape")  # leaves at once: it is being saved
            await wait_until(pilot, lambda: first not in app.screen_stack, "the form to close")
            assert app.is_saving()
            go.release()  # it meets the lock, and gives up
            await wait_until(
                pilot,
                lambda: (
                    isinstance(app.screen, InitiativeFormScreen)
                    and app.screen is not first
                    and app.screen.is_mounted
                ),
                "the form to come back",
            )
            await pilot.pause()
            form = app.screen
            assert form.query_one("#title").value == "Ungas psykiska hälsa i Varberg"  # type: ignore[attr-defined]
            assert "Sparades inte" in widget_text(form.query_one("#save-error"))
        go.release()  # the lock is free now: the same text, saved
        await pilot.press("ctrl+s")
        await saves_settled(pilot)
        assert store.initiative(created.id or 0).title == "Ungas psykiska hälsa i Varberg"


async def test_a_failing_worker_is_a_swedish_message_and_the_app_lives_on(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dialogtui.coordination

    store = fixed_store(db_path)
    created = store.create_initiative(make_initiative(method="council"))
    initiative_id = created.id or 0
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await settle(pilot)

        def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("trasig överlappssökning")

        # A worker of the app.
        monkeypatch.setattr(dialogtui.coordination, "load_state", broken)
        app.refresh_overlaps()
        await wait_until(pilot, lambda: "trasig överlappssökning" in messages(app))
        assert "Ett fel uppstod i bakgrunden (RuntimeError" in messages(app)
        # A worker of a screen.
        monkeypatch.setattr(dialogtui.coordination, "todo_list", broken)
        await pilot.press("ctrl+t")
        await wait_until(pilot, lambda: messages(app).count("trasig") == 2)
        # A save: the user hears of it, and the row is not left saying "Sparar …".
        await pilot.press("escape")
        app.open_checklist(initiative_id)
        await wait_for_screen(pilot, ChecklistScreen)

        def failing(*args: object, **kwargs: object) -> None:
            raise ValueError("oväntat")

        monkeypatch.setattr(store, "set_checklist_entry", failing)
        await pilot.press("space")
        await saves_settled(pilot)
        assert "Ett oväntat fel hindrade sparandet (ValueError: oväntat)" in messages(app)
        assert "Sparar" not in widget_text(app.screen.query_one(ChecklistRows))
        # And the app is alive: keys still work, and the next save goes through.
        monkeypatch.undo()
        await pilot.press("space")
        await saves_settled(pilot)
        assert store.checklist(initiative_id)["F-syfte"].state is ChecklistState.DONE
        assert app.is_running


async def test_own_tick_reloads_what_shows_it_and_leaves_the_overlaps_alone(
    db_path: Path,
) -> None:
    store = fixed_store(db_path)
    created = store.create_initiative(make_initiative(method="council"))
    initiative_id = created.id or 0
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.overlap_state is not None, "the first overlap search")
        searches: list[int] = []
        original = app.refresh_overlaps
        app.refresh_overlaps = lambda: (searches.append(1), original())[1]  # type: ignore[method-assign]
        calendar = app.screen
        app.open_initiative(initiative_id)
        await wait_for_screen(pilot, InitiativeScreen)
        page = app.screen
        await pilot.press("k")
        checklist = app.screen
        reloads = {"calendar": 0, "page": 0, "checklist": 0}
        for name, screen in (("calendar", calendar), ("page", page), ("checklist", checklist)):
            reload = screen.reload  # type: ignore[attr-defined]

            def counting(name: str = name, reload: object = reload) -> None:
                reloads[name] += 1
                reload()  # type: ignore[operator]

            screen.reload = counting  # type: ignore[attr-defined]
        await pilot.press("space")
        await saves_settled(pilot)
        assert reloads == {"calendar": 0, "page": 1, "checklist": 1}
        assert searches == []
        # A new promise is the same: no overlap search, each screen of it once.
        await pilot.press("p", "tab", *"Resultat", "enter", "enter", *"20/12 2026", "ctrl+s")
        await saves_settled(pilot)
        assert reloads == {"calendar": 0, "page": 2, "checklist": 2}
        assert searches == []
        # Moving the stage can move the overlaps: searched again, once.
        await pilot.press("escape", "s")
        await saves_settled(pilot)
        assert searches == [1]
        assert reloads["calendar"] == 1


async def test_another_sessions_change_reloads_the_screens_that_show_it(db_path: Path) -> None:
    store = fixed_store(db_path)
    mine = store.create_initiative(make_initiative(method="council", title="Min dialog"))
    theirs = store.create_initiative(make_initiative(method="council", title="Bos dialog"))
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.overlap_state is not None, "the first overlap search")
        searches: list[int] = []
        original = app.refresh_overlaps
        app.refresh_overlaps = lambda: (searches.append(1), original())[1]  # type: ignore[method-assign]
        app.open_checklist(mine.id or 0)
        await wait_for_screen(pilot, ChecklistScreen)
        checklist = app.screen
        reloads: list[int] = []
        reload = checklist.reload  # type: ignore[attr-defined]
        checklist.reload = lambda: (reloads.append(1), reload())  # type: ignore[attr-defined]
        bo = Store(db_path, user="bo")
        from dialogtui.models import ChecklistEntry

        # Bo ticks his own dialogue's checklist: this checklist has nothing to read again.
        bo.set_checklist_entry(theirs.id or 0, ChecklistEntry(item_id="F-syfte", state="done"))
        await wait_until(pilot, lambda: "Bos dialog" in messages(app), "the news of Bo's tick")
        assert reloads == [] and searches == []
        # Bo ticks this one: it reads again and shows his tick, without an overlap search.
        bo.set_checklist_entry(mine.id or 0, ChecklistEntry(item_id="F-syfte", state="done"))
        await wait_until(pilot, lambda: reloads, "the checklist to read again")
        rows = checklist.query_one(ChecklistRows)
        await wait_until(pilot, lambda: "  bo 20" in widget_text(rows), "Bo's tick shown")
        assert searches == []
        # Bo moves its dates: the overlaps are searched again.
        moved = bo.initiative(mine.id or 0).model_copy(update={"start": date(2026, 3, 3)})
        bo.update_initiative(moved)
        await wait_until(pilot, lambda: searches, "the overlap search")


async def test_a_stage_change_refused_by_a_conflict_reloads_the_page(db_path: Path) -> None:
    store = fixed_store(db_path)
    created = store.create_initiative(make_initiative())
    initiative_id = created.id or 0
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        app.open_initiative(initiative_id)
        await wait_for_screen(pilot, InitiativeScreen)
        held = threading.Event()
        release = threading.Event()

        def colleague() -> None:
            # Bo renames it in a transaction that holds the lock until he commits.
            bo = Store(db_path, user="bo")
            with bo.write():
                renamed = bo.initiative(initiative_id).model_copy(update={"title": "Bos titel"})
                bo.update_initiative(renamed)
                held.set()
                release.wait(10)

        thread = threading.Thread(target=colleague)
        thread.start()
        assert held.wait(10)
        await pilot.press("s")  # against the version this page read: Bo's commit comes first
        await wait_until(pilot, lambda: header_says_saving(app))
        release.set()
        thread.join()
        await saves_settled(pilot)
        assert "har ändrats av bo" in messages(app)
        await wait_until(pilot, lambda: "Bos titel" in widget_text(app.screen.query_one("#body")))
        assert store.initiative(initiative_id).stage is Stage.REGISTERED


def test_changes_say_what_they_touched() -> None:
    tick = touched("checklist", "checklist", 7, ["F-syfte.state"])
    assert tick.concerns(7) and not tick.concerns(8) and not tick.overlaps
    assert tick.touches("checklist") and not tick.touches("initiative")
    assert touched("initiative", "update", 7, ["purpose"]).overlaps is False
    assert touched("initiative", "update", 7, ["purpose", "start"]).overlaps
    assert touched("initiative", "stage", 7, ["stage"]).overlaps
    assert (
        touched("initiative", "create", 7).overlaps and touched("initiative", "delete", 7).overlaps
    )
    assert touched("setting", "update", None).overlaps
    assert touched("overlap", "coordinate", 7).overlaps
    assert touched("blocked_period", "delete", None).overlaps
    assert not touched("feedback", "create", 7).overlaps
    assert not touched("evaluation", "update", 7).overlaps
    unknown = touched("database", "restore", None)
    assert unknown.everything and unknown.concerns(123) and unknown.touches("initiative")
    both = tick | touched("evaluation", "update", 8)
    assert both.concerns(7) and both.concerns(8) and not both.overlaps


async def test_a_save_job_is_refused_twice_but_coalesced_when_asked(db_path: Path) -> None:
    store = fixed_store(db_path)
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        written: list[str] = []

        def job(value: str, coalesce: bool) -> Save[None]:
            return Save(
                key=("test", coalesce),
                write=lambda _store: written.append(value),
                change=lambda _: touched("setting", "update", None),
                coalesce=coalesce,
            )

        with write_lock_held(db_path):
            blocker = Save(
                key="blocker",
                write=lambda s: s.set_setting("rest_days", "3"),
                change=lambda _: touched("setting", "update", None),
            )
            assert app.save(blocker)
            assert app.save(job("a", coalesce=False))
            assert not app.save(job("b", coalesce=False))
            assert app.save(job("c", coalesce=True))
            assert app.save(job("d", coalesce=True))
        await saves_settled(pilot)
        assert written == ["a", "d"]


def test_the_next_dialogue_without_evaluation_goes_round_in_one_query(store: Store) -> None:
    ids = [
        store.create_initiative(
            make_initiative(title=f"D{k}", start=f"2026-0{k}-01", end=f"2026-0{k}-10")
        ).id
        or 0
        for k in range(1, 6)
    ]
    store.set_stage(ids[1], Stage.CANCELLED, 1)
    today = date(2026, 4, 20)  # the first four have ended; the second is cancelled
    assert store.ended_in_turn(today, None) == [ids[0], ids[2], ids[3]]
    assert store.ended_in_turn(today, ids[2]) == [ids[3], ids[0]]  # round to the start

    def following(after: int | None) -> int | None:
        return next_without_evaluation(store, today, after)

    assert following(None) == ids[0]
    assert following(ids[0]) == ids[2]
    assert following(ids[3]) == ids[0]
    # Half an evaluation does not count (`rules.evaluation_complete`): still next.
    half = store.save_evaluation(Evaluation(initiative_id=ids[2], participants=4))
    assert following(ids[0]) == ids[2]
    store.save_evaluation(complete_evaluation(ids[2], version=half.version))
    assert following(ids[0]) == ids[3]
    assert following(ids[2]) == ids[3]
    for initiative_id in (ids[0], ids[3]):
        store.save_evaluation(complete_evaluation(initiative_id))
    assert following(ids[3]) is None


async def test_quitting_with_a_save_pending_asks_first(db_path: Path) -> None:
    # The save waits as long as the test holds the lock: the 10 s in use ran out on a
    # loaded machine before the keys below had all been handled.
    store = fixed_store(db_path, busy_timeout=300)
    created = store.create_initiative(make_initiative(method="council"))
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        app.open_checklist(created.id or 0)
        await wait_for_screen(pilot, ChecklistScreen)
        with write_lock_held(db_path):
            await pilot.press("space", "ctrl+q")
            await wait_until(pilot, lambda: "väntar fortfarande på att sparas" in messages(app))
            assert app.is_running
        await saves_settled(pilot)
        assert "F-syfte" in store.checklist(created.id or 0)
        await pilot.press("ctrl+q")  # nothing waits now: it quits at once
        await wait_until(pilot, lambda: not app.is_running, "the app to quit")
