"""The TUI driven as a user drives it: keys in, screen out."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import DataTable

from dialogtui.app import DialogApp
from dialogtui.store import Store
from tests.conftest import TODAY
from tests.factories import make_initiative


def screen_text(widget: Widget) -> str:
    """The characters a widget paints, line by line, as the user would read them."""
    region = Region(0, 0, widget.size.width, widget.size.height)
    return "\n".join(strip.text for strip in widget.render_lines(region))


async def test_titles_are_shown_literally_never_as_markup(store: Store) -> None:
    store.create_initiative(make_initiative(title="[bold red]x[/] \\[y]"))
    app = DialogApp(store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1
        assert "[bold red]x[/] \\[y]" in screen_text(table)


async def test_ctrl_q_quits(store: Store) -> None:
    app = DialogApp(store, today=TODAY)
    async with app.run_test() as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


async def test_world_readable_database_is_announced(db_path: Path) -> None:
    store = Store(db_path)
    db_path.chmod(0o644)
    warning = store.permission_problem()
    assert warning is not None
    app = DialogApp(store, today=TODAY, warnings=[warning])
    async with app.run_test() as pilot:
        await pilot.pause()
        assert [n.message for n in app._notifications] == [warning]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_initiative_list_snapshot(
    size: tuple[int, int], db_path: Path, snap_compare: object
) -> None:
    store = Store(db_path, user="anna")
    store.create_initiatives(
        [
            make_initiative(title="Ungas psykiska hälsa"),
            make_initiative(
                title="[bold]Väntetider[/] på akuten",
                unit="Hallands sjukhus",
                method="survey",
                start="2026-04-01",
                end="2026-04-30",
            ),
        ]
    )

    async def loaded(pilot: object) -> None:
        await app.workers.wait_for_complete()

    app = DialogApp(store, today=TODAY)
    assert snap_compare(app, terminal_size=size, run_before=loaded)  # type: ignore[operator]


async def test_demo_database_opens_with_demo_initiatives(db_path: Path) -> None:
    from dialogtui import demo

    store = Store(db_path)
    assert demo.fill(store, TODAY)
    first = store.initiatives()[0]
    app = DialogApp(store, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.row_count == store.count_initiatives() >= 50
        assert first.title[:20] in screen_text(table)
