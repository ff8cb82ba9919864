"""Shared fixtures: every test runs against its own files, never the developer's own data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from textual.pilot import Pilot

from dialogtui.store import Store

TODAY = date(2026, 11, 24)


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the user's database, data directory and fixed date out of every test."""
    monkeypatch.delenv("DIALOGTUI_DB", raising=False)
    monkeypatch.delenv("DIALOGTUI_TODAY", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


@pytest.fixture(autouse=True)
def keys_wait_for_the_screen(monkeypatch: pytest.MonkeyPatch) -> None:
    """A key pressed in a Pilot test that opens or closes a screen waits until that screen is
    there and focused, as a user would, before the next key.

    `Pilot.press(*keys)` waits only for the CPU to look idle between keys, which a loaded
    machine fakes. The app itself keeps keys typed ahead for the screen they were meant for
    (`widgets/typeahead`, tested without this wait in tests/test_typeahead.py); this wait is
    for the tests' own checks, which look at the screen right after a key.
    """
    from tests.ui import settle_screen

    async def one_at_a_time(self: Pilot[object], *keys: str) -> None:
        app = self.app
        for key in keys:
            before = (app.screen, len(app.screen_stack))
            await app._press_keys([key])
            if (app.screen, len(app.screen_stack)) != before:
                await settle_screen(self)
        await self._wait_for_screen()

    monkeypatch.setattr(Pilot, "press", one_at_a_time)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "dialog.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store(db_path, user="anna") as opened:
        yield opened


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database with the fixed today, filled once per test process (filling takes
    a tenth of a second; the tests that draw the demo are many)."""
    from dialogtui import demo
    from tests.ui import fixed_store

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    store = fixed_store(path)
    demo.fill(store, TODAY)
    store.close()  # the log folded into the file: a copy of the file is the whole database
    return path


@pytest.fixture
def demo_store(demo_file: Path, tmp_path: Path) -> Iterator[Store]:
    """A copy of the demo database of this test's own, with the fixed today."""
    import shutil

    from tests.ui import fixed_store

    path = tmp_path / "demo.db"
    shutil.copy(demo_file, path)
    with fixed_store(path) as store:
        yield store
