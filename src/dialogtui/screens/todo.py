"""To-do ("Att göra"): overdue promises, missing evaluations, near deadlines, open overlaps and
open checklist items, across every initiative; Enter opens the thing to fix."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import ClassVar, cast, overload

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from dialogtui import words
from dialogtui.screens.base import DataChanged, DialogAppMixin
from dialogtui.todo import KIND_LABELS, TodoItem, TodoList
from dialogtui.widgets.paged_rows import PagedRows

STYLES = {"promise": "bold red", "evaluation": "yellow", "efter": "yellow", "overlap": "yellow"}


class TodoLines(Sequence["TodoItem | str"]):
    """The list's lines: a heading with its count before each kind, then its items; made when
    shown, as open overlaps alone can be millions of items."""

    def __init__(self, items: TodoList) -> None:
        self.items = items
        # (line of the heading, its text, the position of the kind's first item)
        self._headings: list[tuple[int, str, int]] = []
        position = 0
        for kind, count in items.counts():
            line = position + len(self._headings)
            self._headings.append((line, f"{KIND_LABELS[kind]} ({count})", position))
            position += count
        self._lines = [line for line, _, _ in self._headings]

    def __len__(self) -> int:
        return len(self.items) + len(self._headings)

    @overload
    def __getitem__(self, position: int) -> TodoItem | str: ...

    @overload
    def __getitem__(self, position: slice) -> list[TodoItem | str]: ...

    def __getitem__(self, position: int | slice) -> TodoItem | str | list[TodoItem | str]:
        if isinstance(position, slice):
            return [self._at(i) for i in range(*position.indices(len(self)))]
        if not 0 <= position < len(self):
            raise IndexError(position)
        return self._at(position)

    def _at(self, line: int) -> TodoItem | str:
        number = bisect_right(self._lines, line) - 1
        heading_line, text, first = self._headings[number]
        if line == heading_line:
            return text
        return self.items[first + line - heading_line - 1]


class TodoRows(PagedRows["TodoItem | str"]):
    def __init__(self) -> None:
        super().__init__(id="todo-rows", empty_text="Inget att göra just nu.")

    def render_row(self, row: TodoItem | str, width: int) -> Text:
        if isinstance(row, str):
            return Text(row, "bold", no_wrap=True, overflow="ellipsis")
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"  {row.title}: ", "bold")
        text.append(row.text, STYLES.get(row.kind, ""))
        return text


class TodoScreen(DialogAppMixin, Screen[None]):
    """Reachable from anywhere with Ctrl+T."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Tillbaka", id="back"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Läser …", id="todo-summary")
        yield TodoRows()
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Att göra"
        self.query_one(TodoRows).focus()
        self.reload()
        self.watch(self.app, "overlap_state", self._overlaps_changed, init=False)

    def _overlaps_changed(self) -> None:
        self.reload()

    def on_data_changed(self, message: DataChanged) -> None:
        # Promises, evaluations, checklists, dates: nearly every write can add or settle a task.
        self.reload()

    @work(thread=True, exclusive=True, exit_on_error=False, group="todo")
    def reload(self) -> None:
        from dialogtui.coordination import todo_list

        app = self.dialog_app
        items = todo_list(app.store, app.today, app.overlap_state)
        self.app.call_from_thread(self._show, items)

    def _show(self, items: TodoList) -> None:
        lines = TodoLines(items)
        rows = self.query_one(TodoRows)
        cursor = rows.cursor
        rows.reset(len(lines), lambda offset, limit: lines[offset : offset + limit])
        rows.cursor = min(max(cursor, 1), max(0, len(lines) - 1))
        summary = (
            f"{words.count(len(items), 'sak')} att göra · i dag {self.dialog_app.today.isoformat()}"
        )
        if self.dialog_app.overlap_state is None:
            summary += " · överlapp beräknas …"
        self.query_one("#todo-summary", Static).update(Text(summary))

    @on(PagedRows.Chosen)
    def _chosen(self, event: PagedRows.Chosen) -> None:
        row = event.row
        if isinstance(row, str):
            return
        item = cast(TodoItem, row)
        app = self.dialog_app
        if item.target == "evaluation":
            app.open_evaluation(item.initiative_id)
        elif item.target == "checklist":
            app.open_checklist(item.initiative_id)
        elif item.target == "overlap" and item.other_id is not None:
            app.open_overlap(item.initiative_id, item.other_id)
        else:
            app.open_initiative(item.initiative_id)
