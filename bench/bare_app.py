"""A bare Textual app to compare dialogtui with: Header, a 30-row DataTable, Footer.

    .venv/bin/python bench/bare_app.py

bench/ui_bench.py waits for READY_TEXT (a cell of the table) as its first frame.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header

READY_TEXT = "Rad 1 kolumn 1"
ROWS, COLUMNS = 30, 5


class BareApp(App[None]):
    TITLE = "bare baseline"

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="table")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*(f"Kolumn {c}" for c in range(1, COLUMNS + 1)))
        table.add_rows(
            [f"Rad {r} kolumn {c}" for c in range(1, COLUMNS + 1)] for r in range(1, ROWS + 1)
        )
        table.focus()


if __name__ == "__main__":
    BareApp().run()
