"""Anmälningar: the inbox of filled registration templates, and one registration in full.

The list shows every file of the inbox folder with the unit, title and dates it registers and
what is wrong or missing; Enter shows the registration as the form would, with its problems and
its overlaps. From either, `a` takes it in (a new initiative, audited with the file's name; the
file moves to inlagda/), `e` opens it in the registration form to fix before saving, and `v`
rejects it with a reason (the file moves to avvisade/, the reason beside it).

All reading of the folder and the database, and every move, runs in thread workers that report
back; the screen never waits on the disk.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from dialogtui import inbox
from dialogtui.changes import touched
from dialogtui.inbox import Entry
from dialogtui.rules import advice
from dialogtui.screens.base import DataChanged, DialogAppMixin
from dialogtui.widgets.footer import Footer
from dialogtui.widgets.paged_rows import PagedRows

if TYPE_CHECKING:
    from dialogtui.coordination import CandidateCheck
    from dialogtui.models import Initiative

RESCAN_SECONDS = 2.0
MARKS = {
    inbox.OK: ("✓", "green"),
    inbox.PROBLEMS: ("✗", "red"),
    inbox.BUSY: ("…", "yellow"),
    inbox.NOT_TEMPLATE: ("?", "dim"),
    inbox.DAMAGED: ("!", "red"),
    inbox.LOCK: ("·", "dim"),
    inbox.LINK: ("?", "dim"),
}


def _period(entry: Entry) -> str:
    return entry.read.period if entry.read is not None else ""


def entry_line(entry: Entry) -> Text:
    """One line of the list: mark, file, what is wrong, then what it registers."""
    mark, style = MARKS[entry.state]
    if entry.state == inbox.OK and entry.duplicates:
        mark, style = "≈", "yellow"
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{mark} ", style)
    text.append(f"{entry.name[:22]:<22}", "bold")
    read = entry.read
    if read is None or entry.state not in (inbox.OK, inbox.PROBLEMS):
        text.append(f" {entry.state_label}", style)
        if entry.note:
            text.append(f": {entry.note}", "dim")
        return text
    if read.problems:
        text.append(f" {len(read.problems)} fel", "bold red")
    elif entry.duplicates:
        text.append(f" {like_label(entry)}", "yellow")
    else:
        text.append(" komplett", "green")
    text.append(f" · {read.title or '(ingen titel)'}")
    text.append(f" · {read.unit or '(ingen beställare)'}", "dim")
    if read.period:
        text.append(f" · {read.period}", "dim")
    return text


def like_text(similar: inbox.Similar) -> str:
    """A look-alike is either stored (it has a number) or another file of the inbox."""
    return "Liknar redan registrerad" if similar.id is not None else "Liknar en annan anmälan"


def like_label(entry: Entry, asked: bool = False) -> str:
    """What a file's look-alikes are, for its line (or, `asked`, the question before `a`)."""
    if any(similar.id is not None for similar in entry.duplicates):
        return "liknar redan registrerade" if asked else "liknar en registrerad"
    return "liknar andra anmälningar i inkorgen" if asked else "liknar en annan anmälan"


class InboxRows(PagedRows[Entry]):
    def __init__(self) -> None:
        super().__init__(id="inbox-rows", empty_text="Inga filer i inkorgen.")

    def render_row(self, row: Entry, width: int) -> Text:
        return entry_line(row)


def describe_entry(entry: Entry) -> Text:
    """The preview under the list: the file and every problem it has."""
    text = Text()
    text.append(entry.name, "bold")
    text.append(f"  {entry.state_label}\n", MARKS[entry.state][1])
    read = entry.read
    if read is not None and entry.state in (inbox.OK, inbox.PROBLEMS):
        # The list's line is cut at 80 columns before the dates: here they are whole.
        text.append(read.title or "(ingen titel)")
        text.append(f" · {read.unit or '(ingen beställare)'}", "dim")
        text.append(f" · {read.period or '(inga datum)'}\n", "dim")
    for similar in entry.duplicates:
        text.append(f"{like_text(similar)}: {similar.describe()}\n", "yellow")
    if entry.read is not None and entry.read.problems:
        for problem in entry.read.problems:
            text.append(f"• {problem}\n")
    elif entry.note:
        text.append(f"{entry.note}\n")
    elif entry.can_accept:
        text.append("Komplett. Enter visar den; a lägger in den.\n")
    return text


@dataclass
class ScanResult:
    folder: Path
    entries: list[Entry]


class InboxScreen(DialogAppMixin, Screen[None]):
    """The folder of incoming registrations; `a` from the calendar."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Tillbaka", id="back"),
        Binding("a", "accept", "Lägg in", id="inbox-accept"),
        Binding("e", "edit", "Rätta", id="inbox-edit"),
        Binding("v", "reject", "Avvisa", id="inbox-reject"),
        Binding("u", "rescan", "Läs om", id="inbox-rescan", show=False),
        Binding("m", "folder", "Byt mapp", id="inbox-folder", show=False),
    ]
    DEFAULT_CSS = """
    InboxScreen #inbox-summary { height: 1; padding: 0 1; background: $boost; }
    InboxScreen #inbox-rows { height: 1fr; padding: 0 0 0 1; }
    InboxScreen #inbox-preview {
        height: 8; padding: 0 1; border-top: solid $panel; overflow-y: auto;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.folder: Path | None = None
        self.entries: list[Entry] = []
        self._busy = False  # an accept, reject or move is running: no second one

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Läser inkorgen …", id="inbox-summary")
        yield InboxRows()
        yield Static(id="inbox-preview")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Anmälningar"
        rows = self.query_one(InboxRows)
        self.watch(rows, "cursor", lambda _: self._show_preview())
        rows.focus()
        self.rescan()
        self.set_interval(RESCAN_SECONDS, self.rescan)

    # -- reading the folder --

    def action_rescan(self) -> None:
        self.rescan()

    def rescan(self) -> None:
        self._scan({entry.name: entry for entry in self.entries}, recheck=False)

    def on_data_changed(self, message: DataChanged) -> None:
        if message.change.touches("initiative"):
            self.reload()

    def reload(self) -> None:
        """Something was saved (here or by others): duplicates are judged again too."""
        self._scan({entry.name: entry for entry in self.entries}, recheck=True)

    @work(thread=True, exclusive=True, group="inbox-scan", exit_on_error=False)
    def _scan(self, previous: dict[str, Entry], recheck: bool) -> None:
        app = self.dialog_app
        try:
            folder = inbox.folder_for(app.store.path, app.store.setting(inbox.SETTING))
            entries = inbox.scan(folder, app.today, previous)
            batch = [
                (e.name, e.read.initiative)
                for e in entries
                if e.read is not None and e.read.initiative is not None
            ]
            unchanged = all(
                e.name in previous and previous[e.name].read is e.read for e in entries
            ) and len(entries) == len(previous)
            if batch and (recheck or not unchanged):
                # Judged against every stored initiative: only when the files or the data changed.
                found = inbox.duplicates_in_batch(batch, app.store.planned())
                for entry in entries:
                    entry.duplicates = found.get(entry.name, [])
            else:
                for entry in entries:
                    if entry.name in previous:
                        entry.duplicates = previous[entry.name].duplicates
        except Exception as exc:  # a folder we may not read must not end the app
            self.app.call_from_thread(self._scan_failed, folder_text(exc))
            return
        self.app.call_from_thread(self._scanned, ScanResult(folder, entries))

    def _scan_failed(self, message: str) -> None:
        self.query_one("#inbox-summary", Static).update(Text(message, "bold red"))

    def _scanned(self, result: ScanResult) -> None:
        before = [(e.name, e.state, e.size, e.mtime_ns, len(e.duplicates)) for e in self.entries]
        after = [(e.name, e.state, e.size, e.mtime_ns, len(e.duplicates)) for e in result.entries]
        self.folder = result.folder
        current = self.current
        self.entries = result.entries
        self._show_summary()
        if before == after and self.query_one(InboxRows).row_count == len(self.entries):
            return
        rows = self.query_one(InboxRows)
        entries = self.entries
        rows.reset(len(entries), lambda offset, limit: entries[offset : offset + limit])
        if current is not None:
            names = [e.name for e in entries]
            if current.name in names:
                rows.cursor = names.index(current.name)
        self._show_preview()
        for screen in self.app.screen_stack:
            if isinstance(screen, InboxEntryScreen):
                screen.entry_changed(entries)

    def _show_summary(self) -> None:
        ready = sum(1 for e in self.entries if e.can_accept)
        fix = sum(1 for e in self.entries if e.state == inbox.PROBLEMS)
        files = len(self.entries)
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"{files} {'fil' if files == 1 else 'filer'}", "bold")
        text.append(f" · {ready} att lägga in · {fix} att rätta · ")
        if self.folder is not None:
            text.append(inbox.shown(self.folder, self.dialog_app.store.path), "dim")
        self.query_one("#inbox-summary", Static).update(text)

    @property
    def current(self) -> Entry | None:
        return self.query_one(InboxRows).current

    def _show_preview(self) -> None:
        entry = self.current
        preview = self.query_one("#inbox-preview", Static)
        preview.update(describe_entry(entry) if entry is not None else Text(""))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        entry = self.current
        if action == "accept":
            return entry is not None and entry.can_accept
        if action == "edit":
            return entry is not None and entry.state in (inbox.OK, inbox.PROBLEMS)
        if action == "reject":
            return entry is not None and entry.state not in (inbox.LOCK, inbox.BUSY)
        return True

    # -- opening one --

    @on(PagedRows.Chosen)
    def _chosen(self, event: PagedRows.Chosen) -> None:
        entry = event.row
        if not isinstance(entry, Entry):
            return
        if entry.read is None:
            self.notify(f"{entry.name}: {entry.note or entry.state_label}", timeout=5)
            return
        self.app.push_screen(InboxEntryScreen(self, entry))

    # -- taking in, fixing, rejecting (shared with the entry screen) --

    def action_accept(self) -> None:
        if self.current is not None:
            self.accept(self.current)

    def action_edit(self) -> None:
        if self.current is not None:
            self.edit(self.current)

    def action_reject(self) -> None:
        if self.current is not None:
            self.reject(self.current)

    def accept(self, entry: Entry, done: Callable[[], None] | None = None) -> None:
        if not self.dialog_app.may_write():
            return  # a reader may look at the inbox, not take anything in
        read = entry.read
        if not entry.can_accept or read is None or read.initiative is None:
            self.notify(
                f"{entry.name} kan inte läggas in: {entry.note or entry.state_label}. "
                "Rätta i formuläret (e) eller avvisa (v).",
                severity="warning",
                timeout=6,
            )
            return
        initiative = read.initiative
        if not entry.duplicates:
            self._accept(entry, initiative, done)
            return
        from dialogtui.screens.dialogs import ConfirmScreen

        similar = "; ".join(s.describe() for s in entry.duplicates)

        def answered(yes: bool | None) -> None:
            if yes:
                self._accept(entry, initiative, done)

        self.app.push_screen(
            ConfirmScreen(
                f"{entry.name} {like_label(entry, asked=True)}: {similar}. Lägga in den ändå?",
                yes="Lägg in ändå",
                no="Avbryt",
            ),
            answered,
        )

    def _accept(
        self, entry: Entry, initiative: Initiative, done: Callable[[], None] | None
    ) -> None:
        if self._busy or self.folder is None:
            return
        self._busy = True
        self._take_in(self.folder, entry, initiative, done)

    @work(thread=True, group="inbox-write", exit_on_error=False)
    def _take_in(
        self, folder: Path, entry: Entry, initiative: Initiative, done: Callable[[], None] | None
    ) -> None:
        try:
            saved = self._create(folder, entry, initiative)
        except Exception as exc:
            self.app.call_from_thread(self._write_failed, folder_text(exc))
            return
        self.app.call_from_thread(self._taken_in, saved, done)

    def _create(self, folder: Path, entry: Entry, initiative: Initiative) -> Initiative:
        """In a worker: claim the file by moving it to inlagda/, then save the registration.

        Moving first makes a second coordinator taking in the same file at the same moment find
        it gone, instead of saving it twice; a failed save moves the file back. The file must
        be the one that was read, not a newer version that arrived since.
        """
        store = self.dialog_app.store
        try:
            info = (folder / entry.name).lstat()
        except FileNotFoundError:
            raise inbox.InboxError(
                f"{entry.name} finns inte längre i inkorgen; någon annan kan ha lagt in den."
            ) from None
        if (info.st_size, info.st_mtime_ns) != (entry.size, entry.mtime_ns):
            raise inbox.InboxError(f"{entry.name} har ändrats sedan den lästes; läs om (u).")
        moved = inbox.file_accepted(folder, entry.name)
        try:
            saved = store.create_initiative(initiative, inbox.audit_note(entry.name, moved.name))
            new_id = saved.id
        except BaseException:
            with contextlib.suppress(inbox.InboxError):
                inbox.move_unique(moved, folder)
            raise
        self.app.call_from_thread(
            self.notify,
            f"Lade in ”{saved.title}” (#{new_id}); filen ligger nu i "
            f"{inbox.ACCEPTED}/{moved.name}.",
            timeout=5,
        )
        return saved

    def _taken_in(self, saved: Initiative, done: Callable[[], None] | None) -> None:
        self._busy = False
        # The screens that show initiatives read again, this list too (`on_data_changed`).
        self.dialog_app.data_changed(touched("initiative", "create", saved.id))
        if done is not None:
            done()

    def _write_failed(self, message: str) -> None:
        self._busy = False
        self.notify(message, severity="error", timeout=8)
        self.rescan()

    def edit(self, entry: Entry, done: Callable[[], None] | None = None) -> None:
        """Open the registration in the form; saving there takes it in like `a`."""
        if not self.dialog_app.may_write():
            return
        from dialogtui.screens.form import InitiativeFormScreen

        read, folder = entry.read, self.folder
        if read is None or folder is None:
            return

        def create(initiative: Initiative) -> Initiative:
            return self._create(folder, entry, initiative)

        def saved(new_id: int | None) -> None:
            # The save has told every screen that shows initiatives, this list included.
            if new_id is not None and done is not None:
                done()

        self.app.push_screen(
            InitiativeFormScreen(
                None, self.dialog_app.today, draft=read.raw, creator=create, source=entry.name
            ),
            saved,
        )

    def reject(self, entry: Entry, done: Callable[[], None] | None = None) -> None:
        if not self.dialog_app.may_write():
            return
        from dialogtui.screens.dialogs import TextPromptScreen

        folder = self.folder
        if folder is None:
            return

        def answered(reason: str | None) -> None:
            if reason and not self._busy:
                self._busy = True
                self._file_rejected(folder, entry, reason, done)

        self.app.push_screen(
            TextPromptScreen(
                f"Varför avvisas {entry.name}? Skälet sparas i {inbox.REJECTED}/ bredvid filen.",
                placeholder="t.ex. dubblett av en tidigare anmälan",
            ),
            answered,
        )

    @work(thread=True, group="inbox-write", exit_on_error=False)
    def _file_rejected(
        self, folder: Path, entry: Entry, reason: str, done: Callable[[], None] | None
    ) -> None:
        store = self.dialog_app.store
        try:
            moved = inbox.file_rejected(folder, entry.name, reason, store.user, store.now())
        except Exception as exc:
            self.app.call_from_thread(self._write_failed, folder_text(exc))
            return
        self.app.call_from_thread(self._rejected, entry, moved, done)

    def _rejected(self, entry: Entry, moved: Path, done: Callable[[], None] | None) -> None:
        self._busy = False
        self.notify(f"Avvisade {entry.name}; den ligger nu i {inbox.REJECTED}/{moved.name}.")
        self.rescan()
        if done is not None:
            done()

    # -- the folder --

    def action_folder(self) -> None:
        from dialogtui.screens.dialogs import TextPromptScreen

        if not self.dialog_app.may_write():
            return

        def answered(path: str | None) -> None:
            if path:
                self._set_folder(path)

        self.app.push_screen(
            TextPromptScreen(
                "Inkorgens mapp, för alla som använder databasen (en relativ sökväg räknas från "
                "databasens mapp):",
                placeholder=str(self.folder or inbox.DEFAULT_NAME),
            ),
            answered,
        )

    @work(thread=True, group="inbox-write", exit_on_error=False)
    def _set_folder(self, path: str) -> None:
        try:
            self.dialog_app.store.set_setting(inbox.SETTING, path)
        except Exception as exc:
            self.app.call_from_thread(self._write_failed, folder_text(exc))
            return
        self.app.call_from_thread(self._folder_set)

    def _folder_set(self) -> None:
        self.entries = []
        self.query_one(InboxRows).reset(0, lambda offset, limit: [])
        self.rescan()


def folder_text(exc: Exception) -> str:
    """A Swedish message for whatever went wrong with the folder or the database."""
    from dialogtui.errors import UserError

    if isinstance(exc, UserError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"Inkorgen: {inbox.os_message(exc)}"
    return f"Inkorgen gick inte att läsa: {type(exc).__name__}"


class InboxEntryScreen(DialogAppMixin, Screen[None]):
    """One registration as the form would show it, with its problems and overlaps."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Tillbaka", id="back"),
        Binding("a", "accept", "Lägg in", id="inbox-accept"),
        Binding("e", "edit", "Rätta", id="inbox-edit"),
        Binding("v", "reject", "Avvisa", id="inbox-reject"),
    ]
    DEFAULT_CSS = """
    InboxEntryScreen #entry-body { padding: 0 1; }
    """

    def __init__(self, owner: InboxScreen, entry: Entry) -> None:
        super().__init__()
        self.owner = owner
        self.entry = entry
        self.check: CandidateCheck | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="entry-scroll"):
            yield Static(id="entry-body")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"Anmälan: {self.entry.name}"
        self.query_one("#entry-scroll").focus()
        self._show()
        if self.entry.read is not None and self.entry.read.initiative is not None:
            self._check(self.entry.read.initiative)

    @work(thread=True, exclusive=True, group="inbox-check", exit_on_error=False)
    def _check(self, initiative: Initiative) -> None:
        from dialogtui.coordination import check_candidate

        try:
            check = check_candidate(self.dialog_app.store, initiative, self.dialog_app.today)
        except Exception as exc:
            self.app.call_from_thread(self.notify, folder_text(exc), severity="error")
            return
        self.app.call_from_thread(self._checked, check)

    def _checked(self, check: CandidateCheck) -> None:
        self.check = check
        self._show()

    def entry_changed(self, entries: list[Entry]) -> None:
        """The list was read again: show the newest reading of this file, or leave when it is
        gone (someone else took it in or rejected it)."""
        for entry in entries:
            if entry.name == self.entry.name:
                changed = (entry.size, entry.mtime_ns) != (self.entry.size, self.entry.mtime_ns)
                self.entry = entry
                self._show()
                if changed and entry.read is not None and entry.read.initiative is not None:
                    self._check(entry.read.initiative)
                self.refresh_bindings()
                return
        if self.app.screen is self:
            self.notify(f"{self.entry.name} finns inte längre i inkorgen.", timeout=5)
            self.app.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "accept":
            return self.entry.can_accept
        if action == "edit":
            return self.entry.state in (inbox.OK, inbox.PROBLEMS)
        return True

    def _show(self) -> None:
        self.query_one("#entry-body", Static).update(entry_body(self.entry, self.check))

    def _back(self) -> None:
        if self.app.screen is self:
            self.app.pop_screen()

    def action_accept(self) -> None:
        self.owner.accept(self.entry, self._back)

    def action_edit(self) -> None:
        self.owner.edit(self.entry, self._back)

    def action_reject(self) -> None:
        self.owner.reject(self.entry, self._back)


def entry_body(entry: Entry, check: CandidateCheck | None) -> RenderableType:
    """What matters first (is it complete, does it look like one registered, what does it
    overlap), then the registration in the template's order, each problem under its field."""
    from dialogtui.dates import format_period
    from dialogtui.registration import LABELS
    from dialogtui.template import FIELDS, LAYOUT, TARGET_GROUPS

    read = entry.read
    parts: list[RenderableType] = []
    status = Text()
    status.append(f"{entry.name}: ", "bold")
    status.append(entry.state_label, MARKS[entry.state][1])
    if entry.note and entry.state != inbox.PROBLEMS:
        status.append(f" ({entry.note})", "dim")
    parts.append(status)
    if read is None:
        return Group(*parts)
    by_key: dict[str, list[str]] = {}
    rest: list[str] = []
    for problem in read.problems:
        if problem.key in FIELDS:
            where = f"cell {problem.cell}: " if problem.cell else ""
            by_key.setdefault(problem.key, []).append(f"{where}{problem.message}")
        else:
            rest.append(str(problem))
    # What the form points out without refusing (`rules.advice`), under the same fields.
    advised: dict[str, list[str]] = {}
    if read.initiative is not None:
        compensation = read.initiative.compensation
        for note in advice(read.initiative, compensation.payer if compensation else ""):
            advised.setdefault(note.field, []).append(note.message)
    if read.problems:
        count = len(read.problems)
        parts.append(
            Text(f"{count} fel att rätta innan den kan läggas in (e öppnar formuläret).", "red")
        )
    for similar in entry.duplicates:
        parts.append(Text(f"{like_text(similar)}: {similar.describe()}", "bold yellow"))
    if read.initiative is None:
        parts.append(Text("Överlapp visas när anmälan är fri från fel.", "dim"))
    elif check is None:
        parts.append(Text("Söker överlapp …", "dim"))
    elif check.is_clear:
        parts.append(Text("Inga överlapp med andra initiativ.", "green"))
    else:
        count = len(check.overlaps)
        parts.append(
            Text(f"Skulle överlappa {count} {'initiativ' if count else ''}".strip(), "bold")
        )
        for overlap in check.overlaps:
            other = check.others[overlap.b if overlap.a == 0 else overlap.a]
            parts.append(Text(f"  {overlap.severity.label}: {other.title} ({other.unit})", "bold"))
            parts += [Text(f"    • {reason}") for reason in overlap.reasons]
        for period in check.blocked:
            parts.append(
                Text(f"  I spärrad period: {period.name} {format_period(period.start, period.end)}")
            )
        panel = check.panel_line(read.initiative.title)
        if panel is not None:
            parts.append(Text(f"  {panel}", "bold"))
    table = _field_table()
    for item in LAYOUT:
        if isinstance(item, str) and item != TARGET_GROUPS:
            # A heading of its own between the tables: it is wider than the label column.
            parts += [table, Text(item, "bold")]
            table = _field_table()
            continue
        if item == TARGET_GROUPS:
            parts += [table, Text("Målgrupper", "bold")]
            table = _field_table()
            groups = read.raw.get("target_groups") or []
            if not groups:
                table.add_row(Text(""), Text("ingen särskild målgrupp", "dim"))
            for index, group in enumerate(groups, start=1):
                number = group.get("number", index)
                where = ", ".join(group["municipalities"]) or "hela Halland"
                who = ", ".join(group["segments"]) or "alla invånare"
                name = f"{group['name']}: " if group["name"] else ""
                table.add_row(
                    Text(f"Målgrupp {number}"),
                    Text(f"{name}{who}, {group['age_min']}–{group['age_max']} år, i {where}"),
                )
            for message in rest:
                table.add_row(Text(""), Text(f"⚠ {message}", "bold red"))
            parts.append(table)
            table = _field_table()
            continue
        assert not isinstance(item, str)
        value = read.raw.get(item.key)
        if item.key == "uses_panel" and read.initiative is not None:
            value = read.initiative.uses_panel  # a panel survey uses the panel, whatever was ticked
        shown = _shown(value)
        cell = Text(shown or "–", "" if shown else "dim")
        for message in by_key.get(item.key, []):
            cell.append(f"\n⚠ {message}", "bold red")
        for message in advised.get(item.key, []):
            cell.append(f"\n⚠ {message}", "yellow")
        table.add_row(Text(LABELS[item.key]), cell)
    parts.append(table)
    return Group(*parts)


def _field_table() -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(style="dim", width=30, no_wrap=True)
    table.add_column(ratio=1)
    return table


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    label = getattr(value, "label", None)
    if isinstance(label, str):
        return label
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
