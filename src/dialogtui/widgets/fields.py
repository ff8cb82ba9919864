"""Form fields for fast keyboard entry."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.style import Style
from textual.widgets import Checkbox, Input, Static


class FormInput(Input):
    """A one-line field where Enter moves on to the next field.

    The binding has priority, so the app handles it before it forwards the next keys: a fast
    typist's (or a batched SSH link's) following characters land in the next field, not here.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "next_field", "Nästa fält", show=False, priority=True),
    ]

    def __init__(self, *args: object, **kwargs: object) -> None:
        # Entering a field keeps what is in it: typing adds, it never silently replaces.
        kwargs.setdefault("select_on_focus", False)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def action_next_field(self) -> None:
        self.screen.focus_next()


# Screens with forms add these: Textual's own Tab binding is not a priority binding, so keys
# typed right after Tab would be delivered to the field being left.
FOCUS_BINDINGS: list[BindingType] = [
    Binding("tab", "app.focus_next", "Nästa fält", show=False, priority=True),
    Binding("shift+tab", "app.focus_previous", "Föregående fält", show=False, priority=True),
]


class TickBox(Checkbox):
    """A checkbox whose mark says whether it is ticked without colour: "X" when ticked, blank
    when not. Textual's always shows the X and tells the two apart by colour only, which 16
    colours, NO_COLOR and a colour-blind eye cannot rely on."""

    @property
    def _button(self) -> Content:
        button_style = self.get_visual_style("toggle--button")
        side_style = Style(foreground=button_style.background, background=self.background_colors[1])
        return Content.assemble(
            (self.BUTTON_LEFT, side_style),
            (self.BUTTON_INNER if self.value else " ", button_style),
            (self.BUTTON_RIGHT, side_style),
        )


class Note(Static):
    """A line under a field (a hint, an error, a title), shown literally.

    `say` leaves the widget alone when the text is unchanged: every blur re-checks the whole
    form, and each update lays out all its rows again (some 30 ms at 100x40)."""

    def __init__(self, text: str = "", **kwargs: Any) -> None:
        super().__init__(Text(text), **kwargs)
        self._text = text

    def say(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self.update(Text(text))
