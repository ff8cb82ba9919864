"""Writing feedback to the public: what we asked, what residents said, what we did."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static, TextArea

from dialogtui.changes import touched
from dialogtui.errors import UserError
from dialogtui.models import PublicFeedback
from dialogtui.screens.base import OneInitiative, Save
from dialogtui.screens.dialogs import WIDE_DIALOG_CSS

if TYPE_CHECKING:
    from dialogtui.app import DialogApp

PARTS = (("asked", "Vi frågade"), ("answered", "Ni svarade"), ("did", "Vi gjorde"))


def edit_public_feedback(app: DialogApp, feedback: PublicFeedback, error: str = "") -> None:
    """Open the three texts; what is saved goes to the save worker, and comes back here, with
    the reason, if it could not be written."""
    initiative_id = feedback.initiative_id or 0

    def typed(result: PublicFeedback | None) -> None:
        if result is None:
            return

        def failed(problem: UserError) -> None:
            edit_public_feedback(app, result, f"Sparades inte: {problem}")

        app.save(
            Save(
                key=("public_feedback", initiative_id),
                write=lambda store: store.save_public_feedback(result),
                change=lambda _: touched("public_feedback", "update", initiative_id),
                done=lambda _: "Återkopplingen till allmänheten är sparad.",
                failed=failed,
            )
        )

    app.push_screen(PublicFeedbackScreen(feedback, error), typed)


class PublicFeedbackScreen(OneInitiative, ModalScreen[PublicFeedback | None]):
    """Three texts; Tab moves between them, Ctrl+S saves, Esc leaves without saving."""

    EDITS = True

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

    def __init__(self, feedback: PublicFeedback, error: str = "") -> None:
        super().__init__()
        self.feedback = feedback
        self.initiative_id = feedback.initiative_id
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Återkoppling till allmänheten", "bold"))
            if self.error:
                yield Static(Text(self.error, "bold"), id="public-error")
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
