"""The help screen (`?`): the keys of the screen beneath, from its own bindings."""

from __future__ import annotations

from functools import cache
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

NAVIGATION = (
    ("Tab / Shift+Tab", "nästa / föregående fält eller ruta"),
    ("Pilar", "flytta markören"),
    ("Enter", "öppna det markerade"),
    ("Esc", "tillbaka eller avbryt"),
    ("Ctrl+P", "sök bland alla kommandon"),
    ("Ctrl+Q", "avsluta"),
)


# Textual's own bindings (copy, focus, maximize …) carry English descriptions; dialogtui's
# keys are listed here, and the plain navigation keys in NAVIGATION.
_TEXTUAL_ACTIONS = {
    "app.focus_next",
    "app.focus_previous",
    "focus_next",
    "focus_previous",
    "screen.copy_text",
    "app.copy_text",
    "copy_text",
    "screen.maximize",
    "screen.minimize",
    "maximize",
    "minimize",
    "command_palette",
    "app.command_palette",
}


@cache
def _declared(cls: type) -> frozenset[tuple[str, str]]:
    """The (action, description) of each binding a class declares itself."""
    own = cls.__dict__.get("BINDINGS", [])
    return frozenset((b.action, b.description) for b in Binding.make_bindings(own))


def is_ours(binding: Binding, node: DOMNode) -> bool:
    """Whether a binding is one of dialogtui's, described in Swedish.

    `node` is where the binding is active. Textual's widgets that ours build on (Input,
    TextArea, the scroll views) bring bindings with English descriptions; only those that a
    dialogtui class declares count.
    """
    if not binding.description or binding.action in _TEXTUAL_ACTIONS:
        return False
    pair = (binding.action, binding.description)
    return any(
        pair in _declared(cls)
        for cls in type(node).__mro__
        if cls.__module__.partition(".")[0] == "dialogtui"
    )


class HelpScreen(ModalScreen[None]):
    """Lists every key the screen underneath answers to, with what it does."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Stäng", show=False)
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 70; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    """

    def __init__(self, beneath: Screen[object]) -> None:
        super().__init__()
        self.beneath = beneath

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        seen: set[str] = set()
        for active in self.beneath.active_bindings.values():
            binding = active.binding
            if not is_ours(binding, active.node) or binding.action in seen:
                continue
            seen.add(binding.action)
            description = Text(binding.description)
            if not active.enabled:
                description.append(" (inte här)", "dim")
            table.add_row(self.app.get_key_display(binding), description)
        for key, text in NAVIGATION:
            table.add_row(key, text)
        with Vertical():
            yield Static(Text("Tangenter", style="bold"))
            with VerticalScroll():
                yield Static(table)
            yield Static(Text("Esc stänger", style="dim"))


# The smallest terminal the screens are laid out for (DEVELOPERS.md: 80x24 works).
MIN_WIDTH, MIN_HEIGHT = 80, 24


class TooSmallScreen(Screen[None]):
    """Shown instead of the app while the terminal is smaller than it supports."""

    DEFAULT_CSS = """
    TooSmallScreen { align: center middle; }
    TooSmallScreen Static { width: auto; }
    """

    def on_screen_resume(self) -> None:
        # A screen the app brought over this notice (a failed save's form) has closed, and the
        # terminal grew meanwhile: the notice has nothing left to say.
        if self.app.size.width >= MIN_WIDTH and self.app.size.height >= MIN_HEIGHT:
            self.app.pop_screen()

    def compose(self) -> ComposeResult:
        yield Static(
            Text(
                "Terminalen är för liten.\n"
                f"Dialogtui behöver minst {MIN_WIDTH}×{MIN_HEIGHT} tecken.\n"
                "Gör fönstret större (Ctrl+Q avslutar).",
                justify="center",
            )
        )
