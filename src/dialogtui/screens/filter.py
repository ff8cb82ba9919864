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
from dialogtui.domain import Method, Municipality, Stage
from dialogtui.filters import Filter


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
        facets: list[tuple[str, str, list[tuple[str, Any]], Any]] = [
            ("Beställare", "unit", [(u, u) for u in self.units], f.unit),
            ("Metod", "method", [(m.label, m) for m in Method], f.method),
            ("Skede", "stage", [(s.label, s) for s in Stage], f.stage),
            ("Kommun", "municipality", [(m.value, m) for m in Municipality], f.municipality),
            ("Segment", "segment", [(s, s) for s in catalog.segments()], f.segment),
            (
                "Invånarpanelen",
                "panel",
                [("med panelen", True), ("utan panelen", False)],
                f.panel,
            ),
        ]
        with Vertical():
            yield Static(Text("Filter för alla vyer", style="bold"))
            with Grid():
                yield Label("Fritext")
                yield Input(
                    f.text, placeholder="titel, beställare, syfte …", id="text", compact=True
                )
                for label, widget_id, choices, value in facets:
                    yield Label(label)
                    yield Select(
                        _choices(choices),
                        value=Select.NULL if value is None else value,
                        prompt="alla",
                        id=widget_id,
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
