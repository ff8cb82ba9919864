"""Drafts of the registration form (issue 15: nothing typed is lost): what is typed in a new
registration or an edit is kept for its user until it is saved or thrown away, and comes back
when the same form is opened again after the terminal died."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Select, TextArea

from dialogtui.domain import Method, Stage
from dialogtui.screens.dialogs import ConfirmScreen, ConflictScreen
from dialogtui.screens.form import InitiativeFormScreen
from dialogtui.screens.initiative import InitiativeScreen
from dialogtui.store import MIGRATIONS, SCHEMA_VERSION, NotFoundError, Store
from dialogtui.store.schema import expected_shape, schema_problems
from tests.factories import make_initiative
from tests.ui import (
    fixed_store,
    make_app,
    saves_settled,
    settled,
    wait_for,
    wait_for_screen,
    widget_text,
)


def kept(store: Store, initiative_id: int | None, field: str) -> Any:
    """One field of the user's stored draft of that form, or None without a draft."""
    draft = store.form_draft(initiative_id)
    return draft.data.get(field) if draft is not None else None


def value(app: Any, field: str) -> str:
    return str(app.screen.query_one(f"#{field}", Input).value)


def banner(app: Any) -> str:
    note = app.screen.query_one("#draft-note")
    return " ".join(widget_text(note).split()) if note.display else ""


# --- the store ------------------------------------------------------------------------------------


def test_drafts_are_per_user_and_per_form(db_path: Path) -> None:
    anna, bo = Store(db_path, user="anna"), Store(db_path, user="bo")
    created = anna.create_initiative(make_initiative())
    iid = created.id or 0
    anna.save_form_draft(None, {"title": "Annas nya"}, 0)
    anna.save_form_draft(iid, {"title": "Annas ändring"}, 1)
    bo.save_form_draft(None, {"title": "Bos nya"}, 0)
    # Bo sees only his own, and only his new registration: no draft of anna's reaches him.
    assert bo.form_draft(iid) is None
    assert kept(bo, None, "title") == "Bos nya"
    assert kept(anna, None, "title") == "Annas nya"
    draft = anna.form_draft(iid)
    assert draft is not None and draft.data == {"title": "Annas ändring"}
    assert draft.base_version == 1
    # Kept again, the draft replaces the one before: one per user and form.
    anna.save_form_draft(None, {"title": "Annas nyare"}, 0)
    assert kept(anna, None, "title") == "Annas nyare"
    with anna.connection() as conn:
        assert conn.execute("SELECT count(*) FROM form_drafts").fetchone()[0] == 3
    anna.discard_form_draft(None)
    assert anna.form_draft(None) is None and kept(bo, None, "title") == "Bos nya"
    assert kept(anna, iid, "title") == "Annas ändring"


def test_deleting_an_initiative_deletes_its_drafts(db_path: Path) -> None:
    anna, bo = Store(db_path, user="anna"), Store(db_path, user="bo")
    created = anna.create_initiative(make_initiative())
    iid = created.id or 0
    anna.save_form_draft(iid, {"title": "x"}, 1)
    bo.save_form_draft(iid, {"title": "y"}, 1)
    anna.save_form_draft(None, {"title": "ny"}, 0)
    anna.delete_initiative(iid, 1)
    assert anna.form_draft(iid) is None and bo.form_draft(iid) is None
    assert kept(anna, None, "title") == "ny"  # the new registration's draft is no one's edit
    with pytest.raises(NotFoundError):
        anna.save_form_draft(iid, {"title": "för sent"}, 1)


def test_a_database_of_the_previous_version_gets_the_drafts_table(db_path: Path) -> None:
    # The last version without the drafts table, whatever migrations come after it.
    previous = max(v for v in range(SCHEMA_VERSION) if "form_drafts" not in expected_shape(v))
    conn = sqlite3.connect(db_path, isolation_level=None)
    for migration in MIGRATIONS[:previous]:
        migration(conn)
    conn.execute(f"PRAGMA user_version = {previous}")
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "form_drafts" not in tables
    conn.close()
    upgraded = Store(db_path, user="anna")
    assert upgraded.schema_version() == SCHEMA_VERSION
    upgraded.save_form_draft(None, {"title": "efter uppgraderingen"}, 0)
    assert kept(upgraded, None, "title") == "efter uppgraderingen"
    with upgraded.connection() as conn:
        assert schema_problems(conn, SCHEMA_VERSION) == []


# --- the form -------------------------------------------------------------------------------------


async def test_a_new_registration_comes_back_after_the_terminal_died(db_path: Path) -> None:
    store = fixed_store(db_path)
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await pilot.press("n")
        assert isinstance(app.screen, InitiativeFormScreen)
        assert store.form_draft(None) is None  # an untouched form leaves none
        await pilot.press(*"Halvfärdig anmälan", "enter", *"Hallandstrafiken")
        focused = app.focused
        # The unit is kept after a pause in typing, without leaving the field.
        await wait_for(
            pilot,
            lambda: kept(store, None, "unit") == "Hallandstrafiken",
            what="the draft of the field being typed in",
        )
        assert app.focused is focused
        assert kept(store, None, "title") == "Halvfärdig anmälan"
        # The terminal dies: the app ends with the form open, without its close path.
        app.exit()

    again = make_app(fixed_store(db_path))
    async with again.run_test(notifications=True, size=(80, 24)) as pilot:
        await pilot.press("n")
        await wait_for_screen(pilot, InitiativeFormScreen)
        assert value(again, "title") == "Halvfärdig anmälan"
        assert value(again, "unit") == "Hallandstrafiken"
        assert banner(again).startswith("Utkast från 09:30 återställt")
        assert "Ctrl+R kastar utkastet" in banner(again)
        assert any("Utkast från 09:30 återställt" in str(n.message) for n in again._notifications)
        # Shown in the footer while a restored draft is in the form.
        assert again.screen.check_action("discard_draft", ()) is True
        # Opened and left without a change: the draft stays for next time.
        await pilot.press("escape")
        await saves_settled(pilot)
        assert kept(store, None, "title") == "Halvfärdig anmälan"


async def test_saving_removes_the_draft_and_the_next_registration_starts_empty(
    db_path: Path,
) -> None:
    store = fixed_store(db_path)
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await pilot.press("n", *"Sparas strax", "enter", *"Enhet", "tab")
        await wait_for(pilot, lambda: kept(store, None, "unit") == "Enhet", what="the draft")
        screen = app.screen
        screen.query_one("#method", Select).value = Method.SURVEY
        screen.query_one("#start", Input).value = "2026-12-01"
        screen.query_one("#end", Input).value = "2026-12-02"
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert isinstance(app.screen, InitiativeScreen)
        (saved,) = store.initiatives()
        assert saved.title == "Sparas strax"
        assert store.form_draft(None) is None
        await pilot.press("escape", "n")
        await wait_for_screen(pilot, InitiativeFormScreen)
        assert value(app, "title") == "" and banner(app) == ""
        assert app.screen.check_action("discard_draft", ()) is False
        await pilot.press("escape")
        await saves_settled(pilot)
        assert store.form_draft(None) is None


async def test_leaving_without_saving_discards_the_draft_and_staying_keeps_it(
    db_path: Path,
) -> None:
    store = fixed_store(db_path)
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await pilot.press("n", *"Kanske", "tab")
        await wait_for(pilot, lambda: kept(store, None, "title") == "Kanske", what="the draft")
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")  # stay
        await saves_settled(pilot)
        assert kept(store, None, "title") == "Kanske"
        await pilot.press("escape", "y")  # leave without saving
        await saves_settled(pilot)
        assert store.form_draft(None) is None
        assert store.count_initiatives() == 0


async def test_an_untouched_form_leaves_no_draft(db_path: Path) -> None:
    store = fixed_store(db_path)
    created = store.create_initiative(make_initiative())
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        await pilot.press("n", "tab", "tab", "tab", "escape")
        app.edit_initiative(created)
        await wait_for_screen(pilot, InitiativeFormScreen)
        await pilot.press("tab", "tab", "tab", "shift+tab", "escape")
        await saves_settled(pilot)
        with store.connection() as conn:
            assert conn.execute("SELECT count(*) FROM form_drafts").fetchone()[0] == 0


async def test_an_edit_comes_back_and_its_save_removes_the_draft(db_path: Path) -> None:
    store = fixed_store(db_path)
    created = store.create_initiative(make_initiative(title="Originalet"))
    iid = created.id or 0
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        app.open_initiative(iid)
        await wait_for_screen(pilot, InitiativeScreen)
        await pilot.press("e")
        assert isinstance(app.screen, InitiativeFormScreen)
        app.screen.query_one("#purpose", TextArea).focus()
        await pilot.press(*"Nytt syfte, inte sparat")
        await wait_for(
            pilot,
            lambda: kept(store, iid, "purpose") == "Nytt syfte, inte sparat",
            what="the edit's draft",
        )
        assert store.form_draft(None) is None  # an edit's draft is that initiative's only
        app.exit()
    assert store.initiative(iid).purpose == ""

    again = make_app(fixed_store(db_path))
    async with again.run_test(notifications=True, size=(100, 40)) as pilot:
        again.open_initiative(iid)
        await wait_for_screen(pilot, InitiativeScreen)
        await pilot.press("e")
        await wait_for_screen(pilot, InitiativeFormScreen)
        screen = again.screen
        assert screen.query_one("#purpose", TextArea).text == "Nytt syfte, inte sparat"
        assert value(again, "title") == "Originalet"
        # The target group came back from the draft, not twice.
        assert len(screen.raw()["target_groups"]) == 1  # type: ignore[attr-defined]
        assert banner(again).startswith("Utkast från 09:30 återställt")
        assert "ändrats" not in banner(again)
        await pilot.press("ctrl+s")
        await settled(pilot)
        saved = store.initiative(iid)
        assert (saved.purpose, saved.version) == ("Nytt syfte, inte sparat", 2)
        assert store.form_draft(iid) is None


async def test_a_draft_of_an_initiative_changed_since_says_so_and_never_overwrites(
    db_path: Path,
) -> None:
    store = fixed_store(db_path, "anna")
    created = store.create_initiative(make_initiative(title="Originalet"))
    iid = created.id or 0
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        app.edit_initiative(created)
        await wait_for_screen(pilot, InitiativeFormScreen)
        await pilot.press("ctrl+a", "ctrl+k", *"Annas titel", "tab")
        app.screen.query_one("#stage", Select).value = Stage.CANCELLED
        await wait_for(
            pilot,
            lambda: (
                kept(store, iid, "title") == "Annas titel"
                and kept(store, iid, "stage") == "cancelled"
            ),
            what="the draft",
        )
        app.exit()
    # Bo saves meanwhile, from his own session on the same file.
    bo = fixed_store(db_path, "bo")
    bo.update_initiative(bo.initiative(iid).model_copy(update={"title": "Bos titel"}))

    again = make_app(fixed_store(db_path, "anna"))
    async with again.run_test(notifications=True, size=(100, 40)) as pilot:
        again.edit_initiative(store.initiative(iid))
        await wait_for_screen(pilot, InitiativeFormScreen)
        assert value(again, "title") == "Annas titel"
        assert again.screen.query_one("#stage", Select).value is Stage.CANCELLED
        assert "”Bos titel” har ändrats sedan utkastet (senast av bo)" in banner(again)
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert isinstance(again.screen, ConflictScreen)
        assert store.initiative(iid).title == "Bos titel"
        assert kept(store, iid, "title") == "Annas titel"  # refused: the draft stays
        await pilot.press("r")  # take theirs: the form shows it, and the draft has no use
        await saves_settled(pilot)
        await wait_for(pilot, lambda: store.form_draft(iid) is None, what="the draft to go")
        assert value(again, "title") == "Bos titel"


async def test_the_restored_draft_can_be_thrown_away_with_its_key(db_path: Path) -> None:
    store = fixed_store(db_path)
    store.save_form_draft(None, {"title": "Gammalt utkast", "method": "survey"}, 0)
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await pilot.press("n")
        await wait_for_screen(pilot, InitiativeFormScreen)
        assert value(app, "title") == "Gammalt utkast"
        assert app.screen.query_one("#method", Select).value is Method.SURVEY
        await pilot.press("ctrl+r")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")  # keep it
        assert value(app, "title") == "Gammalt utkast"
        await pilot.press("ctrl+r", "y")
        await wait_for(pilot, lambda: store.form_draft(None) is None, what="the draft to go")
        await saves_settled(pilot)
        assert isinstance(app.screen, InitiativeFormScreen)
        assert value(app, "title") == "" and banner(app) == ""
        assert app.screen.check_action("discard_draft", ()) is False
        await pilot.press(*"Nytt")  # and typing again keeps a new one
        await wait_for(pilot, lambda: kept(store, None, "title") == "Nytt", what="new draft")


async def test_a_registration_from_the_inbox_keeps_no_draft(db_path: Path) -> None:
    store = fixed_store(db_path)
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        form = InitiativeFormScreen(
            None,
            app.today,
            draft={"title": "Från en fil", "unit": "Enhet"},
            creator=store.create_initiative,
            source="anmalan.xlsx",
        )
        app.push_screen(form)
        await wait_for_screen(pilot, InitiativeFormScreen)
        await pilot.press(*" och mer", "tab", "tab")
        await saves_settled(pilot)
        assert store.form_draft(None) is None
