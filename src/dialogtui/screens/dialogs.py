"""Small modal dialogs: a yes/no question, a save conflict, a line of text."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from dialogtui.domain import FIELD_LABELS, diff
from dialogtui.history import present

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 76; max-width: 100%; height: auto; max-height: 100%;
    border: thick $primary; background: $surface; padding: 1 2;
}}
{name} Horizontal {{ height: auto; margin: 1 0 0 0; }}
{name} Button {{ margin: 0 1 0 0; }}
"""
# For dialogs that compare or list things: wider, with a scrolling middle part.
WIDE_DIALOG_CSS = (
    DIALOG_CSS
    + """
{name} > Vertical {{ width: 100; }}
{name} VerticalScroll {{ height: auto; max-height: 14; }}
"""
)


class ConfirmScreen(ModalScreen[bool]):
    """A question answered with Enter/Y (yes) or Esc/N (no)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n,N", "dismiss(False)", "Nej", show=False),
        Binding("y,j,Y,J", "dismiss(True)", "Ja", show=False),
    ]
    DEFAULT_CSS = DIALOG_CSS.format(name="ConfirmScreen")

    def __init__(self, question: str, yes: str = "Ja", no: str = "Nej") -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.question))
            with Horizontal():
                yield Button(self.no, id="no", variant="primary")
                yield Button(self.yes, id="yes", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class TextPromptScreen(ModalScreen[str | None]):
    """Asks for one line of text (a reason, a note); Esc cancels, empty is refused.

    `value` and `error` give back what was typed when saving it failed, and say why.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Avbryt")]
    # A long question (a stage gate's list) scrolls, so that the input stays in sight at 80x24.
    DEFAULT_CSS = DIALOG_CSS.format(name="TextPromptScreen") + (
        "TextPromptScreen VerticalScroll { height: auto; max-height: 12; }"
        "TextPromptScreen .prompt-error { height: auto; padding: 0; border: none; }"
    )

    def __init__(
        self, question: str, placeholder: str = "", value: str = "", error: str = ""
    ) -> None:
        super().__init__()
        self.question = question
        self.placeholder = placeholder
        self.value = value
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical():
            with VerticalScroll(can_focus=False):
                yield Static(Text(self.question))
            yield Input(self.value, placeholder=self.placeholder)
            # As deep as the question, so that the question stays the dialog's first Static.
            with Vertical(classes="prompt-error"):
                yield Static(Text(self.error), id="error")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.query_one("#error", Static).update(Text("Skriv något, eller Esc för att avbryta."))
            return
        self.dismiss(event.value.strip())


def conflict_table(theirs: BaseModel, mine: BaseModel) -> Table:
    """The fields where the stored version and the user's edit differ, side by side."""
    table = Table(expand=True, show_lines=False)
    table.add_column("Fält", ratio=1)
    table.add_column(f"Sparad version ({getattr(theirs, 'updated_by', '')})", ratio=2)
    table.add_column("Din version", ratio=2)
    skip = {"id", "version", "updated_at", "updated_by"}
    changes = diff(
        theirs.model_dump(mode="json", exclude=skip), mine.model_dump(mode="json", exclude=skip)
    )
    for field, (stored, edited) in changes.items():
        table.add_row(
            Text(FIELD_LABELS.get(field, field)), _show(field, stored), _show(field, edited)
        )
    if not changes:
        table.add_row(Text("–"), Text("samma innehåll"), Text("samma innehåll"))
    return table


def _show(field: str, value: object) -> Text:
    """A value as the history says it: labels, not codes ("fokusgrupp", not "focus_group")."""
    if value is None or value == "":
        return Text("(tomt)", style="dim")
    if isinstance(value, list) and not value:
        return Text("(inga)", style="dim")
    # In full: the two versions may differ after the history's cut.
    return Text(present(field, value, limit=None))


class ConflictScreen(ModalScreen[str]):
    """Somebody saved first: show both versions; reload theirs or keep editing mine."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss('keep')", "Fortsätt redigera", show=False),
        Binding("r,R", "dismiss('reload')", "Ladda om", show=False),
    ]
    DEFAULT_CSS = WIDE_DIALOG_CSS.format(name="ConflictScreen")

    def __init__(self, message: str, theirs: BaseModel, mine: BaseModel) -> None:
        super().__init__()
        self.message = message
        self.theirs = theirs
        self.mine = mine

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.message, style="bold"))
            with VerticalScroll():
                yield Static(conflict_table(self.theirs, self.mine))
            with Horizontal():
                yield Button("Fortsätt redigera min version", id="keep", variant="primary")
                yield Button("Ladda om den sparade (R)", id="reload", variant="warning")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "keep")
