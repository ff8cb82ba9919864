"""The lessons library: what earlier dialogues taught, found by any word (or its beginning)."""

from __future__ import annotations

import re
from typing import ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Header, Input, Static

from dialogtui.domain import FOUND_END, FOUND_START, LessonHit
from dialogtui.screens.base import DialogAppMixin
from dialogtui.widgets.footer import Footer
from dialogtui.widgets.paged_rows import PagedRows
from dialogtui.words import count


class LessonRows(PagedRows[LessonHit]):
    def __init__(self) -> None:
        super().__init__(id="lesson-rows", empty_text="Skriv ett eller flera ord och tryck Enter.")

    def render_row(self, row: LessonHit, width: int) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"{row.title}", "bold")
        text.append(f"  {row.year} · {row.method.label}  ", "dim")
        # The snippet is user text, never markup; the words found are shown in bold.
        snippet = row.snippet.replace("\n", " ")
        for number, part in enumerate(re.split(f"[{FOUND_START}{FOUND_END}]", snippet)):
            text.append(part, "bold underline" if number % 2 else "")
        return text


class LessonsScreen(DialogAppMixin, Screen[None]):
    """Search field on top, finds below; Enter in the list opens the initiative."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Tillbaka", id="back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._asked = 0  # the number of the latest search asked for
        self._answered = 0  # the number of the search whose finds are shown
        # Enter pressed on the finds before they came (typed ahead: "fokus", Enter, Enter).
        self._open_when_found = False

    def compose(self) -> ComposeResult:
        yield Header()
        # Not selected when focused: typing from the finds (on_key) goes on after the query.
        yield Input(
            placeholder="Sök bland lärdomar, syften och titlar, t.ex. fokus",
            id="query",
            select_on_focus=False,
        )
        yield Static("", id="lesson-count")
        yield LessonRows()
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Lärdomar"
        self.query_one("#query", Input).focus()

    def on_key(self, event: events.Key) -> None:
        # Typing while the finds have the focus goes on with the query, as a search field does.
        if not isinstance(self.focused, LessonRows):
            return
        query = self.query_one("#query", Input)
        if event.key == "enter" and self._answered != self._asked:
            self._open_when_found = True  # the first find opens as soon as it is there
        elif event.is_printable and event.character:
            query.focus()
            query.cursor_position = len(query.value)
            query.insert_text_at_cursor(event.character)
        elif event.key == "backspace":
            query.focus()
            query.cursor_position = len(query.value)
            query.action_delete_left()
        else:
            return
        event.stop()
        event.prevent_default()

    @on(Input.Submitted, "#query")
    def search(self, event: Input.Submitted) -> None:
        # Searched in a worker (12-28 ms at 10,000 initiatives, bench/ui_reads_bench.py): the
        # keys go on meanwhile, and only the answer to the latest search is shown.
        self._asked += 1
        self._open_when_found = False
        self.query_one("#lesson-count", Static).update(Text("Söker …", "dim"))
        # The finds take the focus now, as they did when the search answered at once: an Enter
        # typed ahead is for them (it opens the first find when it comes), letters for the query.
        self.query_one(LessonRows).focus()
        self._search(self._asked, event.value)

    @work(thread=True, exit_on_error=False, group="lessons")
    def _search(self, number: int, words: str) -> None:
        if number != self._asked:
            return  # a newer search was asked for before this one began
        hits = self.dialog_app.store.search_lessons(words)
        self.app.call_from_thread(self._found, number, hits)

    def _found(self, number: int, hits: list[LessonHit]) -> None:
        if number != self._asked:
            return  # out of date: a newer search's answer is on its way
        self._answered = number
        rows = self.query_one(LessonRows)
        rows.cursor = 0
        rows.reset(len(hits), lambda offset, limit: hits[offset : offset + limit])
        self.query_one("#lesson-count", Static).update(
            Text(count(len(hits), "träff") if hits else "Inga träffar.")
        )
        if not hits:
            self._open_when_found = False
            self.query_one("#query", Input).focus()
        elif self._open_when_found:
            self._open_when_found = False
            self.dialog_app.open_initiative(hits[0].initiative_id)

    @on(PagedRows.Chosen)
    def _chosen(self, event: PagedRows.Chosen) -> None:
        hit = event.row
        if isinstance(hit, LessonHit):
            self.dialog_app.open_initiative(hit.initiative_id)
