"""The Textual application: owns the store, the screens, and the app-wide actions."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.text import Text
from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.events import DescendantFocus, Resize
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen
from textual.worker import WorkerFailed, get_current_worker

from dialogtui import config
from dialogtui.domain import Presence
from dialogtui.presence import describe_presence
from dialogtui.screens.calendar import CalendarScreen
from dialogtui.screens.help import is_ours
from dialogtui.store import Store, StoreError
from dialogtui.widgets.swedish import SwedishCommandPalette, install

install()  # Textual's own key descriptions in Swedish, before any screen is made

if TYPE_CHECKING:
    from dialogtui.coordination import CandidateCheck, OverlapState
    from dialogtui.models import Initiative

MIN_WIDTH, MIN_HEIGHT = 80, 24
# The screen each of the app's places opens: the palette does not offer a place from itself.
APP_PLACES = {
    "show_overlaps": "OverlapScreen",
    "lessons": "LessonsScreen",
    "report": "ReportScreen",
    "inbox": "InboxScreen",
    "settings": "SettingsScreen",
}
SWITCH_INTERVAL_S = 0.001
POLL_SECONDS = 1.5
# Well inside the store's PRESENCE_STALE_S, so that a live session never looks ended.
HEARTBEAT_SECONDS = 15.0


class DialogApp(App[None]):
    """dialogtui: the coordinator's tool for citizen dialogue in Region Halland."""

    CSS_PATH = "app.tcss"
    TITLE = "dialogtui"
    SUB_TITLE = "Invånardialog i Region Halland"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Avsluta", id="quit", show=False, priority=True),
        Binding("ctrl+p", "command_palette", "Kommandon", id="palette", show=False, priority=True),
        Binding("question_mark", "help", "Hjälp", id="help"),
        Binding("ctrl+t", "todo", "Att göra", id="todo", priority=True),
    ]
    COMMAND_PALETTE_DISPLAY = "^p"

    def __init__(
        self,
        store: Store,
        today: date | None = None,
        warnings: Sequence[str] = (),
        theme: str | None = None,
        cursor_blink: bool = True,
    ) -> None:
        super().__init__()
        self.store = store
        # Sweden's today as the CLI reads it (DIALOGTUI_TODAY fixes it), not the host's.
        self.today = today if today is not None else config.today()
        self._startup_warnings = list(warnings)
        self._theme_choice = theme
        # Off in tests and screenshots: a blink is the one thing on screen that depends on time.
        self._cursor_blink = cursor_blink
        self.overlap_state: OverlapState | None = None
        # Who else has the database open, from their heartbeats; see `others_on`.
        self.others: list[Presence] = []
        self.session_id: int | None = None
        self._beat_target: tuple[int | None, bool] | None = None
        self._beating = threading.Lock()
        # Set when an unexpected error ended the app: what to tell the user, in Swedish.
        self.crash_message: str | None = None

    def on_mount(self) -> None:
        # While a worker computes (the overlap search takes seconds on a dense file), the UI
        # thread waits for the GIL each time it has let go of it: at most this long, not the
        # interpreter's default 5 ms (bench/search_bench.py: a key's p99 wait 5-10 ms, not 19).
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        if self._theme_choice:
            self.theme = self._theme_choice
        elif self.console.color_system in ("standard", "windows") and not os.environ.get(
            "NO_COLOR"
        ):
            # 16 colours: let the terminal's own palette speak instead of approximating RGB.
            # Not with NO_COLOR: Textual then strips the ANSI theme's colours to black on black.
            self.theme = "ansi-dark"
        if self.store.read_only:
            self.sub_title = f"{self.SUB_TITLE} – bara läsning"
        self.push_screen(CalendarScreen(self.today))
        self._seen_version = self.store.data_version()
        self._seen_audit = self.store.last_audit_id()
        # Others on the jump host write to the same file; PRAGMA data_version tells cheaply.
        self.set_interval(POLL_SECONDS, self._poll_others)
        self.set_interval(HEARTBEAT_SECONDS, self._heartbeat)
        # The first heartbeat writes to the database from a thread: after the first frame, so
        # that it does not compete with it.
        self.call_after_refresh(self._heartbeat)
        for warning in self._startup_warnings:
            self.notify(warning, title="Varning", severity="warning", timeout=20)
        self._check_size(self.size.width, self.size.height)

    def notify(
        self,
        message: object,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Show a notification; always as plain text, as messages carry user text (titles)."""
        super().notify(str(message), title=title, severity=severity, timeout=timeout, markup=False)

    def _handle_exception(self, error: Exception) -> None:
        """An error nobody expected ends the app, as in Textual, but without a traceback on the
        terminal (Textual's shows local variables, contact persons' names among them): it is
        logged to a private file and the user is told where, in Swedish."""
        from dialogtui import crashlog

        self._return_code = 1
        # Kept as Textual keeps it, so that tests driving the app still see the error.
        if self._exception is None:
            self._exception = error
            self._exception_event.set()
        cause = error.error if isinstance(error, WorkerFailed) else error
        where = type(self.screen_stack[-1]).__name__ if self.screen_stack else "ingen"
        # Printed by the command line once the terminal is back (`run_tui`): plain, so that
        # the log's path is neither cropped nor wrapped by Rich.
        self.crash_message = crashlog.report(cause, context=f"skärm {where}")
        self.bell()
        self._close_messages_no_wait()

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        # A cursor shows (and blinks) only in the focused field, so that is where to stop it.
        if not self._cursor_blink:
            from textual.widgets import Input, TextArea

            if isinstance(event.widget, Input | TextArea):
                event.widget.cursor_blink = False

    def action_command_palette(self) -> None:
        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self.push_screen(SwedishCommandPalette(id="--command-palette"))

    def action_help_quit(self) -> None:
        """Ctrl+C, which many press to quit: say, in Swedish, which key does."""
        self.notify("Tryck Ctrl+Q för att avsluta dialogtui.", title="Vill du avsluta?", timeout=4)

    def on_unmount(self) -> None:
        self.store.end_session(self.session_id)

    # -- others on the same database --

    def _presence_target(self) -> tuple[int | None, bool]:
        """The initiative this session has open, and whether it is being edited."""
        for screen in reversed(self.screen_stack):
            initiative_id = getattr(screen, "initiative_id", None)
            if isinstance(initiative_id, int):
                return initiative_id, bool(getattr(screen, "EDITS", False))
        return None, False

    def _heartbeat(self) -> None:
        self._beat_target = self._presence_target()
        self._beat(*self._beat_target)

    @work(thread=True, group="presence")
    def _beat(self, initiative_id: int | None, editing: bool) -> None:
        # A thread: the heartbeat may wait (briefly) for another user's write lock. One beat
        # at a time, so that a second one sees the session the first has started.
        with self._beating:
            self.session_id = self.store.beat(self.session_id, initiative_id, editing)
            others = self.store.present(exclude=self.session_id)
        self.call_from_thread(self._presence_read, others)

    def _presence_read(self, others: list[Presence]) -> None:
        # Only who has what open matters; every heartbeat moves seen_at.
        def what(sessions: list[Presence]) -> list[tuple[int, str, int | None, bool]]:
            return [(p.session_id, p.user, p.initiative_id, p.editing) for p in sessions]

        if what(others) == what(self.others):
            self.others = others
            return
        self.others = others
        for screen in self.screen_stack:
            changed = getattr(screen, "presence_changed", None)
            if callable(changed):
                changed()

    def others_on(self, initiative_id: int) -> list[Presence]:
        """Other sessions that have this initiative open, editors first."""
        found = [p for p in self.others if p.initiative_id == initiative_id]
        return sorted(found, key=lambda p: (not p.editing, p.started_at))

    def _poll_others(self) -> None:
        if self._presence_target() != self._beat_target:
            self._heartbeat()  # tell the others now, not at the next beat
        version = self.store.data_version()
        if version == self._seen_version:
            return
        self._seen_version = version
        last = self.store.last_audit_id()
        # `dialogtui restore` numbers its entry past all others; a file copied back by hand
        # can bring an older, shorter log, whose newest entry is then the news.
        since = self._seen_audit if last >= self._seen_audit else last - 1
        changes = self.store.changes_by_others(since) if last != self._seen_audit else []
        self._seen_audit = last
        if not changes:
            # Heartbeats, drafts, or this session's own saves (which its screens already show).
            self._presence_read(self.store.present(exclude=self.session_id))
            return
        self.data_changed()
        theirs = [e for e in changes if e.user != self.store.user]
        if theirs:
            from dialogtui.history import describe

            users = ", ".join(sorted({e.user for e in theirs}))
            latest = theirs[-1]
            what, _ = describe(latest)
            title = ""
            if latest.initiative_id is not None:
                with contextlib.suppress(StoreError):
                    title = f" ”{self.store.initiative(latest.initiative_id).title}”"
            self.notify(f"{users}: {what}{title}", title="Ändrat av andra", timeout=5)

    # -- navigation --

    def open_initiative(self, initiative_id: int) -> None:
        from dialogtui.screens.initiative import InitiativeScreen

        self.push_screen(InitiativeScreen(initiative_id))

    def may_write(self) -> bool:
        """Whether this session may change the database; if not, it says why, in Swedish,
        before the user types anything that could not be saved."""
        reason = self.store.read_only_reason
        if reason is None:
            return True
        self.notify(
            f"{reason} Därför går det inte att ändra något här.",
            title="Bara läsning",
            severity="warning",
            timeout=8,
        )
        return False

    def new_initiative(self) -> None:
        from dialogtui.screens.form import InitiativeFormScreen

        if not self.may_write():
            return

        def registered(new_id: int | None) -> None:
            if new_id is not None:
                self.open_initiative(new_id)

        self.push_screen(InitiativeFormScreen(None, self.today), registered)

    def edit_initiative(self, initiative: Initiative) -> None:
        from dialogtui.screens.form import InitiativeFormScreen

        if not self.may_write():
            return

        if initiative.id is not None:
            self.warn_if_edited(initiative.id)
        self.push_screen(InitiativeFormScreen(initiative, self.today))

    def open_checklist(self, initiative_id: int) -> None:
        from dialogtui.screens.checklist import ChecklistScreen

        self.push_screen(ChecklistScreen(initiative_id))

    def open_evaluation(self, initiative_id: int) -> None:
        from dialogtui.screens.evaluation import EvaluationScreen

        if not self.may_write():
            return

        self.warn_if_edited(initiative_id)
        self.push_screen(EvaluationScreen(initiative_id))

    def warn_if_edited(self, initiative_id: int) -> None:
        """Advisory only: two may edit at once, and the later save then meets a conflict."""
        editors = [p for p in self.others_on(initiative_id) if p.editing]
        if editors:
            self.notify(
                f"{describe_presence(editors, self.store.user)} redigerar redan det här "
                "initiativet. Den som sparar sist får välja mellan versionerna.",
                title="Någon annan redigerar",
                severity="warning",
                timeout=8,
            )

    def action_report(self) -> None:
        from dialogtui.screens.report import ReportScreen

        self.push_screen(ReportScreen())

    def action_lessons(self) -> None:
        from dialogtui.screens.lessons import LessonsScreen

        self.push_screen(LessonsScreen())

    def open_overlap(self, a: int, b: int) -> None:
        """The side-by-side view of one overlap, if it is still there."""
        from dialogtui.screens.overlaps import OverlapDetailScreen

        state = self.overlap_state
        if state is None:
            return
        found = state.find(a, b)
        if found is None:
            self.notify("Överlappet finns inte längre.", timeout=3)
            return
        self.push_screen(OverlapDetailScreen(state, *found))

    def action_inbox(self) -> None:
        """Anmälningar: registrations that units have sent as filled templates (issue 16)."""
        from dialogtui.screens.inbox import InboxScreen

        if not isinstance(self.screen, InboxScreen):
            self.push_screen(InboxScreen())

    def action_todo(self) -> None:
        from dialogtui.screens.todo import TodoScreen

        if not isinstance(self.screen, TodoScreen):
            self.push_screen(TodoScreen())

    def action_settings(self) -> None:
        """Vilotid och spärrar: the rest period, the panel's cap and the blocked periods."""
        from dialogtui.screens.settings import SettingsScreen

        if self.may_write() and not isinstance(self.screen, SettingsScreen):
            self.push_screen(SettingsScreen())

    def action_show_overlaps(self) -> None:
        from dialogtui.screens.overlaps import OverlapScreen

        self.push_screen(OverlapScreen())

    def data_changed(self) -> None:
        """Something was saved: every screen on the stack re-reads what it shows."""
        for screen in self.screen_stack:
            reload = getattr(screen, "reload", None)
            if callable(reload):
                reload()
        self.refresh_overlaps()

    # -- overlaps --

    @work(thread=True, exclusive=True, group="overlaps")
    def refresh_overlaps(self) -> None:
        """Recompute every overlap off the main thread; screens hear of it when it is done."""
        from dialogtui.coordination import load_state
        from dialogtui.overlap import Cancelled

        # A thread, not a process of its own: bench/search_bench.py measured both; keys wait
        # no longer either way (the interpreter hands the GIL over every few milliseconds),
        # and a process costs its start, a pickled copy of the answer and a second interpreter.
        worker = get_current_worker()
        try:
            state = load_state(self.store, cancelled=lambda: worker.is_cancelled, today=self.today)
        except Cancelled:
            return  # the app is quitting, or a newer refresh replaced this one
        self.call_from_thread(self._overlaps_ready, state)

    def _overlaps_ready(self, state: OverlapState) -> None:
        self.overlap_state = state
        for screen in self.screen_stack:
            changed = getattr(screen, "overlaps_changed", None)
            if callable(changed):
                changed()

    def confirm_before_save(
        self, initiative: Initiative, proceed: Callable[[Initiative], None]
    ) -> None:
        """Show what a registration or edit would overlap before anything is written."""
        self._check_candidate(initiative, proceed)

    @work(thread=True, exclusive=True, group="candidate")
    def _check_candidate(
        self, initiative: Initiative, proceed: Callable[[Initiative], None]
    ) -> None:
        from dialogtui.coordination import check_candidate

        check = check_candidate(self.store, initiative, self.today)
        self.call_from_thread(self._candidate_checked, initiative, check, proceed)

    def _candidate_checked(
        self,
        initiative: Initiative,
        check: CandidateCheck,
        proceed: Callable[[Initiative], None],
    ) -> None:
        if check.is_clear:
            proceed(initiative)
            return
        from dialogtui.screens.overlaps import OverlapWarningScreen

        def decided(choice: str | None) -> None:
            if choice == "save":
                proceed(initiative)
            elif choice == "move" and check.suggestion is not None:
                proceed(check.suggestion)

        self.push_screen(OverlapWarningScreen(initiative, check), decided)

    def overlap_summary(self, initiative: Initiative) -> RenderableType:
        """The overlap part of an initiative's page."""
        from dialogtui.dates import format_period

        state = self.overlap_state
        if state is None:
            return Text("Beräknar överlapp …", style="dim")
        ident = initiative.id or 0
        lines: list[RenderableType] = []
        for overlap in state.open_for(ident):
            other = state.other(overlap, ident)
            line = Text(f"• {overlap.severity.label}: ", "bold")
            line.append(f"{other.title} ({other.unit}, {format_period(other.start, other.end)})")
            lines.append(line)
            lines += [Text(f"    {reason}", "dim") for reason in overlap.reasons]
        for overlap, mark in state.coordinated_for(ident):
            other = state.other(overlap, ident)
            lines.append(Text(f"• samordnat med {other.title}: {mark.note}", "green"))
        for period in state.open_blocked_for(ident):
            lines.append(
                Text(f"• i spärrad period {period.name} {format_period(period.start, period.end)}")
            )
        if not lines:
            return Text("Inga överlapp med andra initiativ.", style="green")
        return Group(*lines)

    # -- help, palette, size --

    def action_help(self) -> None:
        from dialogtui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Every key of the current screen, so that each action is in the palette too."""
        # One entry per title: two that read the same could not be told apart. The binding
        # nearest the focus comes first, as it is the one its key would run.
        seen: set[str] = set()
        bindings = list(screen.active_bindings.values())
        for active in bindings:
            binding = active.binding
            if not active.enabled or not is_ours(binding, active.node):
                continue
            if binding.description in seen:
                continue
            seen.add(binding.description)
            yield SystemCommand(
                binding.description,
                f"Tangent: {self.get_key_display(binding)}",
                # Run where the key would: in the namespace of the node that binds it.
                partial(self.run_action, binding.action, active.node),
            )
        if not isinstance(screen, ModalScreen):
            # The places of the app are found from anywhere, not only where their key is.
            actions = {active.binding.action.removeprefix("app.") for active in bindings}
            for binding in Binding.make_bindings(CalendarScreen.BINDINGS):
                action = binding.action.removeprefix("app.")
                if (
                    binding.action == action  # the calendar's own action
                    or binding.description in seen
                    or action in actions
                    or type(screen).__name__ == APP_PLACES.get(action)
                ):
                    continue
                seen.add(binding.description)
                yield SystemCommand(
                    binding.description,
                    f"Tangent i kalendern: {self.get_key_display(binding)}",
                    partial(self.run_action, action),
                )
        yield SystemCommand("Tema", "Byt färgtema", self.action_change_theme)
        if "Avsluta" not in seen:  # a modal screen hides the app's own Ctrl+Q binding
            yield SystemCommand("Avsluta", "Avsluta dialogtui (Ctrl+Q)", self.action_quit)

    def search_themes(self) -> None:
        """Textual's theme picker, with a Swedish prompt."""
        from textual.theme import ThemeProvider

        self.push_screen(
            SwedishCommandPalette(providers=[ThemeProvider], placeholder="Sök bland färgteman …")
        )

    def on_resize(self, event: Resize) -> None:
        self._check_size(event.size.width, event.size.height)

    def _check_size(self, width: int, height: int) -> None:
        from dialogtui.screens.help import TooSmallScreen

        small = width < MIN_WIDTH or height < MIN_HEIGHT
        showing = isinstance(self.screen, TooSmallScreen)
        if small and not showing:
            self.push_screen(TooSmallScreen())
        elif not small and showing:
            self.pop_screen()
