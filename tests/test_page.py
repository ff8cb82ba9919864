"""The initiative's own page: fields, responsibilities, history, and moving the stage."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from dialogtui.domain import Stage
from dialogtui.process import INVANARTJANSTER, ORDERER, responsibilities
from dialogtui.screens.dialogs import ConfirmScreen, TextPromptScreen
from dialogtui.screens.initiative import InitiativeScreen
from dialogtui.store import Store
from tests.factories import make_initiative
from tests.ui import fixed_store, make_app, saves_settled, widget_text


async def open_page(app: object, initiative_id: int) -> None:
    app.open_initiative(initiative_id)  # type: ignore[attr-defined]


async def test_page_shows_fields_duties_groups_and_history(db_path: Path) -> None:
    store = fixed_store(db_path)
    created = store.create_initiative(
        make_initiative(method="survey", uses_panel=True, purpose="Förstå behoven")
    )
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 60)) as pilot:
        await open_page(app, created.id or 0)
        await pilot.pause()
        page = widget_text(app.screen.query_one("#body"))
        for expected in (
            "Ungas psykiska hälsa",
            "Psykiatrin Halland",
            "enkätundersökning",
            "Unga i Halmstad (unga 13–19 i Halmstad)",
            "Förstå behoven",
            "Genomför datainsamlingen",
            "Lämna beställning till Invånartjänster e-hälsa",
            "Före 1/",  # "anmäld" ticks itself
            "2026-11-24 09:30 anna skapade initiativet",
        ):
            assert expected in page, expected


async def test_next_stage_is_audited_and_cancel_asks(db_path: Path) -> None:
    store = fixed_store(db_path)
    created = store.create_initiative(make_initiative())
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 60)) as pilot:
        await open_page(app, created.id or 0)
        await pilot.pause()
        await pilot.press("s")  # registered → planning: nothing stands in the way
        await saves_settled(pilot)
        assert store.initiative(created.id or 0).stage is Stage.PLANNING
        await pilot.press("s")  # planning → running, with every "Före" item open
        assert isinstance(app.screen, TextPromptScreen)
        assert "Före ej klar: Syftet med dialogen är tydligt" in widget_text(
            app.screen.query_one("Static")
        )
        await pilot.press("escape")
        assert store.initiative(created.id or 0).stage is Stage.PLANNING
        await pilot.press("s", *"Beslut i ledningsgruppen", "enter")
        await saves_settled(pilot)
        assert store.initiative(created.id or 0).stage is Stage.RUNNING
        page = widget_text(app.screen.query_one("#body"))
        assert "bytte skede: planering → genomförande" in page
        override = store.audit_log(created.id)[0]
        assert override.note == "Åsidosatt: Beslut i ledningsgruppen"
        await pilot.press("i")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await saves_settled(pilot)
        assert store.initiative(created.id or 0).stage is Stage.CANCELLED
        assert isinstance(app.screen, InitiativeScreen)
        stages = [e.changes["stage"] for e in store.audit_log(created.id) if e.action == "stage"]
        assert stages == [
            ["running", "cancelled"],
            ["planning", "running"],
            ["registered", "planning"],
        ]


async def test_stage_change_against_a_stale_page_is_refused(store: Store, db_path: Path) -> None:
    created = store.create_initiative(make_initiative())
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 60)) as pilot:
        await open_page(app, created.id or 0)
        await pilot.pause()
        app._poll = lambda: None  # type: ignore[method-assign]  # this page has not heard yet
        other = Store(db_path, user="bo")
        other.set_stage(created.id or 0, Stage.PLANNING, 1)
        await pilot.press("s")
        await saves_settled(pilot)
        assert store.initiative(created.id or 0).stage is Stage.PLANNING
        assert any("ändrats av bo" in str(n.message) for n in app._notifications)


def test_responsibilities_follow_the_process() -> None:
    from dialogtui.domain import Method

    # Ordered from Invånartjänster (the panel not used): their tasks are theirs.
    survey = {(r.who, r.task) for r in responsibilities(Method.SURVEY, False, True)}
    assert (INVANARTJANSTER, "Genomför datainsamlingen") in survey
    meeting = {(r.who, r.task) for r in responsibilities(Method.FOCUS_GROUP, False, True)}
    assert (INVANARTJANSTER, "Leverera urval") in meeting
    assert (ORDERER, "Genomför dialogen") in meeting
    assert (ORDERER, "Lämna beställning till Invånartjänster e-hälsa") in meeting
    # A unit's own survey: the orderer does it all.
    own = {(r.who, r.task) for r in responsibilities(Method.SURVEY, False)}
    assert (ORDERER, "Genomför datainsamlingen") in own
    assert not any(who == INVANARTJANSTER for who, _ in own)
    panel = {r.id for r in responsibilities(Method.PANEL_SURVEY, False)}
    assert "P-bestallning" in panel


async def test_summary_and_public_feedback_are_written_as_markdown(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import stat

    # A working directory that cannot take a file (it no longer exists): the documents go to
    # the folder beside the database, which the user finds again.
    gone = tmp_path / "borta"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    store = fixed_store(db_path)
    created = store.create_initiative(make_initiative(title="Ungas [hälsa]"))
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        app.open_initiative(created.id or 0)
        await pilot.pause()
        await pilot.press("a")
        await pilot.press(*"Hur mår unga?", "tab", *"Sämre än förr", "tab", *"Fler samtal")
        await pilot.press("ctrl+s", "d")
        await pilot.pause()
        assert isinstance(app.screen, TextPromptScreen)  # where to? the folder is suggested
        await pilot.press("enter", "m", "enter")
        await saves_settled(pilot)  # the files are written in turn, after the save
    folder = db_path.parent / "dokument"
    summary = folder / f"{created.id}-ungas-hälsa.md"
    public = folder / f"{created.id}-ungas-hälsa-aterkoppling.md"
    assert "# Ungas \\[hälsa\\]" in summary.read_text(encoding="utf-8")
    text = public.read_text(encoding="utf-8")
    assert "## Vi frågade\n\nHur mår unga?" in text and "Fler samtal" in text
    assert stat.S_IMODE(public.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o770


async def test_a_document_goes_where_the_user_says_and_a_bad_place_is_explained(
    db_path: Path, tmp_path: Path
) -> None:
    store = fixed_store(db_path)
    # A title whose file name would be far too long in bytes: four bytes a letter.
    created = store.create_initiative(make_initiative(title="𠀀" * 150))
    app = make_app(store)
    chosen = tmp_path / "mina"
    chosen.mkdir()
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        app.open_initiative(created.id or 0)
        await pilot.pause()
        for place in (str(chosen), "/proc/sammanfattning.md", str(tmp_path / "fil-som-mapp")):
            if place.endswith("fil-som-mapp"):
                Path(place).write_text("", encoding="utf-8")
                place += "/x.md"
            await pilot.press("d")
            await pilot.pause()
            prompt = app.screen.query_one(Input)
            prompt.value = place
            await pilot.press("enter")
            await saves_settled(pilot)
        assert isinstance(app.screen, InitiativeScreen)  # the app lives on
        said = [str(n.message) for n in app._notifications]
    (written,) = chosen.iterdir()
    assert len(written.name.encode("utf-8")) <= 120 and written.name.endswith(".md")
    assert any("kärnans vy" in text for text in said)
    assert any("Kan inte" in text and "fil-som-mapp" in text for text in said)
