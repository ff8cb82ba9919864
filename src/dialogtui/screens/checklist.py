"""One initiative's checklist: the guideline's items by phase, the process's tasks by who does
them, and the feedback promises; ticked with the keyboard only.

Space toggles done / not done, `n` marks not applicable (with a reason), `p` adds a feedback
promise; Space on a promise marks it kept today.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from pydantic import ValidationError
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Header, Label, Select, Static

from dialogtui import catalog
from dialogtui.changes import touched
from dialogtui.dates import DateInputError, parse_user_date
from dialogtui.domain import Audience, ChecklistState
from dialogtui.errors import UserError
from dialogtui.models import ChecklistEntry, Evaluation, FeedbackPromise, Initiative, field_errors
from dialogtui.process import AUTOMATIC_ITEMS, applicable_items, duties, progress_label
from dialogtui.rules import evaluation_status
from dialogtui.screens.base import DataChanged, OneInitiative, Save
from dialogtui.screens.dialogs import DIALOG_CSS, TextPromptScreen
from dialogtui.store import NotFoundError, Store
from dialogtui.widgets.fields import FOCUS_BINDINGS, FormInput
from dialogtui.widgets.footer import Footer
from dialogtui.widgets.paged_rows import PagedRows
from dialogtui.words import adjective, count, noun, term

if TYPE_CHECKING:
    from dialogtui.app import DialogApp

MARKS = {
    ChecklistState.DONE: "[x]",
    ChecklistState.NOT_DONE: "[ ]",
    ChecklistState.NOT_APPLICABLE: "[–]",
}


@dataclass(frozen=True, slots=True)
class ChecklistRow:
    """A heading, a checklist item or process task (`item_id`), or a promise (`promise`)."""

    text: str
    item_id: str | None = None
    entry: ChecklistEntry | None = None
    promise: FeedbackPromise | None = None
    hint: str = ""
    style: str = ""


class ChecklistRows(PagedRows[ChecklistRow]):
    # Enter ticks, like Space: there is nothing to open from a checklist line.
    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "choose", "Klar/ej klar", show=False)]

    def __init__(self) -> None:
        super().__init__(id="checklist-rows")
        # The items and promises whose change waits to be written.
        self.saving_items: frozenset[str] = frozenset()
        self.saving_promises: frozenset[int] = frozenset()

    def render_row(self, row: ChecklistRow, width: int) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        if row.item_id is None and row.promise is None:
            return text.append(row.text, "bold")
        if row.item_id in self.saving_items or (
            row.promise is not None and row.promise.id in self.saving_promises
        ):
            # First, so that it is seen however long the line is.
            text.append("Sparar … ", "bold reverse")
        if row.promise is not None:
            text.append("[x] " if row.promise.done else "[ ] ")
            text.append(row.text, row.style)
            return text
        state = row.entry.state if row.entry else ChecklistState.NOT_DONE
        text.append(f"{MARKS[state]} ")
        text.append(row.text, "dim" if state is ChecklistState.NOT_APPLICABLE else "")
        if row.entry is not None and row.entry.automatic:
            text.append("  automatiskt", "green")
        if row.entry is not None and row.entry.at is not None and row.entry.by:
            text.append(f"  {row.entry.by} {row.entry.at:%Y-%m-%d}", "dim")
        if row.entry is not None and row.entry.reason:
            text.append(f"  ({row.entry.reason})", "italic")
        if row.hint:
            text.append(f"  {row.hint}", row.style or "dim")
        return text


def item_key(initiative_id: int, item_id: str) -> Hashable:
    """What a save of a checklist item is known by: a second press while it is pending is
    refused, and the row says it is being saved."""
    return ("checklist", initiative_id, item_id)


def promise_key(promise_id: int) -> Hashable:
    return ("promise", promise_id)


class ChecklistScreen(OneInitiative, Screen[None]):
    """The working surface of one dialogue: what is done, by whom and when."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Tillbaka", id="back"),
        Binding("space", "toggle_item", "Klar/ej klar", id="toggle", key_display="mellanslag"),
        Binding("n", "not_applicable", "Ej aktuell", id="not-applicable"),
        Binding("p", "add_promise", "Nytt löfte", id="add-promise"),
        Binding("delete", "delete_promise", "Ta bort löfte", id="delete-promise", show=False),
    ]

    def __init__(self, initiative_id: int) -> None:
        super().__init__()
        self.initiative_id: int = initiative_id
        self.initiative: Initiative | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="checklist-progress")
        yield ChecklistRows()
        yield Footer()

    def on_mount(self) -> None:
        rows = self.query_one(ChecklistRows)
        self.watch(rows, "cursor", lambda _: self.refresh_bindings())
        self.reload()
        rows.cursor = 1  # the first line is the "Före" heading
        rows.focus()
        # F-samordning shows the overlap check's answer; rows being saved say so.
        self.watch(self.app, "overlap_state", self.reload, init=False)
        self.watch(self.app, "pending_saves", self._show_saving)

    def on_data_changed(self, message: DataChanged) -> None:
        if self.concerns(message.change):
            self.reload()

    def _show_saving(self, pending: frozenset[Hashable]) -> None:
        rows = self.query_one(ChecklistRows)
        items = frozenset(
            key[2]
            for key in pending
            if isinstance(key, tuple) and key[:2] == ("checklist", self.initiative_id)
        )
        promises = frozenset(
            key[1] for key in pending if isinstance(key, tuple) and key[0] == "promise"
        )
        if (items, promises) != (rows.saving_items, rows.saving_promises):
            rows.saving_items, rows.saving_promises = items, promises
            rows.refresh()

    def reload(self) -> None:
        store = self.dialog_app.store
        try:
            ini = self.initiative = store.initiative(self.initiative_id)
        except NotFoundError as exc:
            self.notify(str(exc), severity="error")
            self.leave()
            return
        answers = store.checklist(self.initiative_id)
        promises = store.feedback_promises(self.initiative_id)
        evaluation = store.evaluation(self.initiative_id)
        self.sub_title = f"Checklista: {ini.title}"
        progress = Text(progress_label(ini, answers), "bold")
        self.query_one("#checklist-progress", Static).update(progress)
        lines = self.build_rows(ini, answers, promises, evaluation)
        rows = self.query_one(ChecklistRows)
        rows.reset(len(lines), lambda offset, limit: lines[offset : offset + limit])
        self.refresh_bindings()

    def build_rows(
        self,
        ini: Initiative,
        answers: dict[str, ChecklistEntry],
        promises: list[FeedbackPromise],
        evaluation: Evaluation | None = None,
    ) -> list[ChecklistRow]:
        today = self.dialog_app.today
        hints = self._hints(ini, promises, evaluation)
        rows: list[ChecklistRow] = []
        items = applicable_items(ini)
        for phase, label in catalog.PHASES.items():
            rows.append(ChecklistRow(f"{label} dialogen"))
            for item in (i for i in items if i.phase == phase):
                hint, style = hints.get(item.id, ("", ""))
                rows.append(
                    ChecklistRow(item.text, item.id, answers.get(item.id), None, hint, style)
                )
        rows.append(ChecklistRow("Ansvar enligt dialogprocessen"))
        for duty in duties(ini):
            rows.append(ChecklistRow(f"{duty.who}: {duty.task}", duty.id, answers.get(duty.id)))
        rows.append(
            ChecklistRow(f"Återkopplingslöften (p lägger till, mellanslag = {term('kept')} i dag)")
        )
        for promise in promises:
            text = (
                f"till {promise.audience.label}, senast {promise.due.isoformat()}: {promise.what}"
            )
            if promise.channel:
                text += f" ({promise.channel})"
            if promise.done:
                text += f" – {term('kept')} {promise.done.isoformat()}"
            style = "bold red" if promise.is_overdue(today) else ""
            rows.append(ChecklistRow(text, promise=promise, style=style))
        return rows

    def _hints(
        self, ini: Initiative, promises: list[FeedbackPromise], evaluation: Evaluation | None
    ) -> dict[str, tuple[str, str]]:
        """What the app itself knows about some items: overlaps, promises kept or not, the
        form's texts filled in or not, the deadline and the evaluation."""
        hints: dict[str, tuple[str, str]] = {}
        state = self.dialog_app.overlap_state
        if state is not None:
            open_count = state.open_count(ini.id or 0) + len(state.open_blocked_for(ini.id or 0))
            hints["F-samordning"] = (
                (f"⚠ {count(open_count, 'överlapp', 'öppen')}", "bold red")
                if open_count
                else ("inga öppna överlapp", "green")
            )
        if promises:
            kept = sum(1 for p in promises if p.done)
            late = sum(1 for p in promises if p.is_overdue(self.dialog_app.today))
            total = len(promises)
            registered = count(total, "löfte", "registrerad", after=True)
            hints["U-aterkoppling"] = (registered, "green")
            summary = (
                f"{kept} av {total} {noun(total, 'löfte')} {adjective(total, 'hållen', 'löfte')}"
            )
            late_text = f"{late} {adjective(late, 'försenad', 'löfte')}"
            hints["E-aterkoppling"] = (
                (f"{summary}, {late_text}", "bold red") if late else (summary, "")
            )
        else:
            hints["U-aterkoppling"] = ("inga löften registrerade ännu (p)", "yellow")
        for item_id, field in (
            ("F-villkor", "conditions"),
            ("U-personuppgifter", "personal_data"),
            ("U-aterkoppling", "feedback_description"),
        ):
            filled = bool(getattr(ini, field).strip())
            text = "ifyllt i formuläret" if filled else "inte ifyllt i formuläret"
            hint, style = hints.get(item_id, ("", ""))
            hints[item_id] = (
                f"{hint} · {text}" if hint else text,
                style if filled else "yellow",
            )
        if ini.deadline is None:
            hints["F-tidsfrist"] = ("ingen tidsfrist angiven (e på sidan)", "yellow")
        if evaluation is not None and not evaluation.is_complete:
            hints["E-utvardering"] = (evaluation_status(evaluation), "yellow")
        return hints

    # -- actions --

    @on(PagedRows.Chosen)
    def _chosen(self) -> None:
        self.action_toggle_item()

    @property
    def current(self) -> ChecklistRow | None:
        return self.query_one(ChecklistRows).current

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        row = self.current
        if action == "toggle_item":
            return row is not None and (row.item_id is not None or row.promise is not None)
        if action == "not_applicable":
            return row is not None and row.item_id is not None
        if action == "delete_promise":
            return row is not None and row.promise is not None
        return True

    def action_toggle_item(self) -> None:
        row = self.current
        if row is None:
            return
        promise = row.promise
        if promise is not None and promise.id is not None:
            keep_promise(self.dialog_app, promise, None if promise.done else self.dialog_app.today)
            return
        if row.item_id is None:
            return
        if self._automatic(row):
            return
        ticked = row.entry is not None and row.entry.state is ChecklistState.DONE
        set_item(
            self.dialog_app,
            self.initiative_id,
            row.item_id,
            ChecklistState.NOT_DONE if ticked else ChecklistState.DONE,
        )

    def _automatic(self, row: ChecklistRow) -> bool:
        """Say so, and change nothing, when the data ticks this item."""
        if row.entry is None or not row.entry.automatic or row.item_id is None:
            return False
        self.notify(
            f"”{row.text}” bockas av automatiskt ({AUTOMATIC_ITEMS[row.item_id]}) och kan inte "
            "ändras för hand så länge det gäller.",
            timeout=6,
        )
        return True

    def action_not_applicable(self) -> None:
        row = self.current
        if (
            row is not None
            and row.item_id is not None
            and self.dialog_app.may_write()
            and not self._automatic(row)
        ):
            ask_not_applicable(self.dialog_app, self.initiative_id, row.item_id, row.text)

    def action_add_promise(self) -> None:
        if self.dialog_app.may_write():
            add_promise(self.dialog_app, self.initiative_id)

    def action_delete_promise(self) -> None:
        row = self.current
        if row is None or row.promise is None or row.promise.id is None:
            return
        promise_id, initiative_id = row.promise.id, self.initiative_id
        self.dialog_app.save(
            Save(
                key=promise_key(promise_id),
                write=lambda store: store.delete_feedback_promise(promise_id),
                change=lambda _: touched("feedback", "delete", initiative_id),
                done=lambda _: "Återkopplingslöftet är borttaget.",
            )
        )


# The writes live outside the screen: they finish, and give back what was typed when they
# fail, also when the user has left the checklist meanwhile.


def set_item(
    app: DialogApp,
    initiative_id: int,
    item_id: str,
    state: ChecklistState,
    reason: str = "",
    text: str = "",
) -> None:
    """Tick, untick or set aside one checklist item, in the save worker."""
    try:
        entry = ChecklistEntry(item_id=item_id, state=state, reason=reason)
    except ValidationError as exc:
        app.notify("; ".join(str(e) for e in field_errors(exc)), severity="error")
        return

    def failed(error: UserError) -> None:
        if reason and not isinstance(error, NotFoundError):
            ask_not_applicable(app, initiative_id, item_id, text, reason, f"Sparades inte: {error}")

    app.save(
        Save(
            key=item_key(initiative_id, item_id),
            write=lambda store: store.set_checklist_entry(initiative_id, entry),
            change=lambda _: touched("checklist", "checklist", initiative_id),
            failed=failed,
        )
    )


def ask_not_applicable(
    app: DialogApp, initiative_id: int, item_id: str, text: str, reason: str = "", error: str = ""
) -> None:
    def reasoned(typed: str | None) -> None:
        if typed:
            set_item(app, initiative_id, item_id, ChecklistState.NOT_APPLICABLE, typed, text)

    app.push_screen(
        TextPromptScreen(
            f"Varför är punkten inte aktuell? ”{text}”",
            placeholder="skäl",
            value=reason,
            error=error,
        ),
        reasoned,
    )


def keep_promise(app: DialogApp, promise: FeedbackPromise, done: date | None) -> None:
    promise_id = promise.id or 0
    initiative_id = promise.initiative_id

    def write(store: Store) -> FeedbackPromise:
        return store.set_promise_done(promise_id, done)

    app.save(
        Save(
            key=promise_key(promise_id),
            write=write,
            change=lambda _: touched("feedback", "update", initiative_id),
        )
    )


def add_promise(
    app: DialogApp, initiative_id: int, typed: FeedbackPromise | None = None, error: str = ""
) -> None:
    """Ask for a new promise and save it; a failed save opens the dialog again with it."""

    def added(promise: FeedbackPromise | None) -> None:
        if promise is None:
            return

        def failed(problem: UserError) -> None:
            if not isinstance(problem, NotFoundError):
                add_promise(app, initiative_id, promise, f"Sparades inte: {problem}")

        app.save(
            Save(
                key=("new-promise", initiative_id),
                write=lambda store: store.save_feedback_promise(promise),
                change=lambda _: touched("feedback", "create", initiative_id),
                done=lambda _: "Återkopplingslöftet är sparat.",
                failed=failed,
            )
        )

    app.push_screen(PromiseScreen(initiative_id, typed, error), added)


class PromiseScreen(ModalScreen[FeedbackPromise | None]):
    """A feedback promise: to whom, what, how, and by when."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Avbryt"),
        Binding("ctrl+s", "save", "Spara", priority=True),
        *FOCUS_BINDINGS,
    ]
    DEFAULT_CSS = (
        DIALOG_CSS.format(name="PromiseScreen")
        + """
    PromiseScreen Label { width: 12; }
    PromiseScreen FormInput, PromiseScreen Select { width: 1fr; }
    PromiseScreen #promise-error { color: $text-error; }
    """
    )

    def __init__(
        self, initiative_id: int, typed: FeedbackPromise | None = None, error: str = ""
    ) -> None:
        super().__init__()
        self.initiative_id = initiative_id
        # What was typed before a save failed, and why it failed: given back, not lost.
        self.typed = typed
        self.error = error

    def compose(self) -> ComposeResult:
        typed = self.typed
        with Vertical():
            yield Static(Text("Nytt återkopplingslöfte", "bold"))
            with Horizontal():
                yield Label("Till")
                yield Select(
                    [(Text(a.label), a) for a in Audience],
                    value=typed.audience if typed else Audience.PARTICIPANTS,
                    allow_blank=False,
                    id="audience",
                    compact=True,
                )
            values = {
                "what": typed.what if typed else "",
                "channel": typed.channel if typed else "",
                "due": typed.due.isoformat() if typed else "",
            }
            for name, label, placeholder in (
                ("what", "Vad", "t.ex. sammanfattning av resultatet"),
                ("channel", "Hur", "t.ex. brev, 1177.se, möte"),
                ("due", "Senast", "2027-03-14"),
            ):
                with Horizontal():
                    yield Label(label)
                    yield FormInput(values[name], id=name, placeholder=placeholder, compact=True)
            yield Static(Text(self.error), id="promise-error")
            yield Static(Text("Ctrl+S sparar · Esc avbryter", "dim"))

    def action_save(self) -> None:
        error = self.query_one("#promise-error", Static)
        due_text = self.query_one("#due", FormInput).value
        try:
            due = parse_user_date(due_text, self.app.today)  # type: ignore[attr-defined]
        except DateInputError as exc:
            error.update(Text(f"Senast: {exc}"))
            return
        try:
            promise = FeedbackPromise(
                initiative_id=self.initiative_id,
                # The select has no blank; a promise is to the participants unless chosen.
                audience=self.query_one("#audience", Select).selection or Audience.PARTICIPANTS,
                what=self.query_one("#what", FormInput).value,
                channel=self.query_one("#channel", FormInput).value,
                due=due,
            )
        except ValidationError as exc:
            error.update(Text("; ".join(str(e) for e in field_errors(exc))))
            return
        self.dismiss(promise)
