"""The lessons library: what earlier dialogues taught, found by any word (or its beginning)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from dialogtui.domain import LessonHit
from dialogtui.screens.base import DialogAppMixin
from dialogtui.widgets.paged_rows import PagedRows
from dialogtui.words import count


class LessonRows(PagedRows[LessonHit]):
    def __init__(self) -> None:
        super().__init__(id="lesson-rows", empty_text="Skriv ett eller flera ord och tryck Enter.")

    def render_row(self, row: LessonHit, width: int) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"{row.title}", "bold")
        text.append(f"  {row.year} · {row.method.label}  ", "dim")
        # The snippet is user text: the » « marks come from the search, nothing is markup.
        text.append(row.snippet.replace("\n", " "))
        return text


class LessonsScreen(DialogAppMixin, Screen[None]):
    """Search field on top, finds below; Enter in the list opens the initiative."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Tillbaka", id="back"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Sök bland lärdomar, syften och titlar, t.ex. fokus", id="query")
        yield Static("", id="lesson-count")
        yield LessonRows()
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Lärdomar"
        self.query_one("#query", Input).focus()

    @on(Input.Submitted, "#query")
    def search(self, event: Input.Submitted) -> None:
        hits = self.dialog_app.store.search_lessons(event.value)
        rows = self.query_one(LessonRows)
        rows.cursor = 0
        rows.reset(len(hits), lambda offset, limit: hits[offset : offset + limit])
        self.query_one("#lesson-count", Static).update(
            Text(count(len(hits), "träff") if hits else "Inga träffar.")
        )
        if hits:
            rows.focus()

    @on(PagedRows.Chosen)
    def _chosen(self, event: PagedRows.Chosen) -> None:
        hit = event.row
        if isinstance(hit, LessonHit):
            self.dialog_app.open_initiative(hit.initiative_id)
