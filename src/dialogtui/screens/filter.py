"""The filter dialog: narrow every calendar view by unit, method, stage, place, segment, text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from dialogtui import catalog
from dialogtui.filters import Filter
from dialogtui.models import Method, Municipality, Stage


def _choices(values: Sequence[tuple[str, Any]]) -> list[tuple[Text, Any]]:
    # Text prompts: unit names are user data and must never be read as markup.
    return [(Text(label), value) for label, value in values]


class FilterScreen(ModalScreen[Filter | None]):
    """Returns the new filter, or None when the user leaves with Esc."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Avbryt", id="cancel"),
        Binding("ctrl+s", "apply", "Använd", id="apply", priority=True),
        Binding("ctrl+r", "clear", "Rensa allt", id="clear"),
    ]
    DEFAULT_CSS = """
    FilterScreen { align: center middle; }
    FilterScreen > Vertical {
        width: 72; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; padding: 0 1; background: $surface;
    }
    FilterScreen Grid {
        grid-size: 2; grid-columns: 16 1fr; grid-rows: 1; grid-gutter: 1 0; height: auto;
    }
    FilterScreen Grid Label { color: $text-muted; }
    FilterScreen #help { color: $text-muted; }
    """

    def __init__(self, current: Filter, units: Sequence[str]) -> None:
        super().__init__()
        self.current = current
        self.units = units

    def compose(self) -> ComposeResult:
        f = self.current
        with Vertical():
            yield Static(Text("Filter för alla vyer", style="bold"))
            with Grid():
                yield Label("Fritext")
                yield Input(
                    f.text, placeholder="titel, beställare, syfte …", id="text", compact=True
                )
                yield Label("Beställare")
                yield Select(
                    _choices([(u, u) for u in self.units]),
                    value=f.unit or Select.NULL,
                    prompt="alla",
                    id="unit",
                    compact=True,
                )
                yield Label("Metod")
                yield Select(
                    _choices([(m.label, m) for m in Method]),
                    value=f.method or Select.NULL,
                    prompt="alla",
                    id="method",
                    compact=True,
                )
                yield Label("Skede")
                yield Select(
                    _choices([(s.label, s) for s in Stage]),
                    value=f.stage or Select.NULL,
                    prompt="alla",
                    id="stage",
                    compact=True,
                )
                yield Label("Kommun")
                yield Select(
                    _choices([(m.value, m) for m in Municipality]),
                    value=f.municipality or Select.NULL,
                    prompt="alla",
                    id="municipality",
                    compact=True,
                )
                yield Label("Segment")
                yield Select(
                    _choices([(s, s) for s in catalog.segments()]),
                    value=f.segment or Select.NULL,
                    prompt="alla",
                    id="segment",
                    compact=True,
                )
                yield Label("Invånarpanelen")
                yield Select(
                    _choices([("med panelen", True), ("utan panelen", False)]),
                    value=Select.NULL if f.panel is None else f.panel,
                    prompt="alla",
                    id="panel",
                    compact=True,
                )
            yield Static("Ctrl+S använd · Ctrl+R rensa · Esc avbryt", id="help")

    def _value(self, widget_id: str) -> Any:
        value = self.query_one(f"#{widget_id}", Select).value
        return None if value is Select.NULL else value

    def collect(self) -> Filter:
        return Filter(
            text=self.query_one("#text", Input).value.strip(),
            unit=self._value("unit"),
            method=self._value("method"),
            stage=self._value("stage"),
            municipality=self._value("municipality"),
            segment=self._value("segment"),
            panel=self._value("panel"),
        )

    @on(Input.Submitted, "#text")
    def action_apply(self) -> None:
        self.dismiss(self.collect())

    def action_clear(self) -> None:
        self.dismiss(Filter())
