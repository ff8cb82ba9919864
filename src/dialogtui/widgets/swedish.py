"""Textual's own words in Swedish: its widgets' key descriptions, the palette's texts.

Textual has no translations; its widgets (Select, Input, TextArea, OptionList, the scroll
views, the command palette) declare their keys with English descriptions, which a user meets in
the footer (an open Select's "esc Dismiss menu") and could meet in the help and the palette.
`install` gives every one of them its Swedish description, once, when the app is imported.
"""

from __future__ import annotations

import dataclasses
from typing import Final

from rich.align import Align
from rich.text import Text
from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import CommandInput, CommandList, CommandPalette
from textual.containers import ScrollableContainer
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Button, DataTable, Input, OptionList, Select, TextArea
from textual.widgets._select import SelectOverlay
from textual.widgets.option_list import Option

NO_MATCHES = "Inget kommando heter så"
PALETTE_PLACEHOLDER = "Sök bland kommandon …"

# Every description Textual's widgets give their keys (Textual 8), in Swedish.
DESCRIPTIONS: Final[dict[str, str]] = {
    "Quit": "Avsluta",
    "Focus Next": "Nästa fält",
    "Focus Previous": "Föregående fält",
    "Copy selected text": "Kopiera markerad text",
    "Scroll Up": "Rulla upp",
    "Scroll Down": "Rulla ned",
    "Scroll Left": "Rulla vänster",
    "Scroll Right": "Rulla höger",
    "Scroll Home": "Början",
    "Scroll End": "Slutet",
    "Page Up": "Sida upp",
    "Page Down": "Sida ned",
    "Page Left": "Sida vänster",
    "Page Right": "Sida höger",
    "Move cursor left": "Markören vänster",
    "Move cursor left and select": "Markera åt vänster",
    "Move cursor left a word": "Ett ord vänster",
    "Move cursor left a word and select": "Markera ett ord vänster",
    "Move cursor right or accept the completion suggestion": "Markören höger eller ta förslaget",
    "Move cursor right and select": "Markera åt höger",
    "Move cursor right a word": "Ett ord höger",
    "Move cursor right a word and select": "Markera ett ord höger",
    "Delete character left": "Radera tecknet till vänster",
    "Select all": "Markera allt",
    "Go to start": "Till början",
    "Go to end": "Till slutet",
    "Select line start": "Markera till radens början",
    "Select line end": "Markera till radens slut",
    "Delete character right": "Radera tecknet till höger",
    "Submit": "Skicka",
    "Delete left to start of word": "Radera ordet till vänster",
    "Delete all to the left": "Radera allt till vänster",
    "Delete right to start of word": "Radera ordet till höger",
    "Delete all to the right": "Radera allt till höger",
    "Cut selected text": "Klipp ut markerad text",
    "Paste text from the clipboard": "Klistra in",
    "Cursor up": "Upp",
    "Cursor down": "Ned",
    "Cursor left": "Vänster",
    "Cursor right": "Höger",
    "Cursor word left": "Ett ord vänster",
    "Cursor word right": "Ett ord höger",
    "Cursor line start": "Radens början",
    "Cursor line end": "Radens slut",
    "Cursor page up": "Sida upp",
    "Cursor page down": "Sida ned",
    "Cursor left word select": "Markera ett ord vänster",
    "Cursor right word select": "Markera ett ord höger",
    "Cursor line start select": "Markera till radens början",
    "Cursor line end select": "Markera till radens slut",
    "Cursor up select": "Markera uppåt",
    "Cursor down select": "Markera nedåt",
    "Cursor left select": "Markera åt vänster",
    "Cursor right select": "Markera åt höger",
    "Select line": "Markera raden",
    "Cut": "Klipp ut",
    "Copy": "Kopiera",
    "Paste": "Klistra in",
    "Delete to line start": "Radera till radens början",
    "Delete to line end": "Radera till radens slut",
    "Delete line": "Radera raden",
    "Undo": "Ångra",
    "Redo": "Gör om",
    "Down": "Ned",
    "Last": "Sist",
    "Select": "Välj",
    "First": "Först",
    "Up": "Upp",
    "Page up": "Sida upp",
    "Page down": "Sida ned",
    "Top": "Överst",
    "Bottom": "Nederst",
    "Home": "Början",
    "End": "Slutet",
    "Show menu": "Visa listan",
    "Dismiss menu": "Stäng listan",
    "Press button": "Tryck",
    "Go to bottom": "Sist",
    "Go to top": "Först",
    "Next command": "Nästa kommando",
    "Exit the command palette": "Stäng",
    "Next page": "Nästa sida",
    "Previous page": "Föregående sida",
    "Previous command": "Föregående kommando",
}

# The Textual classes dialogtui shows, whose keys a user can meet.
TEXTUAL_CLASSES: Final[tuple[type[DOMNode], ...]] = (
    App,
    Screen,
    ScrollableContainer,
    Input,
    TextArea,
    OptionList,
    DataTable,
    Select,
    SelectOverlay,
    Button,
    CommandPalette,
    CommandInput,
    CommandList,
)


def _swedish(bindings: list[BindingType]) -> list[BindingType]:
    return [
        dataclasses.replace(b, description=DESCRIPTIONS.get(b.description, b.description))
        for b in Binding.make_bindings(bindings)
    ]


def _remerge(cls: type[DOMNode]) -> None:
    """Textual merges a class's bindings with its bases' when the class is made: made again
    for the class and every subclass that exists already (those made later merge anew)."""
    cls._merged_bindings = cls._merge_bindings()
    for sub in cls.__subclasses__():
        _remerge(sub)


_installed = [False]


def install() -> None:
    """Give Textual's keys their Swedish descriptions (once; later calls do nothing)."""
    if _installed[0]:
        return
    _installed[0] = True
    for cls in TEXTUAL_CLASSES:
        own = cls.__dict__.get("BINDINGS")
        if own:
            cls.BINDINGS = _swedish(list(own))
    for cls in TEXTUAL_CLASSES:
        _remerge(cls)


class SwedishCommandPalette(CommandPalette):
    """Textual's palette, saying in Swedish that nothing matched."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("placeholder", PALETTE_PLACEHOLDER)
        super().__init__(**kwargs)  # type: ignore[arg-type]

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # As Textual's own, with its English sentence replaced.
        self._stop_no_matches_countdown()

        def _show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(NO_MATCHES, style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, _show_no_matches)
