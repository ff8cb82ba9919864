"""Evaluation entry: the eight questions of the dialogue process, fast with the keyboard.

Every field is kept as a draft when the user leaves it, and after a short pause in typing, so
that nothing typed is lost when the terminal dies; reopening the form restores the draft.
Ctrl+S saves (versioned like initiatives), Ctrl+N saves and moves on to the next dialogue that
lacks an evaluation.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import ValidationError
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Header, Input, Select, Static, TextArea

from dialogtui.changes import Change, touched
from dialogtui.documents import EVALUATION_QUESTIONS as QUESTIONS
from dialogtui.domain import Achieved, Method
from dialogtui.errors import UserError
from dialogtui.models import Evaluation, field_errors
from dialogtui.rules import EVALUATION_QUESTIONS
from dialogtui.screens.base import (
    DRAFT_PAUSE_S,
    UNKNOWN,
    Conflicted,
    DataChanged,
    OneInitiative,
    Save,
    draft_save,
)
from dialogtui.screens.form import FieldRow
from dialogtui.store import ConflictError, NotFoundError, Store
from dialogtui.widgets.fields import FOCUS_BINDINGS, FormInput
from dialogtui.widgets.footer import Footer
from dialogtui.words import term

if TYPE_CHECKING:
    from dialogtui.app import DialogApp

COUNTS = ("participants", "invited")
# The process's own questions, whole and as the summary asks them (seed 000 lines 31-39): cut
# short, question 6 asked something else.
TEXTS = (
    ("effect", f"3. {QUESTIONS[2]}"),
    ("lesson", f"4. {QUESTIONS[3]}"),
)
MORE_TEXTS = (
    ("unspoken", f"6. {QUESTIONS[5]}"),
    ("went_well", f"7. {QUESTIONS[6]}"),
    ("improve", f"8. {QUESTIONS[7]}"),
)


# What the save worker hands back: the saved evaluation (and, for Ctrl+N, the next dialogue
# without a complete one), or the other version that was saved first.
Outcome = tuple[Evaluation, int | None] | Conflicted[Evaluation | None]


def next_without_evaluation(store: Store, ended_before: date, after: int | None) -> int | None:
    """The next ended dialogue, after the one given, whose evaluation is not complete
    (`rules.evaluation_complete`): what Ctrl+N opens."""
    complete = {i for i, e in store.evaluations().items() if e.is_complete}
    return next((i for i in store.ended_in_turn(ended_before, after) if i not in complete), None)


def write_evaluation(store: Store, evaluation: Evaluation, next_before: date | None) -> Outcome:
    """Save; with `next_before`, also find the next ended dialogue that lacks an evaluation."""
    initiative_id = evaluation.initiative_id or 0
    try:
        saved = store.save_evaluation(evaluation)
    except ConflictError as exc:
        return Conflicted(exc, store.evaluation(initiative_id))
    following = next_without_evaluation(store, next_before, initiative_id) if next_before else None
    return saved, following


def saved_text(saved: Evaluation) -> str:
    """What the user is told when an evaluation is saved: whether it now counts as done."""
    if saved.is_complete:
        return "Utvärderingen är sparad och klar."
    return (
        f"Utvärderingen är sparad men ofullständig ({saved.answered} av {EVALUATION_QUESTIONS}"
        " frågor besvarade); den räknas som gjord först när alla är besvarade."
    )


def write_draft(store: Store, initiative_id: int, raw: dict[str, Any] | None, base: int) -> None:
    """Keep what differs from the saved evaluation; an untouched form leaves no draft."""
    if raw is not None:
        store.save_draft(initiative_id, raw, base)
    elif store.draft(initiative_id) is not None:
        store.discard_draft(initiative_id)


class EvaluationScreen(OneInitiative, Screen[None]):
    """The evaluation of one initiative.

    `typed` and `error` give back what was typed when a save failed after the user had left.
    """

    EDITS = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Spara", id="save", priority=True),
        Binding(
            "ctrl+n", "save_and_next", "Spara, nästa utan utvärdering", id="next", priority=True
        ),
        Binding("escape", "leave", "Tillbaka (utkastet sparas)", id="leave"),
        *FOCUS_BINDINGS,
    ]
    DEFAULT_CSS = """
    EvaluationScreen #evaluation { padding: 0 1; }
    EvaluationScreen #evaluation-title { text-style: bold; }
    EvaluationScreen #evaluation-summary { color: $text-error; }
    """

    def __init__(
        self, initiative_id: int, typed: dict[str, Any] | None = None, error: str = ""
    ) -> None:
        super().__init__()
        self.initiative_id: int = initiative_id
        self.base_version = 0
        self._override_version: int | None = None
        self._stored_raw: dict[str, Any] = {}
        # What the stored draft holds, as far as this screen knows: None for no draft, so that
        # leaving a field that changed nothing writes nothing (UNKNOWN: write to be sure).
        self._kept: object = None
        self._given = typed
        self._error = error
        self._draft_timer: Timer | None = None
        self._mounted = False
        # The initiative vanished (a restore, a deletion): the text stays, to be copied.
        self._gone = False

    def compose(self) -> ComposeResult:
        store = self.dialog_app.store
        ini = store.initiative(self.initiative_id)
        stored = store.evaluation(self.initiative_id)
        self.base_version = stored.version if stored else 0
        ev = stored or Evaluation(initiative_id=ini.id, method=ini.method, invited=ini.sample_size)
        yield Header()
        with VerticalScroll(id="evaluation"):
            yield Static(Text(f"Utvärdering: {ini.title}"), id="evaluation-title")
            yield Static("", id="evaluation-summary")
            yield FieldRow(
                "method",
                "1. Typ av dialog",
                Select(
                    [(Text(m.label), m) for m in Method],
                    value=ev.method or ini.method,
                    allow_blank=False,
                    id="method",
                    compact=True,
                ),
            )
            yield FieldRow(
                "participants",
                "2. Antal deltagare",
                FormInput(_text(ev.participants), id="participants", compact=True),
                hint=True,
            )
            yield FieldRow(
                "invited",
                "   Antal inbjudna",
                FormInput(_text(ev.invited), id="invited", compact=True),
            )
            for name, label in TEXTS:
                yield FieldRow(name, label, _area(name, getattr(ev, name)))
            yield FieldRow(
                "achieved",
                f"5. {QUESTIONS[4]}",
                Select(
                    [(Text(a.label), a) for a in Achieved],
                    value=ev.achieved or Select.NULL,
                    prompt="välj ja, delvis eller nej",
                    id="achieved",
                    compact=True,
                ),
            )
            yield FieldRow(
                "achieved_comment",
                "   Kommentar",
                _area("achieved_comment", ev.achieved_comment),
            )
            for name, label in MORE_TEXTS:
                yield FieldRow(name, label, _area(name, getattr(ev, name)))
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Utvärdering"
        store = self.dialog_app.store
        self._stored_raw = self.raw()
        found = store.draft(self.initiative_id) if self._given is None else None
        if self._given is not None:
            self._fill(self._given)
            self.base_version = int(self._given.get("version") or self.base_version)
            self._kept = UNKNOWN
            summary = self.query_one("#evaluation-summary", Static)
            summary.update(Text(f"{self._error} Det du skrev finns kvar här; Ctrl+S sparar."))
        elif found is not None:
            data, base_version, saved_at = found
            self._fill(data)
            self.base_version = base_version
            self._kept = self.raw()
            self.notify(f"Ditt utkast från {saved_at:%Y-%m-%d %H:%M} är återställt.", timeout=5)
        self._show_rate()
        self.query_one("#participants", Input).focus()
        # Filling in the stored values and the draft above is no typing: from now on it is.
        self.call_after_refresh(self._typing_counts)

    def _typing_counts(self) -> None:
        self._mounted = True

    # -- reading and writing the fields --

    def raw(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name in COUNTS:
            data[name] = self.query_one(f"#{name}", Input).value
        for name in ("method", "achieved"):
            value = self.query_one(f"#{name}", Select).value
            data[name] = None if value is Select.NULL else str(value)
        for area in self.query(TextArea):
            data[area.id or ""] = area.text
        return data

    def _fill(self, data: dict[str, Any]) -> None:
        for name in COUNTS:
            self.query_one(f"#{name}", Input).value = str(data.get(name) or "")
        for name, enum in (("method", Method), ("achieved", Achieved)):
            value = data.get(name)
            if value:
                self.query_one(f"#{name}", Select).value = enum(value)
            elif name == "achieved":
                self.query_one(f"#{name}", Select).value = Select.NULL
        for area in self.query(TextArea):
            area.text = str(data.get(area.id or "", ""))

    def build(self) -> tuple[Evaluation | None, dict[str, str]]:
        # After a conflict the user may choose to replace the other version: that choice holds
        # for this sitting only, and is never written into the draft.
        version = (
            self._override_version if self._override_version is not None else self.base_version
        )
        record = self.raw() | {"initiative_id": self.initiative_id, "version": version}
        try:
            return Evaluation.model_validate(record), {}
        except ValidationError as exc:
            return None, {str(e.field or "participants"): str(e) for e in field_errors(exc)}

    def _show_rate(self) -> None:
        evaluation, _ = self.build()
        row = self.query_one("#row-participants", FieldRow)
        rate = evaluation.response_rate if evaluation else None
        row.show_hint(f"svarsfrekvens {rate:.0%}" if rate is not None else "")

    def _keep_draft(self) -> None:
        """Keep what differs from the saved evaluation, in the save worker; an untouched form
        leaves no draft."""
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        if self._gone or self.dialog_app.store.read_only:
            return
        initiative_id, base = self.initiative_id, self.base_version
        if self.dialog_app.is_saving(("evaluation", initiative_id)):
            return  # the evaluation itself is on its way; a failure keeps the text here
        raw = self.raw()
        typed = raw if raw != self._stored_raw else None
        if typed == self._kept:
            return  # the stored draft (or its absence) is what the form holds already
        self._kept = typed

        def failed(_: UserError) -> None:
            self._kept = UNKNOWN  # the next field left tries again

        self.dialog_app.save(
            draft_save(
                ("draft", initiative_id),
                lambda store: write_draft(store, initiative_id, typed, base),
                failed,
            )
        )

    def on_descendant_blur(self) -> None:
        # Each field left is a field kept, whatever happens to the terminal next.
        self._keep_draft()
        _evaluation, errors = self.build()
        for row in self.query(FieldRow):
            row.show_error(errors.get(row.field_name))
        self._show_rate()

    @on(Input.Changed)
    def _count_changed(self) -> None:
        self._show_rate()
        self._typed()

    @on(TextArea.Changed)
    @on(Select.Changed)
    def _typed(self) -> None:
        """Keep the draft after a short pause, so that a field still being typed in is kept
        too: a killed terminal then loses at most the last second."""
        if not self._mounted:
            return
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_PAUSE_S, self._keep_draft)

    def on_data_changed(self, message: DataChanged) -> None:
        if self.concerns(message.change):
            self.reload()

    def reload(self) -> None:
        """Somebody saved: what the user types is never reloaded, but if the initiative has
        gone (a restore, a deletion) the form says so and keeps the text to be copied."""
        if self._gone:
            return
        try:
            self.dialog_app.store.initiative(self.initiative_id)
        except NotFoundError:
            self._initiative_gone()

    def _initiative_gone(self) -> None:
        self._gone = True
        message = (
            "Initiativet finns inte längre i databasen (den har återställts från en "
            "säkerhetskopia, eller någon har tagit bort det), så utvärderingen kan inte sparas. "
            "Det du har skrivit finns kvar här: kopiera det innan du lämnar."
        )
        self.query_one("#evaluation-summary", Static).update(Text(message))
        self.notify(message, title="Initiativet är borta", severity="warning", timeout=10)

    # -- actions --

    def _save(self, and_next: bool) -> None:
        evaluation, errors = self.build()
        for row in self.query(FieldRow):
            row.show_error(errors.get(row.field_name))
        summary = self.query_one("#evaluation-summary", Static)
        if evaluation is None:
            summary.update(Text("Inget sparades: " + "; ".join(errors.values())))
            return
        if evaluation.is_empty:
            summary.update(Text("Inget sparades: besvara minst en av frågorna först."))
            return
        if self._gone:
            self._initiative_gone()
            return
        app = self.dialog_app
        initiative_id = self.initiative_id
        typed = self.raw() | {"version": evaluation.version}
        next_before = app.today if and_next else None

        def here() -> bool:
            return self in app.screen_stack

        def saved(outcome: Outcome) -> None:
            if isinstance(outcome, Conflicted):
                if here():
                    self._conflicted(outcome, evaluation)
                else:
                    reopen(app, initiative_id, typed, str(outcome.error))
                return
            stored, following = outcome
            if not here():
                return  # the user has moved on; the notification said it is saved
            summary.update("")
            self.base_version = stored.version
            self._override_version = None
            self._stored_raw = self.raw()  # saved: leaving now keeps no draft
            self._kept = None  # the save removed the draft
            if not self.on_top:
                return  # something is open over it (help, say): leave that to the user
            if not and_next:
                self.dismiss()
            elif following is None:
                self.notify(
                    f"Alla dialoger som {term('ended')} har en fullständig utvärdering.", timeout=4
                )
                self.dismiss()
            else:
                app.switch_screen(EvaluationScreen(following))

        def failed(error: UserError) -> None:
            if here() and isinstance(error, NotFoundError):
                self._initiative_gone()
            elif here():
                summary.update(Text(f"Sparades inte: {error}"))
            elif not isinstance(error, NotFoundError):  # gone: nothing to open it on again
                reopen(app, initiative_id, typed, f"Sparades inte: {error}")

        if app.save(
            Save(
                key=("evaluation", initiative_id),
                write=lambda store: write_evaluation(store, evaluation, next_before),
                change=lambda outcome: (
                    Change()
                    if isinstance(outcome, Conflicted)
                    else touched("evaluation", "update", initiative_id)
                ),
                done=lambda outcome: (
                    None if isinstance(outcome, Conflicted) else saved_text(outcome[0])
                ),
                saved=saved,
                failed=failed,
            )
        ):
            summary.update(Text("Sparar …"))

    def _conflicted(self, outcome: Conflicted[Evaluation | None], mine: Evaluation) -> None:
        theirs = outcome.theirs
        if theirs is None:  # theirs was removed since: nothing to compare with
            self.query_one("#evaluation-summary", Static).update(Text(str(outcome.error)))
            return
        self.query_one("#evaluation-summary", Static).update("")
        self._conflict(str(outcome.error), theirs, mine)

    def _conflict(self, message: str, theirs: Evaluation, mine: Evaluation) -> None:
        """Show both versions; reload theirs, or keep editing mine and save again to replace."""
        from dialogtui.screens.dialogs import ConflictScreen

        def chosen(choice: str | None) -> None:
            if choice == "reload":
                self.base_version = theirs.version
                self._override_version = None
                self._fill(theirs.model_dump(mode="json"))
                self._stored_raw = self.raw()
                self._keep_draft()  # the same as theirs now: the draft goes
            else:
                self._override_version = theirs.version
                self.notify("Nästa Ctrl+S ersätter den andra versionen med din.", timeout=6)

        self.app.push_screen(ConflictScreen(message, theirs, mine), chosen)

    def action_save(self) -> None:
        self._save(and_next=False)

    def action_save_and_next(self) -> None:
        self._save(and_next=True)

    def action_leave(self) -> None:
        self._keep_draft()
        if not self._gone and self.raw() != self._stored_raw:
            self.notify("Utkastet sparas; det finns kvar nästa gång du öppnar utvärderingen.")
        self.dismiss()


def reopen(app: DialogApp, initiative_id: int, typed: dict[str, Any], error: str) -> None:
    """A save failed after the user left the evaluation: open it again with what was typed."""
    app.push_screen(EvaluationScreen(initiative_id, typed, error))


def _text(value: int | None) -> str:
    return "" if value is None else str(value)


def _area(name: str, text: str) -> TextArea:
    return TextArea(text, id=name, soft_wrap=True, tab_behavior="focus", compact=True)
