"""Anmälningar: the inbox screen driven with the keys a coordinator presses, and pinned pictures."""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandList
from textual.pilot import Pilot
from textual.widgets import Input
from textual.widgets._footer import FooterKey

from dialogtui.app import DialogApp
from dialogtui.screens import inbox as inbox_screen
from dialogtui.screens.calendar import CalendarScreen
from dialogtui.screens.form import InitiativeFormScreen
from dialogtui.screens.inbox import InboxEntryScreen, InboxRows, InboxScreen
from dialogtui.store import Store
from dialogtui.template import fill
from dialogtui.widgets.footer import Footer
from tests import ui
from tests.factories import make_initiative
from tests.templates import blank
from tests.ui import (
    fixed_store,
    make_app,
    record_notifications,
    screen_text,
    wait_for,
    widget_text,
)

GOOD: dict[str, Any] = {
    "title": "Ungas psykiska hälsa",
    "unit": "Psykiatrin Halland",
    "contact": "Anna Svensson",
    "method": "fokusgrupp",
    "influence": "dialog",
    "start": date(2027, 3, 2),
    "end": date(2027, 3, 20),
    "purpose": "Förstå vad unga behöver av första linjens psykiatri.",
    "mg1_age_min": 13,
    "mg1_age_max": 19,
    "mg1_kommun_Halmstad": "x",
    "mg1_segment_3": "x",
}
WRONG_END = GOOD | {"title": "Kulturvanor", "unit": "Kultur i Halland", "end": date(2027, 2, 1)}
WRONG_END = {k: v for k, v in WRONG_END.items() if not k.startswith("mg1")}


def put(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    past = time.time() - 3600  # written a while ago: the inbox reads it at once
    os.utime(path, (past, past))
    return path


@cache
def inbox_files() -> dict[str, bytes]:
    """What units have sent: filled once per run (a fill takes a tenth of a second)."""
    return {
        "psykiatrin-unga.xlsx": fill(blank(), GOOD),
        "kultur.xlsx": fill(blank(), WRONG_END),
        "dubblett.xlsx": fill(blank(), GOOD | {"title": "Skolenkät om hälsa"}),
        "trasig.xlsx": blank()[:4000],
        "anteckningar.txt": b"hej",
        ".~lock.öppen.xlsx#": b"bo,host",
        "öppen.xlsx": fill(blank(), GOOD | {"title": "Öppen just nu"}),
    }


def fill_inbox(folder: Path) -> None:
    for name, data in inbox_files().items():
        put(folder, name, data)


@pytest.fixture
def store(db_path: Path) -> Store:
    opened = fixed_store(db_path)
    opened.create_initiative(
        make_initiative(
            title="Skolenkät om hälsa",
            unit="Psykiatrin Halland",
            method="survey",
            start="2027-03-01",
            end="2027-03-31",
            target_groups=[{"age_min": 13, "age_max": 19, "segments": ["unga"]}],
        )
    )
    fill_inbox(db_path.parent / "inkorg")
    return opened


async def settle(app: DialogApp, pilot: Pilot[None]) -> None:
    # A scan's answer sets off a check of the chosen file, which sets off a read of the
    # overlaps: three rounds of waiting were a guess at that depth, short on a loaded machine.
    await ui.settle(pilot)


async def open_inbox(app: DialogApp, pilot: Pilot[None]) -> InboxScreen:
    await pilot.pause()
    await pilot.press("a")
    await settle(app, pilot)
    assert isinstance(app.screen, InboxScreen)
    return app.screen


async def go_to(app: DialogApp, pilot: Pilot[None], name: str) -> None:
    """Put the cursor on a file. The list's arrow keys are PagedRows' own, tested with the
    calendar; here the cursor is set, so that each test presses only the keys it is about."""
    rows = app.screen.query_one(InboxRows)
    names = [rows.row_at(i).name for i in range(rows.row_count)]  # type: ignore[union-attr]
    assert name in names, f"{name} is not listed"
    rows.cursor = names.index(name)
    await pilot.pause()


async def test_the_list_tells_each_file_what_it_is_and_survives_them_all(store: Store) -> None:
    app = make_app(store)
    told = record_notifications(app)  # a toast may expire on a slow machine; this list keeps it
    async with app.run_test(notifications=True, size=(120, 30)) as pilot:
        await open_inbox(app, pilot)
        text = widget_text(app.screen.query_one(InboxRows))
        lines = {line.split()[1]: line for line in text.splitlines() if line.strip()}
        assert (
            "komplett · Ungas psykiska hälsa · Psykiatrin Halland" in lines["psykiatrin-unga.xlsx"]
        )
        assert "1 fel · Kulturvanor" in lines["kultur.xlsx"]
        assert "liknar en registrerad" in lines["dubblett.xlsx"]
        assert "går inte att läsa" in lines["trasig.xlsx"]
        assert "inte en anmälan" in lines["anteckningar.txt"]
        assert "väntar: öppen i ett annat program" in lines["öppen.xlsx"]
        assert "låsfil" in lines[".~lock.öppen.xlsx#"]
        summary = widget_text(app.screen.query_one("#inbox-summary"))
        assert "7 filer · 2 att lägga in · 1 att rätta · inkorg/" in summary
        # What cannot be read is told, never the end of the screen.
        for name in ("trasig.xlsx", ".~lock.öppen.xlsx#", "öppen.xlsx"):
            await go_to(app, pilot, name)
            await pilot.press("enter")
            await settle(app, pilot)
            if isinstance(app.screen, InboxEntryScreen):
                await pilot.press("escape")
            assert isinstance(app.screen, InboxScreen)
        assert any(m.startswith("trasig.xlsx: Filen är ingen Excel-arbetsbok") for m in told)
        assert app.is_running


def footer_keys(app: DialogApp) -> set[str]:
    """The descriptions of the keys the key bar shows (those that fit)."""
    return {key.description for key in app.screen.query_one(Footer).query(FooterKey)}


async def test_at_80_columns_the_dates_and_every_key_are_in_sight(store: Store) -> None:
    # The list's line is cut before the dates at 80 columns: the preview under it has them,
    # and the key bar has room for taking in, fixing and rejecting, here and in the full view.
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await open_inbox(app, pilot)
        await go_to(app, pilot, "psykiatrin-unga.xlsx")
        line = next(
            line
            for line in widget_text(app.screen.query_one(InboxRows)).splitlines()
            if "psykiatrin-unga.xlsx" in line
        )
        assert "2027-03-20" not in line
        preview = widget_text(app.screen.query_one("#inbox-preview"))
        assert "Ungas psykiska hälsa · Psykiatrin Halland · 2027-03-02 – 2027-03-20" in preview
        assert {"Lägg in", "Rätta", "Avvisa"} <= footer_keys(app)
        await go_to(app, pilot, "kultur.xlsx")
        preview = widget_text(app.screen.query_one("#inbox-preview"))
        assert "Kulturvanor · Kultur i Halland · 2027-03-02 – 2027-02-01" in preview
        await go_to(app, pilot, "psykiatrin-unga.xlsx")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, InboxEntryScreen)
        assert {"Lägg in", "Rätta", "Avvisa"} <= footer_keys(app)


async def test_a_file_like_another_in_the_inbox_is_not_called_registered(
    store: Store, db_path: Path
) -> None:
    folder = db_path.parent / "inkorg"
    put(folder, "samma-igen.xlsx", inbox_files()["psykiatrin-unga.xlsx"])
    app = make_app(store)
    async with app.run_test(notifications=True, size=(120, 30)) as pilot:
        await open_inbox(app, pilot)
        text = widget_text(app.screen.query_one(InboxRows))
        lines = {line.split()[1]: line for line in text.splitlines() if line.strip()}
        # The later file in the list is the one told; the look-alike is a file, not #1.
        assert "liknar en annan anmälan" in lines["samma-igen.xlsx"]
        await go_to(app, pilot, "samma-igen.xlsx")
        preview = widget_text(app.screen.query_one("#inbox-preview"))
        assert "Liknar en annan anmälan: psykiatrin-unga.xlsx" in preview
        assert "registrerad" not in preview
        await pilot.press("a")
        await pilot.pause()
        asked = " ".join(screen_text(app).replace("█", " ").split())
        assert "liknar andra anmälningar i inkorgen: psykiatrin-unga.xlsx" in asked


async def test_enter_shows_the_registration_and_a_takes_it_in(store: Store, db_path: Path) -> None:
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        await open_inbox(app, pilot)
        await go_to(app, pilot, "psykiatrin-unga.xlsx")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, InboxEntryScreen)
        shown = screen_text(app)
        assert "Ungas psykiska hälsa" in shown and "unga, 13–19 år, i Halmstad" in shown
        # It overlaps the stored school survey: the same young people in the same weeks.
        assert "Skulle överlappa 1 initiativ" in shown and "Skolenkät om hälsa" in shown
        await pilot.press("a")
        await settle(app, pilot)
        assert isinstance(app.screen, InboxScreen)
        saved = [i for i in store.initiatives() if i.title == "Ungas psykiska hälsa"]
        assert len(saved) == 1 and saved[0].unit == "Psykiatrin Halland"
        (created,) = store.audit_log(saved[0].id)
        assert created.note == (
            "anmälan från filen psykiatrin-unga.xlsx (inlagda/psykiatrin-unga.xlsx)"
        )
        folder = db_path.parent / "inkorg"
        assert (folder / "inlagda" / "psykiatrin-unga.xlsx").exists()
        assert not (folder / "psykiatrin-unga.xlsx").exists()
        assert "psykiatrin-unga" not in widget_text(app.screen.query_one(InboxRows))


async def test_a_registration_with_problems_shows_them_and_cannot_be_taken_in(
    store: Store,
) -> None:
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        await open_inbox(app, pilot)
        await go_to(app, pilot, "kultur.xlsx")
        preview = widget_text(app.screen.query_one("#inbox-preview"))
        assert "Slutdatum (cell B14): slutdatum (2027-02-01) får inte vara före" in preview
        await pilot.press("enter")
        await settle(app, pilot)
        shown = " ".join(screen_text(app).split())
        assert "⚠ cell B14: slutdatum (2027-02-01) får inte vara före startdatum" in shown
        assert "Överlapp visas när anmälan är fri från fel." in shown
        before = store.count_initiatives()
        await pilot.press("a")
        await settle(app, pilot)
        assert store.count_initiatives() == before
        assert isinstance(app.screen, InboxEntryScreen)


async def test_e_fixes_it_in_the_form_and_saving_takes_it_in(store: Store, db_path: Path) -> None:
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        await open_inbox(app, pilot)
        await go_to(app, pilot, "kultur.xlsx")
        await pilot.press("e")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, InitiativeFormScreen)
        assert form.query_one("#title", Input).value == "Kulturvanor"
        assert "Slutdatum (2027-02-01) får inte" in widget_text(form.query_one("#summary"))
        form.query_one("#end", Input).focus()
        await pilot.press("ctrl+u", *"2027-03-31", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, InboxScreen)
        (saved,) = [i for i in store.initiatives() if i.title == "Kulturvanor"]
        assert saved.end == date(2027, 3, 31)
        assert store.audit_log(saved.id)[0].note.startswith("anmälan från filen kultur.xlsx")
        assert (db_path.parent / "inkorg" / "inlagda" / "kultur.xlsx").exists()


async def test_v_rejects_with_a_reason_kept_beside_the_file(store: Store, db_path: Path) -> None:
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        await open_inbox(app, pilot)
        await go_to(app, pilot, "trasig.xlsx")
        await pilot.press("v")
        await pilot.pause()
        await pilot.press(*"Trasig", "enter")
        await settle(app, pilot)
        rejected = db_path.parent / "inkorg" / "avvisade"
        assert (rejected / "trasig.xlsx").exists()
        reason = (rejected / "trasig.xlsx.skäl.txt").read_text(encoding="utf-8")
        assert "2026-11-24 09:30 av anna" in reason and "Skäl: Trasig\n" in reason
        assert "trasig.xlsx" not in widget_text(app.screen.query_one(InboxRows))


async def test_a_duplicate_asks_before_it_is_taken_in(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        await open_inbox(app, pilot)
        await go_to(app, pilot, "dubblett.xlsx")
        await pilot.press("a")
        await pilot.pause()
        assert "liknar redan registrerade: #1 ”Skolenkät om hälsa”" in screen_text(app)
        await pilot.press("n")
        await settle(app, pilot)
        assert store.count_initiatives() == 1
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("j")
        await settle(app, pilot)
        assert store.count_initiatives() == 2


async def test_a_file_taken_by_someone_else_meanwhile_is_told_not_saved_twice(
    store: Store, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The list must not be read again between the other's move and this `a`: that is the race.
    monkeypatch.setattr(inbox_screen, "RESCAN_SECONDS", 3600)
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        await open_inbox(app, pilot)
        await go_to(app, pilot, "psykiatrin-unga.xlsx")
        folder = db_path.parent / "inkorg"
        (folder / "inlagda").mkdir()
        (folder / "psykiatrin-unga.xlsx").rename(folder / "inlagda" / "psykiatrin-unga.xlsx")
        await pilot.press("a")
        await settle(app, pilot)
        assert store.count_initiatives() == 1
        assert any("finns inte längre" in str(n.message) for n in app._notifications)


async def test_the_folder_can_be_moved_for_everyone(store: Store, db_path: Path) -> None:
    other = db_path.parent / "delad"
    put(other, "ny.xlsx", fill(blank(), GOOD | {"title": "Ny anmälan"}))
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        await open_inbox(app, pilot)
        await pilot.press("m")
        await pilot.pause()
        await pilot.press(*"delad", "enter")
        await settle(app, pilot)
        assert store.setting("inbox_dir") == "delad"
        assert "ny.xlsx" in widget_text(app.screen.query_one(InboxRows))
        assert "delad/" in widget_text(app.screen.query_one("#inbox-summary"))


async def test_the_inbox_is_in_the_command_palette(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CalendarScreen)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert "Anmälningar" in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Anmälningar")
        commands = app.screen.query_one(CommandList)
        # The palette searches off the key handler; Enter chooses once the hit is listed.
        await wait_for(pilot, lambda: commands.option_count > 0 and commands.highlighted == 0)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, InboxScreen)


async def test_a_file_arriving_is_read_once_it_is_written(store: Store, db_path: Path) -> None:
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        await open_inbox(app, pilot)
        arriving = db_path.parent / "inkorg" / "ny.xlsx"
        arriving.write_bytes(fill(blank(), GOOD | {"title": "Alldeles ny"})[:2000])
        # Written this very moment, by the clock the app reads (a faked one too).
        os.utime(arriving, (time.time(), time.time()))
        await app.screen.workers.wait_for_complete()
        app.screen.rescan()  # type: ignore[attr-defined]
        await settle(app, pilot)
        assert "väntar: filen skrivs just nu" in widget_text(app.screen.query_one(InboxRows))
        arriving.write_bytes(fill(blank(), GOOD | {"title": "Alldeles ny"}))
        past = time.time() - 60
        os.utime(arriving, (past, past))
        for _ in range(2):  # once to see it unchanged, once to read it
            app.screen.rescan()  # type: ignore[attr-defined]
            await settle(app, pilot)
        assert "komplett · Alldeles ny" in widget_text(app.screen.query_one(InboxRows))


# --- pictures ------------------------------------------------------------------------------------

SIZES = [(80, 24), (200, 60)]


@pytest.fixture
def inbox_app(store: Store) -> DialogApp:
    return make_app(store)


def keys(*pressed: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run(pilot: Pilot[None]) -> None:
        await pilot.pause()
        for key in pressed:
            await pilot.press(key)
            await ui.settle(pilot)

    return run


@pytest.mark.parametrize("size", SIZES)
def test_inbox_list(size: tuple[int, int], inbox_app: DialogApp, snap_compare: Any) -> None:
    assert snap_compare(inbox_app, terminal_size=size, run_before=keys("a", "down", "down"))


@pytest.mark.parametrize("size", SIZES)
def test_inbox_registration(size: tuple[int, int], inbox_app: DialogApp, snap_compare: Any) -> None:
    # The sorted list: .~lock…, anteckningar, dubblett, kultur (with a problem), …
    assert snap_compare(
        inbox_app, terminal_size=size, run_before=keys("a", "down", "down", "down", "enter")
    )
