"""The year report ("Årsrapport"): the year's dialogues per unit, method or degree of influence,
with a bar chart; arrows change the year, 1/2/3 the breakdown."""

from __future__ import annotations

import textwrap
from typing import ClassVar

from rich import box
from rich.cells import cell_len
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Header, Static

from dialogtui.reports import (
    DIMENSION_TITLES,
    DIMENSIONS,
    YearReport,
    bar,
    format_achieved,
    format_evaluated,
    format_number,
    format_promises,
    period_note,
    year_report,
)
from dialogtui.screens.base import DataChanged, DialogAppMixin
from dialogtui.widgets.footer import Footer
from dialogtui.words import noun, term

# The figures' columns, the gaps between them and the least label take about this many cells.
FIXED_COLUMNS_WIDTH = 71
BAR_MIN, BAR_MAX = 3, 40
# A label's column is as wide as its longest word ("Ambulanssjukvården"), up to this many cells:
# names wrap between words, never inside one.
LABEL_WORD_MAX = 24
LABEL_MIN = 12
ACHIEVED_LINE = 8
# The figures' headers, short at 80 columns, in words where the terminal has the room.
HEADERS = (
    ("Dial.", "Dialoger"),
    ("Delt.", "Deltagare"),
    ("Utvärd.", "Utvärderade"),
    ("I tid", "Hållna i tid"),
    ("Ber. kr", "Beräknad ersättning (kr)"),
)
# What the long headers and the achieved column on one line take more than the short ones.
WORDS_EXTRA = (
    sum(len(long) - len(short) for short, long in HEADERS) + len(term("achieved")) - ACHIEVED_LINE
)


class ReportScroll(VerticalScroll, inherit_bindings=False):
    """Scrolls the report up and down only, so that the arrows sideways change the year."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "scroll_up", "Rulla upp", show=False),
        Binding("down", "scroll_down", "Rulla ned", show=False),
        Binding("pageup", "page_up", "Sida upp", show=False),
        Binding("pagedown", "page_down", "Sida ned", show=False),
        Binding("home", "scroll_home", "Början", show=False),
        Binding("end", "scroll_end", "Slutet", show=False),
    ]


class ReportScreen(DialogAppMixin, Screen[None]):
    """The year report in the TUI; the same figures as `dialogtui report`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Tillbaka", id="back"),
        Binding("left,left_square_bracket", "year(-1)", "Föregående år", id="report-previous-year"),
        Binding("right,right_square_bracket", "year(1)", "Nästa år", id="report-next-year"),
        Binding("1", "dimension('unit')", "Per beställare", id="report-by-unit", show=False),
        Binding("2", "dimension('method')", "Per metod", id="report-by-method", show=False),
        Binding(
            "3", "dimension('influence')", "Per påverkansnivå", id="report-by-influence", show=False
        ),
        Binding("t", "this_year", "I år", id="report-this-year", show=False),
    ]
    DEFAULT_CSS = """
    ReportScreen #report-heading { height: auto; padding: 0 1; }
    ReportScreen #report-scroll { height: 1fr; padding: 0 1; }
    """

    def __init__(self, year: int | None = None, dimension: str = "unit") -> None:
        super().__init__()
        self._initial_year = year
        self.year = year or 0
        self.dimension = dimension if dimension in DIMENSION_TITLES else "unit"
        self.report: YearReport | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="report-heading")
        with ReportScroll(id="report-scroll"):
            yield Static("Läser …", id="report-table")
        yield Footer()

    def on_mount(self) -> None:
        if self._initial_year is None:
            self.year = self.dialog_app.today.year
        self.query_one("#report-scroll").focus()
        self._show_heading()
        self.reload()

    # -- data --

    def on_data_changed(self, message: DataChanged) -> None:
        if message.change.touches("initiative", "evaluation", "feedback"):
            self.reload()

    @work(thread=True, exclusive=True, exit_on_error=False, group="report")
    def reload(self) -> None:
        """Read everything off the main thread and count the shown year; also on others' saves."""
        app = self.dialog_app
        year, store = self.year, app.store
        report = year_report(
            year,
            store.initiatives(),
            store.evaluations(),
            store.feedback_promises(),
            as_of=app.today,
        )
        self.app.call_from_thread(self._show, report)

    def _show(self, report: YearReport) -> None:
        if report.year != self.year or not self.is_attached:
            return  # moved on to another year (its own reading is on its way) or left the screen
        self.report = report
        self._render_report()

    # -- actions --

    def action_year(self, delta: int) -> None:
        self._go_to(self.year + delta)

    def action_this_year(self) -> None:
        self._go_to(self.dialog_app.today.year)

    def _go_to(self, year: int) -> None:
        if year == self.year or not 1 <= year <= 9999:
            return
        self.year = year
        self.report = None
        self._show_heading()
        self.query_one("#report-table", Static).update(Text("Läser …", "dim"))
        self.reload()

    def action_dimension(self, dimension: str) -> None:
        if dimension not in DIMENSION_TITLES:
            return
        self.dimension = dimension
        self._show_heading()
        self._render_report()

    def on_resize(self, event: Resize) -> None:
        self._render_report()

    # -- drawing --

    def _show_heading(self) -> None:
        self.sub_title = f"Årsrapport {self.year}"
        heading = Text()
        heading.append(f"Årsrapport {self.year}", "bold")
        heading.append("   ")
        for number, (key, title) in enumerate(DIMENSIONS, start=1):
            style = "reverse bold" if key == self.dimension else "dim"
            heading.append(f" {number} {title} ", style)
            heading.append(" ")
        heading.append("  ← → år", "dim")
        self.query_one("#report-heading", Static).update(heading)

    def _render_report(self) -> None:
        report = self.report
        if report is None:
            return
        target = self.query_one("#report-table", Static)
        total = report.total
        if not total.dialogues:
            target.update(Text(f"Inga invånardialoger under {report.year}.", "dim"))
            return
        summary = Text()
        summary.append(
            f"{format_number(total.dialogues)} {noun(total.dialogues, 'dialog')}", "bold"
        )
        summary.append(f" · {format_number(total.participants)} deltagare")
        summary.append(f" · utvärderade {format_evaluated(total)}")
        summary.append(f" · återkoppling i tid {format_promises(total)}")
        summary.append(f" · beräknad ersättning {format_number(total.compensation_sek)} kr")
        table = self._table(report)
        note = Text(f"{period_note(report)} {term('achieved')}: ja/delvis/nej.", "dim")
        target.update(Group(summary, Text(), table, Text(), note))

    def _table(self, report: YearReport) -> Table:
        rows = report.rows(self.dimension)
        largest = max((r.dialogues for r in rows), default=0)
        width = self.query_one("#report-scroll").scrollable_content_region.width or 76
        words = [cell_len(word) for row in rows for word in row.label.split()]
        label_width = max(LABEL_MIN, min(LABEL_WORD_MAX, max(words, default=0)))
        # The bar takes a share of what the figures and the label's longest word leave over;
        # the label takes the rest.
        room = width - FIXED_COLUMNS_WIDTH - max(0, label_width - LABEL_MIN)
        bar_width = max(BAR_MIN, min(BAR_MAX, room // 2))
        table = Table(
            box=box.SIMPLE_HEAD,
            padding=(0, 1),
            collapse_padding=True,
            pad_edge=False,
            expand=True,
            show_edge=False,
        )
        table.add_column(
            DIMENSION_TITLES[self.dimension], ratio=1, min_width=label_width, overflow="fold"
        )
        # Where the bar has its most and room is left, the headers are said in words.
        wide = room - BAR_MAX >= WORDS_EXTRA
        dialogues, participants, evaluated, in_time, compensation = (
            long if wide else short for short, long in HEADERS
        )
        table.add_column(dialogues, justify="right", no_wrap=True)
        table.add_column("", width=bar_width, no_wrap=True, style="cyan")
        table.add_column(participants, justify="right", no_wrap=True)
        table.add_column(evaluated, justify="right", no_wrap=True)
        table.add_column(in_time, justify="right", no_wrap=True)
        # The glossary's words for question 5 (never "Ja/D/N"); the figures are ja/delvis/nej,
        # narrow, so at 80 columns the words go a few to a line.
        achieved = (
            term("achieved") if wide else "\n".join(textwrap.wrap(term("achieved"), ACHIEVED_LINE))
        )
        table.add_column(achieved, justify="right", no_wrap=True)
        table.add_column(compensation, justify="right", no_wrap=True)
        for row in [*rows, report.total]:
            is_total = row is report.total
            if is_total:
                table.add_section()
            table.add_row(
                Text(row.label),
                Text(format_number(row.dialogues)),
                Text("" if is_total else bar(row.dialogues, largest, bar_width)),
                Text(format_number(row.participants)),
                Text(format_evaluated(row)),
                Text(f"{row.promises_kept} av {row.promises}" if row.promises else "–"),
                Text(format_achieved(row)),
                Text(format_number(row.compensation_sek)),
                style="bold" if is_total else None,
            )
        return table
