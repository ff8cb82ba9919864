"""Writing feedback to the public: what we asked, what residents said, what we did."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static, TextArea

from dialogtui.models import PublicFeedback
from dialogtui.screens.dialogs import WIDE_DIALOG_CSS

PARTS = (("asked", "Vi frågade"), ("answered", "Ni svarade"), ("did", "Vi gjorde"))


class PublicFeedbackScreen(ModalScreen[PublicFeedback | None]):
    """Three texts; Tab moves between them, Ctrl+S saves, Esc leaves without saving."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Avbryt"),
        Binding("ctrl+s", "save", "Spara", priority=True),
    ]
    DEFAULT_CSS = (
        WIDE_DIALOG_CSS.format(name="PublicFeedbackScreen")
        + """
    PublicFeedbackScreen TextArea { height: 5; }
    """
    )

    def __init__(self, feedback: PublicFeedback) -> None:
        super().__init__()
        self.feedback = feedback

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Återkoppling till allmänheten", "bold"))
            for name, label in PARTS:
                yield Label(label)
                yield TextArea(
                    getattr(self.feedback, name), id=name, tab_behavior="focus", soft_wrap=True
                )
            yield Static(Text("Ctrl+S sparar · Esc avbryter", "dim"))

    def action_save(self) -> None:
        values = {name: self.query_one(f"#{name}", TextArea).text for name, _ in PARTS}
        # Validated again, so that what is typed is cleaned of control characters.
        self.dismiss(PublicFeedback.model_validate(self.feedback.model_dump() | values))
