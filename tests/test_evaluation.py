"""Evaluation entry with keys only, drafts that survive a dead terminal, the lessons library."""

from __future__ import annotations

from pathlib import Path

from dialogtui.domain import Achieved, LessonHit, Method
from dialogtui.screens.evaluation import EvaluationScreen
from dialogtui.screens.form import FieldRow
from dialogtui.screens.initiative import InitiativeScreen
from dialogtui.screens.lessons import LessonRows, LessonsScreen
from dialogtui.store import Store
from tests.factories import make_initiative
from tests.ui import fixed_store, make_app, saves_settled, settle, wait_for, widget_text


def ended(store: Store, title: str = "Fokusgrupp om väntetider", **extra: object) -> int:
    created = store.create_initiative(
        make_initiative(title=title, start="2026-10-01", end="2026-10-20", sample_size=40, **extra)
    )
    return created.id or 0


async def test_full_evaluation_with_keys_only(db_path: Path) -> None:
    store = fixed_store(db_path)
    iid = ended(store)
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        app.open_initiative(iid)
        await pilot.pause()
        await pilot.press("u")
        assert isinstance(app.screen, EvaluationScreen)
        await pilot.press(*"12", "enter")  # participants; invited is prefilled with 40
        assert "svarsfrekvens 30%" in widget_text(
            app.screen.query_one("#row-participants .field-hint")
        )
        await pilot.press("tab", *"Beslut om nya öppettider", "tab")
        await pilot.press(*"Fråga tidigt", "tab")
        await pilot.press("enter", "down", "enter", "tab")  # ja
        await pilot.press(*"Målen nåddes", "tab", *"Mer personal", "tab")
        await pilot.press(*"Bra lokaler", "tab", *"Fler kvällstider", "ctrl+s")
        await saves_settled(pilot)
        assert isinstance(app.screen, InitiativeScreen)
        saved = store.evaluation(iid)
        assert saved is not None
        assert (saved.participants, saved.invited, saved.method) == (12, 40, Method.FOCUS_GROUP)
        assert saved.effect == "Beslut om nya öppettider"
        assert saved.lesson == "Fråga tidigt"
        assert saved.achieved is Achieved.YES
        assert (saved.achieved_comment, saved.unspoken) == ("Målen nåddes", "Mer personal")
        assert (saved.went_well, saved.improve) == ("Bra lokaler", "Fler kvällstider")
        assert "12 av 40 (30%)" in widget_text(app.screen.query_one("#body"))
        assert store.draft(iid) is None

        # … and the year report counts it.
        from dialogtui.screens.report import ReportScreen

        await pilot.press("escape", "r")
        await settle(pilot)
        assert isinstance(app.screen, ReportScreen)
        shown = " ".join(widget_text(w) for w in app.screen.query("Static"))
        assert "Psykiatrin Halland" in shown and "12" in shown and "1 (100 %)" in shown


async def test_the_form_asks_the_process_s_questions_whole(db_path: Path) -> None:
    from dialogtui.documents import EVALUATION_QUESTIONS

    store = fixed_store(db_path)
    iid = ended(store)
    app = make_app(store)
    async with app.run_test(notifications=True, size=(200, 60)) as pilot:
        app.open_initiative(iid)
        await pilot.pause()
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, EvaluationScreen)
        labels = " ".join(
            " ".join(widget_text(label).split()) for label in app.screen.query(".field-label")
        )
    # Questions 3 to 8 in the words the written summary and the process use (seed 000).
    for number, question in enumerate(EVALUATION_QUESTIONS[2:], start=3):
        assert f"{number}. {question}" in labels, question


async def test_too_many_participants_is_refused(db_path: Path) -> None:
    store = fixed_store(db_path)
    iid = ended(store)
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        app.open_evaluation(iid)
        await pilot.pause()
        await pilot.press(*"41", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EvaluationScreen)
        row = app.screen.query_one("#row-participants", FieldRow)
        assert "får inte vara fler än antal inbjudna (40)" in " ".join(
            widget_text(row.query_one(".field-error")).split()
        )
        assert store.evaluation(iid) is None


async def test_draft_is_restored_after_quitting_without_saving(db_path: Path) -> None:
    store = fixed_store(db_path)
    iid = ended(store)
    first = make_app(store)
    async with first.run_test(notifications=True, size=(100, 40)) as pilot:
        first.open_evaluation(iid)
        await pilot.pause()
        await pilot.press(*"7", "tab", "tab", *"Det här får inte försvinna", "tab")
        await saves_settled(pilot)  # the draft of each field left
        await pilot.press("ctrl+q")  # the terminal dies: no save, no Esc
    assert store.evaluation(iid) is None

    again = make_app(fixed_store(db_path))
    async with again.run_test(notifications=True, size=(100, 40)) as pilot:
        again.open_evaluation(iid)
        await pilot.pause()
        screen = again.screen
        assert screen.query_one("#participants").value == "7"  # type: ignore[attr-defined]
        assert screen.query_one("#effect").text == "Det här får inte försvinna"  # type: ignore[attr-defined]
        assert any("utkast" in str(n.message) for n in again._notifications)


async def test_ctrl_n_saves_and_opens_the_next_without_evaluation(db_path: Path) -> None:
    store = fixed_store(db_path)
    first = ended(store, "Första")
    second = ended(store, "Andra")
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        app.open_evaluation(first)
        await pilot.pause()
        await pilot.press(*"5", "ctrl+n")
        await saves_settled(pilot)
        assert isinstance(app.screen, EvaluationScreen)
        assert app.screen.initiative_id == second
        assert store.evaluation(first) is not None


async def test_lessons_library_finds_by_prefix_and_opens(db_path: Path) -> None:
    store = fixed_store(db_path)
    iid = ended(store, "Fokusgrupp om återbesök")
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 30)) as pilot:
        await pilot.press("l")
        assert isinstance(app.screen, LessonsScreen)
        await pilot.press(*"fokus", "enter")
        rows = app.screen.query_one(LessonRows)
        await wait_for(pilot, lambda: rows.row_count == 1, what="the find")  # from a worker
        assert "Fokusgrupp om återbesök" in widget_text(rows)  # the find in bold
        await pilot.press("escape", "l")
        # Enter typed ahead, before the search has answered, opens the first find when it comes.
        await pilot.press(*"återb", "enter", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, InitiativeScreen), what="the page")
        assert isinstance(app.screen, InitiativeScreen) and app.screen.initiative_id == iid


async def test_two_people_evaluating_one_dialogue_never_overwrite(db_path: Path) -> None:
    from dialogtui.models import Evaluation
    from dialogtui.screens.dialogs import ConflictScreen

    store = fixed_store(db_path, "anna")
    iid = ended(store)
    app = make_app(store)
    async with app.run_test(notifications=True, size=(120, 40)) as pilot:
        app.open_evaluation(iid)
        await pilot.pause()
        fixed_store(db_path, "bo").save_evaluation(
            Evaluation(initiative_id=iid, participants=30, lesson="Bos lärdom")
        )
        await pilot.press(*"12", "ctrl+s")
        await saves_settled(pilot)
        assert isinstance(app.screen, ConflictScreen)
        shown = widget_text(app.screen.query_one("VerticalScroll Static"))
        assert "Bos lärdom" in shown and "30" in shown and "12" in shown
        assert store.evaluation(iid).participants == 30  # type: ignore[union-attr]
        await pilot.press("r")  # take Bo's
        await pilot.pause()
        assert app.screen.query_one("#participants").value == "30"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")  # saving now builds on Bo's version, keeping his lesson
        await saves_settled(pilot)
        saved = store.evaluation(iid)
        assert saved is not None and (saved.participants, saved.lesson) == (30, "Bos lärdom")


async def test_an_untouched_form_saves_nothing(db_path: Path) -> None:
    store = fixed_store(db_path)
    iid = ended(store)
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        app.open_evaluation(iid)
        await pilot.pause()
        app.screen.query_one("#invited").value = ""  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "besvara minst en av frågorna" in widget_text(
            app.screen.query_one("#evaluation-summary")
        )
        assert store.evaluation(iid) is None


def test_huge_counts_are_refused_not_crashed() -> None:
    import pytest
    from pydantic import ValidationError

    from dialogtui.models import Evaluation, field_errors

    with pytest.raises(ValidationError) as refused:
        Evaluation(invited=99999999999999999999)
    assert str(field_errors(refused.value)[0]) == "Antal inbjudna: får vara högst 10000000"


async def test_the_lessons_search_runs_in_a_worker_and_an_enter_typed_ahead_opens_the_find(
    db_path: Path,
) -> None:
    import threading

    store = fixed_store(db_path)
    iid = ended(store, "Fokusgrupp om återbesök")
    released = threading.Event()
    threads: list[str] = []
    search = store.search_lessons

    def held(query: str, limit: int = 200) -> list[LessonHit]:
        threads.append(threading.current_thread().name)
        released.wait(30)  # on the UI thread this would stop the test: it would then fail
        return search(query, limit)

    store.search_lessons = held  # type: ignore[method-assign]
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("l", *"återb", "enter")
        await wait_for(pilot, lambda: threads, what="the search to begin")
        assert "Söker" in widget_text(app.screen.query_one("#lesson-count"))
        await pilot.press("enter")  # before the answer: kept for the first find
        assert isinstance(app.screen, LessonsScreen)
        released.set()
        await wait_for(pilot, lambda: isinstance(app.screen, InitiativeScreen), what="the page")
        assert isinstance(app.screen, InitiativeScreen) and app.screen.initiative_id == iid
    assert threads and threading.main_thread().name not in threads
