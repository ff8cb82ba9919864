"""Overlaps: initiatives that reach the same residents at the same time, and what to do about them.

The overlap screen lists open overlaps in clusters (initiatives linked by overlaps), most serious
first, then the coordinated ones apart, blocked periods and panel load. Enter compares the two
initiatives side by side; `k` marks an overlap as coordinated with a note.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, cast

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Header, Static

from dialogtui.changes import touched
from dialogtui.coordination import CandidateCheck, OverlapState, fingerprint, panel_heading
from dialogtui.dates import format_period
from dialogtui.errors import UserError
from dialogtui.lazy import LazySequence
from dialogtui.models import CoordinationMark, Initiative
from dialogtui.overlap import Overlap
from dialogtui.rules import peak_text
from dialogtui.screens.base import DialogAppMixin, Save
from dialogtui.screens.dialogs import WIDE_DIALOG_CSS, ButtonDialog, TextPromptScreen
from dialogtui.widgets.footer import Footer
from dialogtui.widgets.paged_rows import PagedRows
from dialogtui.words import adjective, count, overlap_kind, term

if TYPE_CHECKING:
    from dialogtui.app import DialogApp

KIND_LABELS = {kind: overlap_kind(kind) for kind in ("direct", "near")}


@dataclass(frozen=True, slots=True)
class OverlapLine:
    """One line of the overlap list: a heading, or an overlap (open or coordinated)."""

    text: Text
    overlap: Overlap | None = None
    mark: CoordinationMark | None = None
    history: bool = False


def overlap_line(state: OverlapState, overlap: Overlap, mark: CoordinationMark | None) -> Text:
    a, b = state.initiatives[overlap.a], state.initiatives[overlap.b]
    style = {"high": "bold red", "medium": "yellow", "low": ""}[overlap.severity.value]
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"  {overlap.severity.label:<5} ", style)
    text.append(f"{a.title} ↔ {b.title}")
    first = max(a.start, b.start)
    text.append(f"  {format_period(first, max(first, min(a.end, b.end)))}", "dim")
    if mark is not None:
        text.append(f"  samordnat: {mark.note}", "green")
    return text


class OverlapLines(LazySequence[OverlapLine]):
    """The lines of the overlap list, made when shown: a heading per cluster and its open
    overlaps, then the coordinated ones, the history (both dialogues ended), the blocked periods
    and the panel's peaks.

    Only the rows on screen become objects, so the view costs the same at a hundred overlaps
    as at millions (the overlaps themselves are held compactly by the state).
    """

    def __init__(self, state: OverlapState) -> None:
        self.state = state
        # Where each cluster's heading is: cluster r's rows follow its heading.
        self._clusters = state.open.clusters()
        self._heading_rows = [first + number for number, (first, _, _) in enumerate(self._clusters)]
        self._open_rows = len(state.open) + len(self._clusters)
        self._coordinated = _coordinated_lines(state)
        # The history can be as long as the open list, so it is made when shown, too.
        self._history_rows = len(state.history) + 1 if state.history else 0
        self._tail = _tail_lines(state)

    def __len__(self) -> int:
        return self._open_rows + len(self._coordinated) + self._history_rows + len(self._tail)

    def _at(self, row: int) -> OverlapLine:
        if row >= self._open_rows:
            return self._after_open(row - self._open_rows)
        number = bisect_right(self._heading_rows, row) - 1
        first, count, members = self._clusters[number]
        if row == self._heading_rows[number]:
            heading = f"Grupp {number + 1}: {members} initiativ, {count} överlapp"
            return OverlapLine(Text(heading, "bold"))
        overlap = self.state.open[first + row - self._heading_rows[number] - 1]
        return OverlapLine(overlap_line(self.state, overlap, None), overlap)

    def _after_open(self, row: int) -> OverlapLine:
        if row < len(self._coordinated):
            return self._coordinated[row]
        row -= len(self._coordinated)
        if row >= self._history_rows:
            return self._tail[row - self._history_rows]
        history = self.state.history
        if row == 0:
            return OverlapLine(
                Text(f"Historik: båda dialogerna {term('ended')} ({len(history)})", "bold")
            )
        overlap = history[row - 1]
        return OverlapLine(overlap_line(self.state, overlap, None), overlap, history=True)


def _coordinated_lines(state: OverlapState) -> list[OverlapLine]:
    """The coordinated overlaps, each a decision someone wrote: few enough to make at once."""
    if not state.coordinated:
        return []
    lines = [OverlapLine(Text(f"Samordnade ({len(state.coordinated)})", "bold"))]
    lines += [OverlapLine(overlap_line(state, o, m), o, m) for o, m in state.coordinated]
    return lines


def _tail_lines(state: OverlapState) -> list[OverlapLine]:
    """The lines after the history: blocked periods and the panel's peaks."""
    lines: list[OverlapLine] = []
    if state.blocked:
        lines.append(OverlapLine(Text("I spärrade perioder", "bold")))
        for initiative_id, period in state.blocked:
            ini = state.initiatives[initiative_id]
            lines.append(
                OverlapLine(
                    Text(f"  {ini.title}: {period.name} {format_period(period.start, period.end)}")
                )
            )
    if state.panel:
        lines.append(OverlapLine(Text(panel_heading(state.panel_cap), "bold")))
        for peak in state.panel:
            title = state.initiatives[peak.initiative_id].title
            lines.append(OverlapLine(Text(f"  {title}: {peak_text(peak)}")))
    return lines


def build_lines(state: OverlapState) -> OverlapLines:
    return OverlapLines(state)


class OverlapRows(PagedRows[OverlapLine]):
    def __init__(self) -> None:
        super().__init__(id="overlap-rows", empty_text="Inga överlapp. Bra samordnat!")

    def render_row(self, row: OverlapLine, width: int) -> Text:
        return row.text.copy()


class OverlapScreen(DialogAppMixin, Screen[None]):
    """Every overlap of the region's dialogues; reachable with `o` from the calendar."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Tillbaka", id="back"),
        Binding("k", "coordinate", "Samordnat", id="coordinate"),
        Binding("v", "settings", "Vilotid och spärrar", id="settings"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="overlap-summary")
        yield OverlapRows()
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Överlapp"
        rows = self.query_one(OverlapRows)
        # Which keys apply depends on the line under the cursor (a heading or an overlap).
        self.watch(rows, "cursor", lambda _: self.refresh_bindings())
        self.show_overlaps()
        rows.focus()
        self.watch(self.app, "overlap_state", self.show_overlaps, init=False)

    def show_overlaps(self) -> None:
        """The app has computed the overlaps anew (at start, or after a change)."""
        state = self.dialog_app.overlap_state
        summary = self.query_one("#overlap-summary", Static)
        rows = self.query_one(OverlapRows)
        if state is None:
            summary.update(Text("Beräknar överlapp …"))
            rows.reset(0, lambda offset, limit: [])
            return
        lines = build_lines(state)
        text = Text(no_wrap=True, overflow="ellipsis")
        opened, coordinated = len(state.open), len(state.coordinated)
        text.append(f"{opened} {adjective(opened, 'öppen', 'överlapp')}", "bold")
        text.append(f" · {coordinated} {adjective(coordinated, 'samordnad', 'överlapp')}")
        # Only what there is, so that the line fits 80 columns.
        if state.history:
            text.append(f" · {len(state.history)} i historiken")
        if state.blocked:
            text.append(f" · {len(state.blocked)} i spärrade perioder")
        text.append(f" · vilotid {count(state.rest_days, 'dag')}")
        summary.update(text)
        cursor = rows.cursor if rows.row_count else 1
        rows.reset(len(lines), lambda offset, limit: lines[offset : offset + limit])
        # The first time there are lines, the first is a heading: start on the first overlap.
        rows.cursor = min(cursor, max(0, len(lines) - 1))

    @on(PagedRows.Chosen)
    def _chosen(self, event: PagedRows.Chosen) -> None:
        line = cast(OverlapLine, event.row)
        state = self.dialog_app.overlap_state
        if line.overlap is not None and state is not None:
            self.app.push_screen(OverlapDetailScreen(state, line.overlap, line.mark))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "coordinate":
            line = self.query_one(OverlapRows).current
            return (
                line is not None
                and line.overlap is not None
                and line.mark is None
                and not line.history
            )
        return True

    def action_coordinate(self) -> None:
        line = self.query_one(OverlapRows).current
        state = self.dialog_app.overlap_state
        if line is not None and line.overlap is not None and state is not None:
            coordinate(self.dialog_app, state, line.overlap)

    def action_settings(self) -> None:
        self.dialog_app.action_settings()


def coordinate(
    app: DialogApp, state: OverlapState, overlap: Overlap, note: str = "", error: str = ""
) -> None:
    """Ask for a note and record the overlap as coordinated, in the save worker."""
    if not app.may_write():
        return
    a, b = state.initiatives[overlap.a], state.initiatives[overlap.b]

    def noted(typed: str | None) -> None:
        if not typed:
            return
        mark = CoordinationMark(a=a.id or 0, b=b.id or 0, note=typed, fingerprint=fingerprint(a, b))

        def failed(problem: UserError) -> None:
            coordinate(app, state, overlap, typed, f"Sparades inte: {problem}")

        app.save(
            Save(
                key=("coordinate", overlap.a, overlap.b),
                write=lambda store: store.mark_coordinated(mark),
                change=lambda _: (
                    touched("overlap", "coordinate", a.id) | touched("overlap", "coordinate", b.id)
                ),
                done=lambda _: f"Markerat som samordnat: {a.title} ↔ {b.title}",
                failed=failed,
            )
        )

    app.push_screen(
        TextPromptScreen(
            f"Hur har ”{a.title}” och ”{b.title}” samordnats?",
            placeholder="t.ex. olika veckor för utskick, avstämt med beställarna",
            value=note,
            error=error,
        ),
        noted,
    )


def side_by_side(a: Initiative, b: Initiative) -> Table:
    table = Table(expand=True, show_header=True, box=None, padding=(0, 1))
    table.add_column("", style="dim", no_wrap=True)
    table.add_column(Text(f"#{a.id}"), ratio=1)
    table.add_column(Text(f"#{b.id}"), ratio=1)

    def groups(ini: Initiative) -> Text:
        return Text("\n".join(g.label for g in ini.target_groups) or "ingen målgrupp")

    for label, left, right in (
        ("Titel", Text(a.title, "bold"), Text(b.title, "bold")),
        ("Beställare", Text(a.unit), Text(b.unit)),
        ("Metod", Text(a.method.label), Text(b.method.label)),
        ("Period", Text(format_period(a.start, a.end)), Text(format_period(b.start, b.end))),
        ("Skede", Text(a.stage.label), Text(b.stage.label)),
        ("Panelen", Text("ja" if a.uses_panel else "nej"), Text("ja" if b.uses_panel else "nej")),
        ("Målgrupper", groups(a), groups(b)),
        ("Kontakt", Text(a.contact or "–"), Text(b.contact or "–")),
    ):
        table.add_row(label, left, right)
    return table


class OverlapDetailScreen(DialogAppMixin, Screen[None]):
    """Two overlapping initiatives side by side, with the reasons and the coordination."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Tillbaka", id="back"),
        Binding("k", "coordinate", "Samordnat", id="coordinate"),
        Binding("u", "uncoordinate", "Ångra samordning", id="uncoordinate"),
        Binding("a", "open('a')", "Öppna vänster", id="open-a", show=False),
        Binding("b", "open('b')", "Öppna höger", id="open-b", show=False),
    ]

    def __init__(
        self, state: OverlapState, overlap: Overlap, mark: CoordinationMark | None
    ) -> None:
        super().__init__()
        self.state = state
        self.overlap = overlap
        self.mark = mark

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static(self.render_body(), id="overlap-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Överlapp"
        self.watch(self.app, "overlap_state", self._overlaps_changed, init=False)

    def render_body(self) -> RenderableType:
        o = self.overlap
        # The state holds initiatives in light form; side by side shows every field.
        full = {i.id: i for i in self.dialog_app.store.initiatives([o.a, o.b])}
        if len(full) < 2:
            return Text("Ett av initiativen har tagits bort.", style="bold")
        a, b = full[o.a], full[o.b]
        head = Text(f"Överlapp {o.severity.label}, {KIND_LABELS[o.kind]}", "bold")
        reasons = [Text(f"• {reason}") for reason in o.reasons]
        status = (
            Text(f"Samordnat av {self.mark.by}: {self.mark.note}", "green")
            if self.mark
            else Text("Inte samordnat ännu. k markerar som samordnat.", "bold")
        )
        return Group(head, *reasons, Text(""), side_by_side(a, b), Text(""), status)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "coordinate":
            return self.mark is None
        if action == "uncoordinate":
            return self.mark is not None
        return True

    def action_coordinate(self) -> None:
        coordinate(self.dialog_app, self.state, self.overlap)

    def action_uncoordinate(self) -> None:
        a, b = self.overlap.a, self.overlap.b
        app = self.dialog_app

        def saved(_: None) -> None:
            if app.screen is self:
                self.dismiss()

        app.save(
            Save(
                key=("coordinate", a, b),
                write=lambda store: store.unmark_coordinated(a, b),
                change=lambda _: (
                    touched("overlap", "uncoordinate", a) | touched("overlap", "uncoordinate", b)
                ),
                done=lambda _: "Samordningen är borttagen; överlappet varnar igen.",
                saved=saved,
            )
        )

    def action_open(self, side: str) -> None:
        self.dialog_app.open_initiative(self.overlap.a if side == "a" else self.overlap.b)

    def _overlaps_changed(self) -> None:
        state = self.dialog_app.overlap_state
        if state is None:
            return
        found = state.find(self.overlap.a, self.overlap.b)
        if found is not None:
            self.state = state
            self.overlap, self.mark = found
        self.query_one("#overlap-detail", Static).update(self.render_body())
        self.refresh_bindings()


class OverlapWarningScreen(ButtonDialog[str | None]):
    """Before a save: what the registration would collide with, and a free window if there is one.

    Returns "save", "move" or None (back to the form).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Tillbaka till formuläret", show=False),
        Binding("s,S", "dismiss('save')", "Spara ändå", show=False),
        Binding("f,F", "move", "Flytta", show=False),
    ]
    DEFAULT_CSS = WIDE_DIALOG_CSS.format(name="OverlapWarningScreen")

    def __init__(self, candidate: Initiative, check: CandidateCheck) -> None:
        super().__init__()
        self.candidate = candidate
        self.check = check

    def compose(self) -> ComposeResult:
        check = self.check
        lines: list[RenderableType] = []
        if check.overlaps:
            lines.append(
                Text(
                    f"”{self.candidate.title}” skulle överlappa "
                    f"{count(len(check.overlaps), 'initiativ')}:",
                    "bold",
                )
            )
        for overlap in check.overlaps:
            other_id = overlap.b if overlap.a == (self.candidate.id or 0) else overlap.a
            other = check.others[other_id]
            lines.append(Text(f"{overlap.severity.label}: {other.title} ({other.unit})", "bold"))
            lines += [Text(f"  • {reason}") for reason in overlap.reasons]
        for period in check.blocked:
            lines.append(
                Text(
                    f"Ligger i spärrad period: {period.name} "
                    f"{format_period(period.start, period.end)}",
                    "bold",
                )
            )
        panel = check.panel_line(self.candidate.title)
        if panel is not None:
            lines.append(Text(panel, "bold"))
        suggestion = check.suggestion
        with Vertical():
            with VerticalScroll():
                yield Static(Group(*lines))
            if suggestion is not None:
                # Moving cures overlaps, not the panel's count over any 12 months: say so.
                still = f" ({term('panel_over_cap')} även då)" if check.suggestion_over_cap else ""
                yield Static(
                    Text(
                        "Nästa lediga period med samma längd: "
                        f"{format_period(suggestion.start, suggestion.end)}{still}",
                        "bold",
                    )
                )
            elif check.overlaps:
                yield Static(Text("Ingen ledig period med samma längd inom ett år."))
            with Horizontal():
                yield Button("Tillbaka (Esc)", id="back", variant="primary")
                yield Button("Spara ändå (S)", id="save", variant="warning")
                if suggestion is not None:
                    yield Button("Flytta och spara (F)", id="move", variant="success")

    def action_move(self) -> None:
        if self.check.suggestion is not None:
            self.dismiss("move")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None if event.button.id == "back" else event.button.id)
