"""The Textual application: owns the store, the screens, and the app-wide actions."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import traceback
from collections import Counter, deque
from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.content import Content
from textual.events import DescendantFocus, Resize
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.reactive import var
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerFailed, WorkerState, get_current_worker

from dialogtui import config
from dialogtui.changes import EVERYTHING, Change, from_audit
from dialogtui.domain import AuditEntry, Presence
from dialogtui.errors import UserError
from dialogtui.presence import describe_presence
from dialogtui.screens.base import AnySave, DataChanged, OneInitiative, Save
from dialogtui.screens.calendar import CalendarScreen
from dialogtui.screens.help import MIN_HEIGHT, MIN_WIDTH, TooSmallScreen, is_ours
from dialogtui.store import Store, StoreError
from dialogtui.widgets.swedish import SwedishCommandPalette, install
from dialogtui.widgets.typeahead import TypeAhead

install()  # Textual's own key descriptions in Swedish, before any screen is made

if TYPE_CHECKING:
    from dialogtui.coordination import CandidateCheck, OverlapState
    from dialogtui.models import Initiative

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
# How long a notification that only informs (a confirmation) stays; warnings may stay longer.
CONFIRM_SECONDS = 5.0
SAVING = "Sparar …"


class SaveFinished(Message):
    """The save worker is done with one save: it landed (`result`) or was refused (`error`)."""

    def __init__(self, save: AnySave, result: object, error: UserError | None) -> None:
        super().__init__()
        self.save = save
        self.result = result
        self.error = error


class OthersWrote(Message):
    """The poll found audited writes by other sessions since it last looked."""

    def __init__(self, entries: list[AuditEntry], title: str) -> None:
        super().__init__()
        self.entries = entries
        # The title of the initiative the latest entry concerns, read off the UI thread.
        self.title = title


class UnexpectedError(UserError):
    """A save failed for a reason the program did not foresee; said in Swedish all the same."""


class DialogApp(TypeAhead):
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

    # State several screens show; they `watch` it. Compared by identity (always_update), never
    # by value: an overlap state holds every overlap of the region.
    overlap_state: var[OverlapState | None] = var(None, always_update=True, init=False)
    # Who else has the database open, from their heartbeats; see `others_on`.
    others: var[list[Presence]] = var(list, always_update=True, init=False)
    # The keys of the saves asked for and not yet landed or refused.
    pending_saves: var[frozenset[Hashable]] = var(frozenset(), init=False)

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
        self.session_id: int | None = None
        self._beat_target: tuple[int | None, bool] | None = None
        self._beating = threading.Lock()
        # Presence is read by the heartbeat and by the poll, on two threads: each reading gets
        # a number, so that an older one delivered late never replaces a newer one.
        self._presence_read_count = 0
        self._presence_shown = 0
        # The saves, in the order asked for; one worker runs them one at a time (see `save`).
        self._saves: deque[AnySave] = deque()
        self._saves_lock = threading.Lock()
        self._saving = False
        self._pending: Counter[Hashable] = Counter()
        # The keys of the shown (not quiet) saves the worker is running now.
        self._running_shown: set[Hashable] = set()
        self._polling = False
        self._quit_asked = False
        # Set when an unexpected error ended the app: what to tell the user, in Swedish.
        self.crash_message: str | None = None
        # The units registered so far (`refresh_units`); the units list's own are always offered.
        self.registered_units: tuple[str, ...] = ()

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
        self.refresh_units()
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
        """Show a notification; always as plain text, as messages carry user text (titles).

        One that only informs goes after at most `CONFIRM_SECONDS`: a confirmation left in
        the corner covers the rows beneath it. Warnings and errors may stay longer.
        """
        if severity == "information":
            timeout = min(timeout if timeout is not None else CONFIRM_SECONDS, CONFIRM_SECONDS)
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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Over the too-small notice only Ctrl+Q (and Ctrl+C's hint) works: a screen opened into
        # a terminal that cannot show it would be cut off where the user cannot see.
        if isinstance(self.screen, TooSmallScreen):
            return action in ("quit", "help_quit")
        return True

    def action_command_palette(self) -> None:
        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self.push_screen(SwedishCommandPalette(id="--command-palette"))

    def action_help_quit(self) -> None:
        """Ctrl+C, which many press to quit: say, in Swedish, which key does."""
        self.notify("Tryck Ctrl+Q för att avsluta dialogtui.", title="Vill du avsluta?", timeout=4)

    def on_unmount(self) -> None:
        # On the UI thread, but it never waits: under a colleague's lock the session is left
        # to go stale rather than holding up the quit (`Store.end_session`).
        self.store.end_session(self.session_id)

    # -- others on the same database --

    def _presence_target(self) -> tuple[int | None, bool]:
        """The initiative this session has open, and whether it is being edited."""
        for screen in reversed(self.screen_stack):
            if isinstance(screen, OneInitiative) and screen.initiative_id is not None:
                return screen.initiative_id, screen.EDITS
        return None, False

    def _heartbeat(self) -> None:
        self._beat_target = self._presence_target()
        self._beat(*self._beat_target)

    @work(thread=True, exit_on_error=False, group="presence")
    def _beat(self, initiative_id: int | None, editing: bool) -> None:
        # A thread: the heartbeat may wait (briefly) for another user's write lock. One beat
        # at a time, so that a second one sees the session the first has started.
        with self._beating:
            self.session_id = self.store.beat(self.session_id, initiative_id, editing)
        self._read_presence()

    def _read_presence(self) -> None:
        """Read who else is in (on a worker's thread) and hand it to the UI thread, in order."""
        with self._beating:
            self._presence_read_count += 1
            number = self._presence_read_count
            others = self.store.present(exclude=self.session_id)
        self.call_from_thread(self._presence_read, others, number)

    def _presence_read(self, others: list[Presence], number: int | None = None) -> None:
        if number is not None:
            if number < self._presence_shown:
                return  # a newer reading has been shown already
            self._presence_shown = number

        # Only who has what open matters; every heartbeat moves seen_at.
        def what(sessions: list[Presence]) -> list[tuple[int, str, int | None, bool]]:
            return [(p.session_id, p.user, p.initiative_id, p.editing) for p in sessions]

        if what(others) == what(self.others):
            # Quietly: the screens that watch `others` care only about who has what open.
            self.set_reactive(DialogApp.others, others)
            return
        self.others = others

    def others_on(self, initiative_id: int) -> list[Presence]:
        """Other sessions that have this initiative open, editors first."""
        found = [p for p in self.others if p.initiative_id == initiative_id]
        return sorted(found, key=lambda p: (not p.editing, p.started_at))

    def _poll_others(self) -> None:
        if self._presence_target() != self._beat_target:
            self._heartbeat()  # tell the others now, not at the next beat
        if not self._polling:  # one look at a time; a slow one is not piled upon
            self._polling = True
            self._poll()

    @work(thread=True, exit_on_error=False, group="poll")
    def _poll(self) -> None:
        """Look for others' writes off the UI thread: the reads are small, but never a wait."""
        try:
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
                self._read_presence()
                return
            title = ""
            theirs = [e for e in changes if e.user != self.store.user]
            if theirs and theirs[-1].initiative_id is not None:
                with contextlib.suppress(StoreError):
                    title = self.store.initiative(theirs[-1].initiative_id).title
            self.post_message(OthersWrote(changes, title))
        finally:
            self._polling = False

    @on(OthersWrote)
    def _others_wrote(self, message: OthersWrote) -> None:
        self.data_changed(from_audit(message.entries))
        theirs = [e for e in message.entries if e.user != self.store.user]
        if theirs:
            from dialogtui.history import describe

            users = ", ".join(sorted({e.user for e in theirs}))
            latest = theirs[-1]
            what, _ = describe(latest)
            title = f" ”{message.title}”" if message.title else ""
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

    def action_export(self, answer: str = "", error: str = "") -> None:
        """Exportera: every initiative to a file, in the format its name ends with, as
        `dialogtui export` writes it (`exports.export_all`, one place for both). Asks where,
        suggesting a spreadsheet in the documents folder beside the database."""
        from dialogtui.exports import EXPORT_FORMATS, export_format
        from dialogtui.fileio import documents_folder
        from dialogtui.screens.dialogs import TextPromptScreen

        default = f"initiativ-{self.today.isoformat()}.xlsx"
        endings = ", ".join(f".{fmt}" for fmt in EXPORT_FORMATS)

        def chosen(typed: str | None) -> None:
            if not typed:
                return
            suffix = Path(typed).suffix
            if suffix and export_format(typed) is None:
                # Decided from the text alone: the disk is asked in the worker, never here.
                self.action_export(typed, f"Filen ska sluta på {endings} (eller ange en mapp).")
                return
            self._write_export(typed, default, endings)

        self.push_screen(
            TextPromptScreen(
                "Exportera alla initiativ till en fil (bara du kan läsa den). Formatet följer "
                f"filändelsen: {endings}. Enter sparar, Esc avbryter.",
                placeholder="fil eller mapp",
                value=answer or str(documents_folder(self.store.path) / default),
                error=error,
            ),
            chosen,
        )

    def _write_export(self, typed: str, default: str, endings: str) -> None:
        def write(store: Store) -> Path:
            from dialogtui.exports import export_all, export_format
            from dialogtui.fileio import FileError, write_document

            target = Path(typed).expanduser()
            if target.is_dir():
                target = target / default
            fmt = export_format(target.name)
            if fmt is None:
                raise FileError(f"{target}: ange en fil som slutar på {endings}, eller en mapp.")
            return write_document(target, export_all(store, fmt), default)

        self.save(
            Save(
                key=("export", typed),
                write=write,
                change=lambda _: Change(),
                done=lambda written: f"Skrev {written}",
                failure_title="Exporterades inte",
                database=False,
            )
        )

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

    def data_changed(self, change: Change = EVERYTHING) -> None:
        """Something was written: the screens that show it re-read it, and the overlaps are
        searched again only when the change can have moved them."""
        if not change:
            return
        if change.overlaps:
            self.refresh_overlaps()
        if change.everything or "initiative" in change.entities:
            self.refresh_units()  # a registration or an edit may bring a unit not seen before
        for screen in self.screen_stack:
            screen.post_message(DataChanged(change))

    # -- saves --

    def save(self, job: AnySave) -> bool:
        """Queue a write; False when the same action is still pending (nothing is written twice).

        One worker thread runs the saves in the order they were asked for, so the UI never
        waits on another user's write lock, and two values typed one after the other land in
        that order. The outcome comes back as `SaveFinished`, handled on the UI thread.
        """
        if job.database and not self.may_write():
            return False  # refused up front, with the reason: nothing would be saved
        with self._saves_lock:
            if self._pending[job.key]:
                waiting = [s for s in self._saves if s.key == job.key]
                if job.coalesce and waiting:
                    self._saves[self._saves.index(waiting[-1])] = job
                    return True
                if not job.coalesce:
                    self.notify("Sparar redan – ett ögonblick.", timeout=2)
                    return False
            self._saves.append(job)
            self._pending[job.key] += 1
            start = not self._saving
            self._saving = True
        self._show_pending()
        if start:
            self._run_saves()
        return True

    def is_saving(self, key: Hashable | None = None) -> bool:
        """Whether a save with this key (or any save, drafts included) is pending."""
        with self._saves_lock:
            return bool(self._pending[key]) if key is not None else any(self._pending.values())

    def _show_pending(self) -> None:
        # Drafts are kept in the background all the time; the header speaks of real saves.
        with self._saves_lock:
            keys = {s.key for s in self._saves if not s.quiet} | self._running_shown
            self._pending += Counter()  # drops the keys that reached zero
        self.pending_saves = frozenset(keys)

    @work(thread=True, exit_on_error=False, group="saves", description="Sparar")
    def _run_saves(self) -> None:
        finished = False
        try:
            while True:
                with self._saves_lock:
                    if not self._saves:
                        # In the same lock as `save` looks: a save asked for now starts anew.
                        self._saving = False
                        finished = True
                        return
                    job = self._saves.popleft()
                    if not job.quiet:
                        self._running_shown.add(job.key)
                result: object = None
                error: UserError | None = None
                try:
                    result = job.write(self.store)
                except UserError as exc:  # Swedish, and meant for the user
                    error = exc
                except Exception as exc:  # a bug must not take the user's text with it
                    self.log.error(traceback.format_exc())
                    error = UnexpectedError(
                        f"Ett oväntat fel hindrade sparandet ({type(exc).__name__}: {exc})."
                        " Kontrollera resultatet och försök igen."
                    )
                self.post_message(SaveFinished(job, result, error))
        finally:
            if not finished:  # the loop itself broke (or the app is quitting): the next save
                with self._saves_lock:  # starts a worker again
                    self._saving = False

    @on(SaveFinished)
    def _save_finished(self, message: SaveFinished) -> None:
        job = message.save
        with self._saves_lock:
            self._pending[job.key] -= 1
            self._running_shown.discard(job.key)
        self._show_pending()
        if message.error is not None:
            self.notify(str(message.error), title=job.failure_title, severity="error", timeout=8)
            if job.failed is not None:
                job.failed(message.error)
            return
        self.data_changed(job.change(message.result))
        text = job.done(message.result) if job.done is not None else None
        if text:
            self.notify(text, timeout=3)
        if job.saved is not None:
            job.saved(message.result)

    def format_title(self, title: str, sub_title: str) -> Content:
        # Every screen's header says so while anything waits to be written.
        if self.pending_saves:
            title = f"{title} · {SAVING}"
        return super().format_title(title, sub_title)

    def watch_pending_saves(self, pending: frozenset[Hashable]) -> None:
        if not self.is_saving():
            self._quit_asked = False  # the next Ctrl+Q with saves pending warns again
        from textual.widgets import Header
        from textual.widgets._header import HeaderTitle

        for screen in self.screen_stack:
            for header in screen.query(Header):
                for shown in header.query(HeaderTitle):  # none yet while it is composed
                    shown.update(header.format_title())

    async def action_quit(self) -> None:
        if self.is_saving() and not self._quit_asked:
            self._quit_asked = True
            self.notify(
                "Något väntar fortfarande på att sparas. Vänta tills det är klart, eller tryck"
                " Ctrl+Q igen för att avsluta ändå (det som inte hunnit sparas går förlorat).",
                title=SAVING,
                severity="warning",
                timeout=8,
            )
            return
        await super().action_quit()

    def write_document(self, path: Path, name: str, produce: Callable[[Store], str]) -> None:
        """Write a document where the user chose (a folder gets `name` in it), off the UI
        thread, in turn with the saves: a document written just after a save shows what was
        saved. Says where it went, or why not."""

        def write(store: Store) -> Path:
            from dialogtui.fileio import write_document

            return write_document(path, produce(store).encode("utf-8"), name)

        self.save(
            Save(
                key=("document", path, name),
                write=write,
                change=lambda _: Change(),
                done=lambda written: f"Skrev {written}",
                failure_title="Skrevs inte",
                database=False,
            )
        )

    # -- failures of workers --

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.worker_failed(event.worker)

    def worker_failed(self, worker: Worker[Any]) -> None:
        """The one handler for every worker that fails: a Swedish message, and the app goes on.

        Screens hand their workers' failures here (`DialogAppMixin`)."""
        error = worker.error
        if self._exit or error is None:
            return  # a failure while quitting is noise, not news
        self.log.error("".join(traceback.format_exception(error)))
        if isinstance(error, UserError):
            message = str(error)  # already Swedish, and meant for the user
        else:
            message = (
                f"Ett fel uppstod i bakgrunden ({type(error).__name__}: {error})."
                " dialogtui fortsätter; det du ser kan vara inaktuellt."
            )
        self.notify(message, title="Något gick fel", severity="error", timeout=10)

    # -- overlaps --

    @work(thread=True, exclusive=True, exit_on_error=False, group="overlaps")
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

    # -- units --

    @work(thread=True, exclusive=True, exit_on_error=False, group="units")
    def refresh_units(self) -> None:
        """Read the units that have registered something, for the form's suggestions and the
        filter's list: at start and after writes, so that neither reads the database on the UI
        thread when it opens (9-13 ms at 10,000 initiatives, bench/ui_reads_bench.py)."""
        found = tuple(self.store.units())
        self.call_from_thread(self._units_ready, found)

    def _units_ready(self, found: tuple[str, ...]) -> None:
        self.registered_units = found

    def confirm_before_save(
        self, initiative: Initiative, proceed: Callable[[Initiative], None]
    ) -> None:
        """Show what a registration or edit would overlap before anything is written."""
        self._check_candidate(initiative, proceed)

    @work(thread=True, exclusive=True, exit_on_error=False, group="candidate")
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
        # The first resize comes before on_mount has opened the calendar, which then checks:
        # a notice pushed now would end up beneath the calendar.
        if len(self.screen_stack) > 1:
            self._check_size(event.size.width, event.size.height)

    def _check_size(self, width: int, height: int) -> None:
        small = width < MIN_WIDTH or height < MIN_HEIGHT
        showing = isinstance(self.screen, TooSmallScreen)
        if small and not showing:
            self.push_screen(TooSmallScreen())
        elif not small and showing:
            self.pop_screen()
