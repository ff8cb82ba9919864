"""The Textual application: owns the store and the screens; all database work runs in workers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from textual.app import App
from textual.binding import Binding

from dialogtui.screens.initiatives import InitiativesScreen
from dialogtui.store import Store


class DialogApp(App[None]):
    """dialogtui: the coordinator's tool for citizen dialogue in Region Halland."""

    CSS_PATH = "app.tcss"
    TITLE = "dialogtui"
    SUB_TITLE = "Invånardialog i Region Halland"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Avsluta", id="quit", priority=True),
    ]

    def __init__(
        self, store: Store, today: date | None = None, warnings: Sequence[str] = ()
    ) -> None:
        super().__init__()
        self.store = store
        self.today = today or date.today()
        self._startup_warnings = list(warnings)

    def on_mount(self) -> None:
        self.push_screen(InitiativesScreen())
        for warning in self._startup_warnings:
            # markup=False: the path in the message is user data, not Rich markup.
            self.notify(warning, title="Varning", severity="warning", timeout=20, markup=False)
