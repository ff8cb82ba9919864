"""Exportera in the TUI: every initiative to a file, as `dialogtui export` writes it, from any
screen (the palette finds it everywhere; `E` in the calendar)."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from dialogtui.interchange import parse_json
from dialogtui.screens.dialogs import TextPromptScreen
from dialogtui.store import Store
from tests.factories import make_initiative
from tests.ui import make_app, record_notifications, settle, type_text, wait_for, widget_text


def filled(store: Store) -> None:
    store.create_initiatives([make_initiative(title=f"Dialog {n}") for n in range(3)])


async def answer(pilot: Pilot[Any], text: str | None) -> None:
    """Replace the suggested path with `text` (None keeps the suggestion), and Enter."""
    screen = pilot.app.screen
    assert isinstance(screen, TextPromptScreen)
    if text is not None:
        field = screen.query_one(Input)
        field.value = ""
        await type_text(pilot, text)
    await pilot.press("enter")


async def test_export_writes_a_spreadsheet_beside_the_database_by_default(
    store: Store, db_path: Path
) -> None:
    from openpyxl import load_workbook

    filled(store)
    app = make_app(store)
    said = record_notifications(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("E")
        await wait_for(pilot, lambda: isinstance(app.screen, TextPromptScreen), what="the prompt")
        suggested = Path(app.screen.query_one(Input).value)
        assert suggested.parent == db_path.parent / "dokument"
        assert suggested.name.startswith("initiativ-") and suggested.suffix == ".xlsx"
        await answer(pilot, None)
        await wait_for(pilot, suggested.exists, what="the spreadsheet")
        await wait_for(pilot, lambda: any("Skrev" in m for m in said), what="the confirmation")
    assert stat.S_IMODE(suggested.stat().st_mode) == 0o600
    sheet = load_workbook(suggested).active
    assert sheet is not None
    titles = sorted(str(row[1]) for row in sheet.iter_rows(min_row=2, values_only=True))
    assert titles == ["Dialog 0", "Dialog 1", "Dialog 2"]


async def test_the_format_follows_the_name_and_a_wrong_ending_is_asked_again(
    store: Store, tmp_path: Path
) -> None:
    filled(store)
    app = make_app(store)
    said = record_notifications(app)
    wrong = tmp_path / "ut.txt"
    target = tmp_path / "ut" / "alla.json"
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("E")
        await wait_for(pilot, lambda: isinstance(app.screen, TextPromptScreen), what="the prompt")
        await answer(pilot, str(wrong))
        # Asked again, with what was typed and the endings that are allowed.
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, TextPromptScreen)
                and "ska sluta på" in widget_text(app.screen.query_one("#error"))
            ),
            what="the question again",
        )
        assert app.screen.query_one(Input).value == str(wrong)
        assert ".xlsx" in widget_text(app.screen.query_one("#error"))
        await answer(pilot, str(target))
        await wait_for(pilot, target.exists, what="the JSON file")
        await settle(pilot)
        # A folder gets the suggested name in it.
        await pilot.press("E")
        await wait_for(pilot, lambda: isinstance(app.screen, TextPromptScreen), what="the prompt")
        await answer(pilot, str(tmp_path / "ut"))
        await wait_for(pilot, lambda: len(list((tmp_path / "ut").glob("*.xlsx"))) == 1)
        await wait_for(pilot, lambda: sum("Skrev" in m for m in said) == 2, what="two written")
    assert not wrong.exists()
    assert [i.title for i in parse_json(target.read_text(encoding="utf-8"))] == [
        "Dialog 0",
        "Dialog 1",
        "Dialog 2",
    ]
