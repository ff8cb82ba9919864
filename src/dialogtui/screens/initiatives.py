"""The list of every registered initiative, the screen the app opens on."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from dialogtui.models import Initiative

if TYPE_CHECKING:
    from dialogtui.app import DialogApp


class InitiativesScreen(Screen[None]):
    """A table of the initiatives, ordered by start date."""

    COLUMNS = (("Titel", 24), ("Beställare", 14), ("Metod", 11), ("Start", 10), ("Skede", 11))

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Laddar initiativ …", id="status")
        yield DataTable(id="initiatives", cursor_type="row", zebra_stripes=True)
        yield Footer()

    @property
    def dialog_app(self) -> DialogApp:
        return cast("DialogApp", self.app)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, width in self.COLUMNS:
            table.add_column(label, width=width)
        self.load()

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        initiatives = self.dialog_app.store.initiatives()
        self.app.call_from_thread(self.show, initiatives)

    def show(self, initiatives: list[Initiative]) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for ini in initiatives:
            # Text(), not str: DataTable reads plain strings as markup, and titles are user text.
            table.add_row(
                Text(ini.title),
                Text(ini.unit),
                Text(ini.method.label),
                Text(ini.start.isoformat()),
                Text(ini.stage.label),
                key=str(ini.id),
            )
        self.query_one("#status", Static).update(
            Text(f"{len(initiatives)} initiativ · {self.dialog_app.store.path.name}")
        )
