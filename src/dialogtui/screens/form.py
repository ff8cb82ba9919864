"""Registration ("anmälan") and editing of an initiative: every planning field of the guideline.

Keyboard only: Tab/Shift+Tab between fields, Enter moves on from a one-line field, Ctrl+S saves,
Esc leaves (and asks first when something changed). Nothing is saved while anything is invalid,
and a save over somebody else's newer version shows both versions instead of overwriting.

What is typed is kept as the user's draft (when a field is left, and after a short pause in
typing) until it is saved or thrown away: reopening the same form brings it back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, cast

from pydantic import ValidationError
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.suggester import SuggestFromList
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import (
    Button,
    Checkbox,
    Header,
    Input,
    Label,
    Select,
    SelectionList,
    Static,
    TextArea,
)

from dialogtui import catalog, registration, rules
from dialogtui.changes import Change, touched
from dialogtui.dates import DateInputError, format_day, parse_user_date
from dialogtui.domain import InfluenceLevel, Method, Municipality, Stage, diff
from dialogtui.errors import UserError
from dialogtui.models import Initiative, TargetGroup
from dialogtui.process import influence_mismatch
from dialogtui.screens.base import (
    DRAFT_PAUSE_S,
    UNKNOWN,
    Conflicted,
    DataChanged,
    Gated,
    OneInitiative,
    Save,
    draft_save,
)
from dialogtui.store import ConflictError, FormDraft, NotFoundError, Store
from dialogtui.units import choices
from dialogtui.widgets.fields import FOCUS_BINDINGS, FormInput, Note, TickBox
from dialogtui.widgets.footer import Footer
from dialogtui.words import term

if TYPE_CHECKING:
    pass

# What a save of the form comes back with: the initiative as saved, the other version saved
# first, or what the stage gate found in the way.
Outcome = Initiative | Conflicted[Initiative] | Gated
ONE_LINE = registration.ONE_LINE
DATES = registration.DATES
NUMBERS = registration.NUMBERS
TEXTS = (
    ("purpose", "Vad vill ni uppnå med dialogen?"),
    ("conditions", "Vilka villkor gäller för invånarnas påverkan och delaktighet?"),
    ("context", "Aktuell fråga, strategi eller prioritering som mynnar ut i dialogen"),
    ("questions", "Vilka frågor behöver svar från invånarna?"),
    ("use_of_answers", "Hur ska svaren användas?"),
    ("reach", "Var och hur når ni målgruppen?"),
    ("marketing", "Hur marknadsförs dialogen?"),
    ("representativeness", "Hur säkerställs ett relevant underlag i målgruppen?"),
)
# What the respondents are told during the dialogue (seed 002 lines 29-30).
RESPONDENT_TEXTS = (
    ("personal_data", "Hur används de svarandes personuppgifter och svar?"),
    ("feedback_description", "Hur och när får de svarande återkoppling?"),
)
CHECKBOXES = ("uses_panel", "orders_invanartjanster")
LABELS = registration.LABELS


def _options(pairs: Iterable[tuple[str, Any]]) -> list[tuple[Text, Any]]:
    return [(Text(label), value) for label, value in pairs]


def deadline_label(method: Method | None) -> str:
    """ "Tidsfrist (valfri)", but not for a survey: every survey has one (`rules.needs_deadline`),
    and "valfri" above "Tidsfrist saknas: varje undersökning ska ha en tidsfrist" contradicts it."""
    if method is not None and rules.needs_deadline(method):
        return LABELS["deadline"]
    return LABELS["deadline"] + " (valfri)"


class FieldRow(Vertical):
    """A label and the field's widget on one line, then its hint and its Swedish error."""

    DEFAULT_CSS = """
    FieldRow { height: auto; }
    FieldRow > Horizontal { height: auto; }
    FieldRow .field-label { width: 26; color: $text-muted; padding: 0 1 0 0; }
    FieldRow Input, FieldRow Select, FieldRow TextArea { width: 1fr; }
    FieldRow TextArea { height: 3; }
    FieldRow > .field-error { color: $text-error; padding: 0 0 0 26; display: none; }
    FieldRow.-invalid > .field-error { display: block; }
    FieldRow > .field-hint { color: $text-muted; padding: 0 0 0 26; display: none; }
    FieldRow.-hinted > .field-hint { display: block; }
    """

    def __init__(self, name: str, label: str, *children: Widget, hint: bool = False) -> None:
        super().__init__(id=f"row-{name}")
        self.field_name = name
        self._label = label
        self._children = children
        self._hint = hint

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label(self._label, classes="field-label")
            yield from self._children
        if self._hint:
            yield Note(classes="field-hint")
        yield Note(classes="field-error")

    def show_error(self, message: str | None) -> None:
        self.set_class(bool(message), "-invalid")
        self.query_one(".field-error", Note).say(message or "")

    def show_hint(self, text: str) -> None:
        self.set_class(bool(text), "-hinted")
        self.query_one(".field-hint", Note).say(text)


class TargetGroupEditor(Vertical):
    """One target group: name, municipalities, age range, segments, and its readable label."""

    DEFAULT_CSS = """
    TargetGroupEditor { height: auto; border: round $panel; padding: 0 1; margin: 0 0 1 0; }
    TargetGroupEditor > .group-title { text-style: bold; }
    TargetGroupEditor Horizontal { height: auto; }
    TargetGroupEditor Label { width: 12; color: $text-muted; }
    TargetGroupEditor .group-name { width: 1fr; }
    TargetGroupEditor .age-min, TargetGroupEditor .age-max { width: 8; margin: 0 2 0 0; }
    TargetGroupEditor SelectionList { height: auto; max-height: 10; width: 1fr; }
    TargetGroupEditor .lists Label { width: 1fr; }
    TargetGroupEditor .field-error { color: $text-error; }
    """

    def __init__(self, group: TargetGroup | None, number: int) -> None:
        super().__init__(classes="group")
        self.group = group or TargetGroup()
        self.number = number
        self.removing = False

    def compose(self) -> ComposeResult:
        g = self.group
        yield Note(f"Målgrupp {self.number}: {g.label}", classes="group-title")
        with Horizontal():
            yield Label("Namn")
            yield FormInput(
                g.name,
                classes="group-name",
                compact=True,
                placeholder="valfritt; annars beskrivs gruppen av valen nedan",
            )
        with Horizontal():
            yield Label("Ålder från")
            # Selected when entered: typing replaces the 0 and 120 instead of appending ("12019").
            yield FormInput(str(g.age_min), classes="age-min", compact=True, select_on_focus=True)
            yield Label("till")
            yield FormInput(str(g.age_max), classes="age-max", compact=True, select_on_focus=True)
        with Horizontal(classes="lists"):
            yield Label("Kommuner (inga = hela Halland)")
            yield Label("Segment (inga = alla invånare)")
        with Horizontal(classes="lists"):
            yield SelectionList[str](
                *[(Text(m.value), m.value, m in g.municipalities) for m in Municipality],
                classes="municipalities",
                compact=True,
            )
            yield SelectionList[str](
                *[(Text(s), s, s in g.segments) for s in catalog.segments()],
                classes="segments",
                compact=True,
            )
        yield Button("Ta bort målgruppen", classes="remove-group", variant="error", compact=True)
        yield Note(classes="field-error")

    def raw(self) -> dict[str, Any]:
        return {
            "name": self.query_one(".group-name", Input).value,
            "age_min": self.query_one(".age-min", Input).value.strip() or "0",
            "age_max": self.query_one(".age-max", Input).value.strip() or "120",
            "municipalities": list(self.query_one(".municipalities", SelectionList).selected),
            "segments": list(self.query_one(".segments", SelectionList).selected),
        }

    def show_title(self, label: str) -> None:
        self.query_one(".group-title", Note).say(f"Målgrupp {self.number}: {label}")

    def show_error(self, message: str | None) -> None:
        self.query_one(".field-error", Note).say(message or "")


def _text_rows(ini: Initiative | None, texts: tuple[tuple[str, str], ...]) -> Iterator[FieldRow]:
    """A labelled text area for each (field, question) of `texts`, holding what `ini` has."""
    for name, placeholder in texts:
        area = TextArea(
            getattr(ini, name) if ini else "",
            id=name,
            soft_wrap=True,
            tab_behavior="focus",
            placeholder=placeholder,
            compact=True,
        )
        yield FieldRow(name, LABELS[name], area)


class InitiativeFormScreen(OneInitiative, Screen[int | None]):
    """Returns the saved initiative's id, or None when the user leaves without saving.

    `typed` and `error` give back what was typed when a save failed after the user had left.
    """

    EDITS = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Spara", id="save", priority=True),
        Binding("escape", "leave", "Tillbaka", id="leave"),
        Binding("ctrl+g", "add_group", "Ny målgrupp", id="add-group"),
        # Shown only while the form holds a draft it restored (`check_action`).
        Binding("ctrl+r", "discard_draft", "Kasta utkastet", id="discard-draft", priority=True),
        *FOCUS_BINDINGS,
    ]
    DEFAULT_CSS = """
    InitiativeFormScreen #form { padding: 0 1; }
    InitiativeFormScreen .section { text-style: bold; color: $accent; margin: 1 0 0 0; }
    InitiativeFormScreen #summary { color: $text-error; height: auto; padding: 0 1; display: none; }
    InitiativeFormScreen #summary.-shown { display: block; }
    InitiativeFormScreen #save-error { color: $text-error; height: auto; padding: 0 1; }
    InitiativeFormScreen #gone { color: $text-warning; height: auto; padding: 0 1; display: none; }
    InitiativeFormScreen #gone.-shown { display: block; }
    InitiativeFormScreen #draft-note { color: $text-warning; height: auto; padding: 0 1; }
    InitiativeFormScreen #draft-note { display: none; }
    InitiativeFormScreen #draft-note.-shown { display: block; }
    InitiativeFormScreen #add-group { margin: 0 0 1 0; }
    InitiativeFormScreen #groups { height: auto; }
    """

    def __init__(
        self,
        initiative: Initiative | None,
        today: date,
        *,
        typed: Initiative | None = None,
        error: str = "",
        draft: dict[str, Any] | None = None,
        creator: Callable[[Initiative], Initiative] | None = None,
        source: str = "",
    ) -> None:
        """`initiative` to edit, or None to register a new one.

        A new registration can start from a `draft` (what a filled template holds, as `raw`
        returns it) and be saved by `creator`, in the save worker, instead of the store's
        create_initiative: the inbox saves it with its file's name and files it away. `source`
        names the file in the title. `typed` and `error` give back what was typed when a save
        failed after the user had left the form.
        """
        super().__init__()
        self.original = initiative
        # What others see this session editing; None while a new one is being registered.
        self.initiative_id = initiative.id if initiative else None
        self.today = today
        self._typed = typed
        self._error = error
        self.draft = draft
        self.creator = creator
        self.source = source
        shown = typed or initiative
        self.base_version = shown.version if shown else 0
        self._touched: set[str] = set()
        self._initial_raw: dict[str, Any] | None = None
        self._saving = False
        # The reason given to pass the stage gate, kept with the save in the history.
        self._note = ""
        # The initiative being edited is gone (a restore, or someone deleted it): what was typed
        # stays, and saving makes it a new initiative after asking.
        self._gone = False
        # This user's draft of the form (issue 15). The calendar's registration and each edit
        # keep one; a registration from the inbox does not: its file stays in the inbox.
        self._drafts = creator is None and not source
        self._draft_id = self.initiative_id
        # Looked for once, when the form is first built; none when the form is given its text.
        self._found: FormDraft | None = None
        self._looked = typed is not None or draft is not None or not self._drafts
        self._restored_at: str | None = None  # when the draft shown was kept, as the user reads it
        self._untouched: dict[str, Any] | None = None  # the saved state's fields; None: unknown
        self._kept: object = None  # what the stored draft holds, as far as the form knows
        self._draft_base = self.base_version
        self._draft_timer: Timer | None = None
        self._drafting = False

    @property
    def is_new(self) -> bool:
        return self.original is None

    # -- layout --

    def compose(self) -> ComposeResult:
        ini = self._typed or self.original
        filling = self._filling()
        yield Header()
        if self._error:
            yield Static(
                Text(f"{self._error} Det du skrev finns kvar; Ctrl+S försöker igen."),
                id="save-error",
            )
        yield Static(id="summary")
        yield Static(id="gone")
        yield Static(id="draft-note")
        with VerticalScroll(id="form"):
            yield Static("Grunduppgifter", classes="section")
            units = choices(self.dialog_app.registered_units, retired=False)
            for name in ONE_LINE:
                value = getattr(ini, name) if ini else ""
                suggester = SuggestFromList(units, case_sensitive=False) if name == "unit" else None
                yield FieldRow(
                    name,
                    LABELS[name],
                    FormInput(value, id=name, suggester=suggester, compact=True),
                    hint=name == "unit",
                )
            yield FieldRow(
                "method",
                "Metod",
                Select(
                    _options((m.label, m) for m in Method),
                    id="method",
                    value=ini.method if ini else Select.NULL,
                    prompt="välj metod",
                    compact=True,
                ),
            )
            yield FieldRow(
                "influence",
                "Påverkansnivå (delaktighet)",
                Select(
                    _options((m.label, m) for m in InfluenceLevel),
                    id="influence",
                    value=ini.influence if ini else InfluenceLevel.CONSULT,
                    allow_blank=False,
                    compact=True,
                ),
                hint=True,
            )
            yield FieldRow(
                "uses_panel",
                "Invånarpanelen",
                TickBox(
                    "Använder invånarpanelen (Hallandspanelen)",
                    ini.uses_panel if ini else False,
                    id="uses_panel",
                    compact=True,
                ),
            )
            yield FieldRow(
                "orders_invanartjanster",
                "Invånartjänster",
                TickBox(
                    "Beställd hos Invånartjänster e-hälsa",
                    ini.orders_invanartjanster if ini else False,
                    id="orders_invanartjanster",
                    compact=True,
                ),
            )
            if ini is not None and not self.is_new:
                yield FieldRow(
                    "stage",
                    "Skede",
                    Select(
                        _options((s.label, s) for s in Stage),
                        id="stage",
                        value=ini.stage,
                        allow_blank=False,
                        compact=True,
                    ),
                )
            yield Static("Tid", classes="section")
            for name in DATES:
                value = getattr(ini, name) if ini else None
                yield FieldRow(
                    name,
                    deadline_label(ini.method if ini else None)
                    if name == "deadline"
                    else LABELS[name],
                    FormInput(
                        value.isoformat() if value else "",
                        id=name,
                        placeholder="2027-03-14, 14/3 2027 eller 20270314",
                        compact=True,
                    ),
                    hint=True,
                )
            yield Static("Syfte och planering", classes="section")
            yield from _text_rows(ini, TEXTS)
            yield Static("Till de svarande under dialogen", classes="section")
            yield from _text_rows(ini, RESPONDENT_TEXTS)
            yield Static("Målgrupper", classes="section")
            drafted = len(filling.get("target_groups") or []) if filling else 0
            yield Vertical(
                *[
                    TargetGroupEditor(g, n)
                    for n, g in enumerate(ini.target_groups if ini and filling is None else [], 1)
                ],
                *[TargetGroupEditor(None, n) for n in range(1, drafted + 1)],
                id="groups",
            )
            yield Button("Lägg till målgrupp (Ctrl+G)", id="add-group", compact=True)
            yield Static("Urval och ersättning", classes="section")
            yield FieldRow(
                "sample_size",
                "Urval (antal inbjudna, valfritt)",
                FormInput(
                    str(ini.sample_size) if ini and ini.sample_size is not None else "",
                    id="sample_size",
                    compact=True,
                ),
            )
            comp = ini.compensation if ini else None
            yield FieldRow(
                "amount_sek",
                "Belopp i kr (valfritt)",
                FormInput(str(comp.amount_sek) if comp else "", id="amount_sek", compact=True),
            )
            yield FieldRow(
                "payer",
                LABELS["payer"],
                FormInput(
                    comp.payer if comp else "",
                    id="payer",
                    placeholder="beställaren, om inget annat anges",
                    compact=True,
                ),
                hint=True,
            )
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = term("register") if self.is_new else f"Redigera: {self.original.title}"  # type: ignore[union-attr]
        if self.source:
            self.sub_title = f"{term('register')} från {self.source}"
        if self.draft is not None:
            self._apply_draft(self.draft)
        else:
            self._restore_draft()
        for name in DATES:
            self._show_date_hint(name)
        self._panel_by_method()
        self._show_advice()
        self.query_one("#title", Input).focus()
        self.call_after_refresh(self._remember_initial)
        if self.draft is not None:
            self.call_after_refresh(self._show_draft_errors)

    def _apply_draft(self, draft: dict[str, Any]) -> None:
        """Fill the fields from a draft; what no field can hold is told, never dropped unseen."""
        lost: list[str] = []

        def put(field: Input, value: object) -> None:
            field.value = str(value or "")
            field.cursor_position = len(field.value)  # as typed: the cursor after the text

        for name in (*ONE_LINE, *DATES, *NUMBERS, "payer"):
            put(self.query_one(f"#{name}", Input), draft.get(name))
        for name, _ in (*TEXTS, *RESPONDENT_TEXTS):
            self.query_one(f"#{name}", TextArea).text = str(draft.get(name) or "")
        for name, enum in (("method", Method), ("influence", InfluenceLevel)):
            value = draft.get(name)
            if isinstance(value, enum):
                self.query_one(f"#{name}", Select).value = value
            elif value not in (None, ""):
                lost.append(f"{LABELS[name]} ”{value}”")
        stage = draft.get("stage")
        if isinstance(stage, Stage) and self.query("#stage"):  # an edit's draft
            self.query_one("#stage", Select).value = stage
        for name in CHECKBOXES:
            ticked = draft.get(name, False)
            self.query_one(f"#{name}", Checkbox).value = ticked is True
            if not isinstance(ticked, bool):
                lost.append(f"{LABELS[name]} ”{ticked}”")
        self._panel_by_method()
        groups = draft.get("target_groups") or []
        for editor, group in zip(self._group_editors(), groups, strict=False):
            put(editor.query_one(".group-name", Input), group.get("name"))
            put(editor.query_one(".age-min", Input), group.get("age_min"))
            put(editor.query_one(".age-max", Input), group.get("age_max"))
            choices = {
                "municipalities": {m.value for m in Municipality},
                "segments": set(catalog.segments()),
            }
            for kind, offered in choices.items():
                listing = editor.query_one(f".{kind}", SelectionList)
                for member in group.get(kind) or []:
                    if member in offered:
                        listing.select(member)
                    else:
                        lost.append(f"Målgrupp {editor.number}: {LABELS[kind]} ”{member}”")
        if lost:
            self.notify(
                "Kunde inte föras in i formuläret: " + "; ".join(lost),
                severity="warning",
                timeout=10,
            )

    def _show_draft_errors(self) -> None:
        errors = self.build()[1]
        self._touched.update(errors)
        self.show_errors(errors, only_touched=False)

    def _remember_initial(self) -> None:
        # Given back after a failed save, the form holds unsaved work from the start.
        self._initial_raw = {} if self._typed is not None else self.raw()
        self._start_drafts()

    # -- the user's draft: kept until saved or thrown away --

    @property
    def _drafts_here(self) -> bool:
        """Whether the form keeps its draft now: not once the initiative it edited is gone (a
        save as new must not replace the user's draft of a new registration)."""
        current = self.original.id if self.original is not None else None
        return self._drafts and not self._gone and current == self._draft_id

    def _filling(self) -> dict[str, Any] | None:
        """What fills the fields instead of the saved initiative: a template's values, or this
        user's draft of the form (looked for once, when the form is first built)."""
        if not self._looked:
            self._looked = True
            self._found = self.dialog_app.store.form_draft(self._draft_id)
        if self.draft is not None:
            return self.draft
        return self._found.data if self._found is not None else None

    def _restore_draft(self) -> None:
        """Fill the fields from the draft found when the form was built, and say so; for an
        edit, say too when the initiative has changed since (the save then shows both)."""
        self._stop_draft_timer()
        self._drafting = False  # filling in is no typing; `_start_drafts` starts again
        found, self._found = self._found, None
        self._restored_at = None
        if found is None:
            return
        self._apply_draft(_from_json(found.data))
        self.base_version = found.base_version
        kept = found.saved_at
        when = f"{kept:%H:%M}" if kept.date() == self.today else f"{kept:%Y-%m-%d %H:%M}"
        self._restored_at = when
        text = (
            f"Utkast från {when} återställt: det du skrev men inte sparade. Ctrl+S sparar, "
            "Ctrl+R kastar utkastet."
        )
        original = self.original
        if original is not None and original.version != found.base_version:
            text += (
                f" Obs: ”{original.title}” har ändrats sedan utkastet (senast av "
                f"{original.updated_by}); Ctrl+S visar båda versionerna innan något skrivs över."
            )
        note = self.query_one("#draft-note", Static)
        note.update(Text(text))
        note.add_class("-shown")
        self.notify(f"Utkast från {when} återställt.", timeout=5)

    def _start_drafts(self) -> None:
        """From now on what is typed is kept, measured against the fields as they are now."""
        if not self._drafts:
            return
        restored = self._restored_at is not None
        # With a draft or a failed save's text in the fields the saved state is not on screen:
        # then all the form holds counts as typed.
        self._untouched = None if restored or self._typed is not None else self._initial_raw
        self._draft_base = self.base_version
        self._drafting = True
        if restored:
            self._kept = self.raw()
        elif self._typed is not None:
            self._kept = UNKNOWN
        if self._kept is not None:
            self._keep_draft()  # reloaded or thrown away: the stored draft may not fit any more
        self.refresh_bindings()

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    @on(SelectionList.SelectedChanged)
    def _typing(self) -> None:
        """Keep the draft after a short pause too, so that a field still being typed in is
        kept: a killed terminal then loses at most the last second."""
        if not self._drafting:
            return
        self._stop_draft_timer()
        self._draft_timer = self.set_timer(DRAFT_PAUSE_S, self._keep_draft)

    def _stop_draft_timer(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None

    def _keep_draft(self) -> None:
        """Keep what the form holds, in the save worker; an untouched form leaves no draft."""
        self._stop_draft_timer()
        if not self._drafting or self._saving or not self._drafts_here:
            return
        if self.dialog_app.store.read_only:
            return
        raw = self.raw()
        typed = raw if self._untouched is None or raw != self._untouched else None
        if typed != self._kept:
            self._queue_draft(typed)

    def _queue_draft(self, typed: dict[str, Any] | None) -> None:
        self._kept = typed
        initiative_id, base = self._draft_id, self._draft_base

        def failed(_: UserError) -> None:
            self._kept = UNKNOWN  # the next field left tries again

        self.dialog_app.save(
            draft_save(
                ("form-draft", initiative_id),
                lambda store: write_form_draft(store, initiative_id, typed, base),
                failed,
            )
        )

    def _throw_draft_away(self) -> None:
        """The user leaves without saving: no draft is kept, and the one kept before goes."""
        self._stop_draft_timer()
        self._drafting = False
        if self._kept is not None and self._drafts_here and not self.dialog_app.store.read_only:
            self._queue_draft(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "discard_draft":
            return self._restored_at is not None  # shown only while a restored draft is
        return True

    def action_discard_draft(self) -> None:
        """Throw the restored draft away and show what is saved (nothing, for a new one)."""
        when = self._restored_at
        if when is None:
            return
        from dialogtui.screens.dialogs import ConfirmScreen

        async def answered(yes: bool | None) -> None:
            if not yes or self._restored_at is None:
                return
            self._restored_at = None
            self._typed, self._error = None, ""
            self.base_version = self.original.version if self.original else 0
            self._touched.clear()
            self._drafting = False
            await self.recompose()
            self.on_mount()  # `_start_drafts` then removes the stored draft
            self.notify("Utkastet är kastat; formuläret visar det som är sparat.", timeout=4)

        then = (
            "formuläret visar det som är sparat"
            if self.original is not None
            else "du börjar om med ett tomt formulär"
        )
        self.app.push_screen(
            ConfirmScreen(
                f"Kasta utkastet från {when}? Det du skrev försvinner och {then}.",
                yes="Kasta utkastet",
                no="Behåll det",
            ),
            answered,
        )

    # -- reading the form --

    def raw(self) -> dict[str, Any]:
        """Every field's value as typed, for dirty checks and validation."""
        data: dict[str, Any] = {}
        for name in (*ONE_LINE, *DATES, *NUMBERS, "payer"):
            data[name] = self.query_one(f"#{name}", Input).value
        for name, _ in (*TEXTS, *RESPONDENT_TEXTS):
            data[name] = self.query_one(f"#{name}", TextArea).text
        for name in ("method", "influence", "stage"):
            found = self.query(f"#{name}")
            if found:
                value = cast(Select[Any], found.first()).value
                data[name] = None if value is Select.NULL else value
        for name in CHECKBOXES:
            data[name] = self.query_one(f"#{name}", Checkbox).value
        data["target_groups"] = [editor.raw() for editor in self._group_editors()]
        return data

    def _group_editors(self) -> list[TargetGroupEditor]:
        # An editor being removed is still in the DOM for a moment, half taken apart.
        return [e for e in self.query(TargetGroupEditor) if not e.removing]

    @property
    def is_dirty(self) -> bool:
        return self._initial_raw is not None and self.raw() != self._initial_raw

    def build(self) -> tuple[Initiative | None, dict[str, str]]:
        """The initiative the form describes, or the Swedish errors per field."""
        identity = (self.original.id, self.base_version) if self.original is not None else None
        initiative, problems = registration.build(self.raw(), self.today, identity)
        errors: dict[str, str] = {}
        for problem in problems:
            errors.setdefault(problem.key, str(problem))
        return initiative, errors

    def show_errors(self, errors: dict[str, str], only_touched: bool) -> None:
        for row in self.query(FieldRow):
            message = errors.get(row.field_name)
            if only_touched and row.field_name not in self._touched:
                message = None
            row.show_error(message)
        for index, editor in enumerate(self._group_editors()):
            message = errors.get(f"group-{index}")
            editor.show_error(message)
            if message is None:
                with contextlib.suppress(ValidationError):
                    editor.show_title(TargetGroup.model_validate(editor.raw()).label)
        # The summary appears on a refused save and then follows the fixes until none are left.
        summary = self.query_one("#summary", Static)
        shown = bool(errors) and (summary.has_class("-shown") or not only_touched)
        summary.set_class(shown, "-shown")
        if shown:
            summary.update(
                Text(f"Kan inte spara – {len(errors)} fel: " + "; ".join(errors.values()))
            )

    # -- live feedback --

    def _show_date_hint(self, name: str) -> None:
        row = self.query_one(f"#row-{name}", FieldRow)
        text = self.query_one(f"#{name}", Input).value.strip()
        if not text:
            method = self.query_one("#method", Select).value
            missing = (
                rules.deadline_missing(method, None)
                if name == "deadline" and isinstance(method, Method)
                else None
            )
            row.show_hint(f"⚠ {missing}" if missing else "")
            return
        try:
            row.show_hint(f"→ {format_day(parse_user_date(text, self.today))}")
        except DateInputError:
            row.show_hint("")

    def _show_advice(self) -> None:
        """Point out what the rules advise without refusing: an unknown unit, another payer."""
        unit = self.query_one("#unit", Input).value
        note = rules.unit_note(unit)
        self.query_one("#row-unit", FieldRow).show_hint(f"⚠ {note}" if note else "")
        note = rules.payer_note(unit, self.query_one("#payer", Input).value)
        self.query_one("#row-payer", FieldRow).show_hint(f"⚠ {note}" if note else "")

    @on(Select.Changed, "#method")
    def _method_changed(self) -> None:
        self._panel_by_method()
        method = self.query_one("#method", Select).value
        label = deadline_label(method if isinstance(method, Method) else None)
        self.query_one("#row-deadline", FieldRow).query_one(".field-label", Label).update(label)
        self._show_date_hint("deadline")

    def _panel_by_method(self) -> None:
        """A panel survey uses the panel: the box is ticked and stays so (`rules`)."""
        method = self.query_one("#method", Select).value
        box = self.query_one("#uses_panel", Checkbox)
        forced = isinstance(method, Method) and rules.panel_by_method(method)
        if forced:
            box.value = True
        box.disabled = forced
        box.tooltip = "En panelenkät använder alltid invånarpanelen." if forced else None

    @on(Select.Changed, "#method, #influence")
    def _influence_hint(self) -> None:
        """Say so when the degree of influence does not fit the method; the user may keep it."""
        method = self.query_one("#method", Select).value
        influence = self.query_one("#influence", Select).value
        row = self.query_one("#row-influence", FieldRow)
        if isinstance(method, Method) and isinstance(influence, InfluenceLevel):
            mismatch = influence_mismatch(method, influence)
            row.show_hint(f"⚠ {mismatch}" if mismatch else "")

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        if event.input.id in DATES:
            self._show_date_hint(event.input.id)

    def on_descendant_blur(self, event: Any) -> None:
        widget = event.widget
        name = widget.id
        for ancestor in widget.ancestors:
            if isinstance(ancestor, FieldRow):
                name = ancestor.field_name
                break
            if isinstance(ancestor, TargetGroupEditor):
                name = None
                break
        if name:
            self._touched.add(name)
        self.show_errors(self.build()[1], only_touched=True)
        self._show_advice()
        self._keep_draft()  # each field left is kept, whatever happens to the terminal next

    @on(Button.Pressed, "#add-group")
    async def action_add_group(self) -> None:
        groups = self.query_one("#groups", Vertical)
        editor = TargetGroupEditor(None, len(self._group_editors()) + 1)
        await groups.mount(editor)
        editor.query_one(".group-name", Input).focus()
        editor.scroll_visible()

    @on(Button.Pressed, ".remove-group")
    def _remove_group(self, event: Button.Pressed) -> None:
        editor = next(a for a in event.button.ancestors if isinstance(a, TargetGroupEditor))
        editor.removing = True
        editor.remove()
        self.call_after_refresh(self._renumber_groups)

    def _renumber_groups(self) -> None:
        for number, editor in enumerate(self._group_editors(), 1):
            editor.number = number
        self.show_errors(self.build()[1], only_touched=True)

    # -- the initiative vanishing under the form --

    def on_data_changed(self, message: DataChanged) -> None:
        if self.concerns(message.change):
            self.reload()

    def reload(self) -> None:
        """Somebody saved: the form never reloads what the user types, but it checks that the
        initiative it edits is still there."""
        if self.original is None or self.original.id is None or self._gone:
            return
        try:
            self.dialog_app.store.initiative(self.original.id)
        except NotFoundError:
            self._initiative_gone()

    def _initiative_gone(self, ask: bool = False) -> None:
        self._gone = True
        self._saving = False
        title = self.original.title if self.original else ""
        banner = self.query_one("#gone", Static)
        banner.update(
            Text(
                f"”{title}” finns inte längre i databasen (den har återställts från en "
                "säkerhetskopia, eller någon har tagit bort initiativet). Det du har skrivit "
                "finns kvar: Ctrl+S sparar det som ett nytt initiativ, eller kopiera texten."
            )
        )
        banner.add_class("-shown")
        self.notify(
            f"”{title}” finns inte längre; det du skrivit finns kvar.",
            title="Initiativet är borta",
            severity="warning",
            timeout=8,
        )
        if ask:
            self._ask_to_save_as_new()

    def _ask_to_save_as_new(self) -> None:
        from dialogtui.screens.dialogs import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                # From here on the form registers a new initiative with what was typed.
                self.original = None
                self.base_version = 0
                self._gone = False
                self.query_one("#gone", Static).remove_class("-shown")
                self.sub_title = f"{term('register')} (kopia av ett borttaget initiativ)"
                self.action_save()

        self.app.push_screen(
            ConfirmScreen(
                "Initiativet du redigerar finns inte längre i databasen. Spara det du har "
                "skrivit som ett nytt initiativ? (Nej: du stannar kvar i formuläret och kan "
                "kopiera texten.)",
                yes="Spara som nytt",
                no="Stanna kvar",
            ),
            answered,
        )

    # -- leaving and saving --

    def action_leave(self) -> None:
        if self._saving:
            # It is being saved: leaving loses nothing, and a failure brings the form back.
            self.notify("Sparas i bakgrunden; du får besked när det är klart.", timeout=4)
            self.dismiss(None)
            return
        if not self.is_dirty:
            self._keep_draft()
            if self._kept is not None:
                self.notify("Utkastet finns kvar till nästa gång du öppnar formuläret.", timeout=4)
            self.dismiss(None)
            return
        from dialogtui.screens.dialogs import ConfirmScreen

        def answered(leave: bool | None) -> None:
            if leave:
                self._throw_draft_away()  # left without saving: what was typed is not wanted
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen(
                "Du har ändringar som inte är sparade. Lämna formuläret utan att spara?",
                yes="Lämna utan att spara",
                no="Stanna kvar",
            ),
            answered,
        )

    def action_save(self) -> None:
        if self._saving:
            return
        if self._gone:
            self._ask_to_save_as_new()
            return
        initiative, errors = self.build()
        self._touched.update(errors)
        self.show_errors(errors, only_touched=False)
        if initiative is None:
            self.notify(
                "Inget sparades: rätta fälten som är markerade.", severity="error", timeout=5
            )
            self._focus_first_error(errors)
            return
        self._note = ""
        # A changed stage passes the stage key's gate, in the save worker (`write_initiative`).
        self.dialog_app.confirm_before_save(initiative, self._save)

    def _focus_first_error(self, errors: dict[str, str]) -> None:
        """Put the cursor in the first faulty field, in the order the form shows them."""
        for row in self.query(FieldRow):
            if row.field_name in errors:
                row.query(f"#{row.field_name}").first().focus()
                return
        for index, editor in enumerate(self._group_editors()):
            if f"group-{index}" in errors:
                editor.query_one(".group-name", Input).focus()
                return

    def _save(self, initiative: Initiative) -> None:
        app = self.dialog_app
        before = self.original
        today = self.today

        creator, source, note = self.creator, self.source, self._note
        # The save removes the draft in its own transaction; a draft kept meanwhile would not.
        drafted = self._drafts_here
        self._stop_draft_timer()
        # The same gate as the stage key: a changed stage lists what stands in its way and asks
        # for a reason, which the history keeps with the save (none asked once one is given).
        gate_from = (
            before.stage
            if before is not None and initiative.stage is not before.stage and not note
            else None
        )

        def here() -> bool:
            return self in app.screen_stack

        def again(error: str) -> None:
            # A save failed after the user had left: the form comes back with what was typed.
            form = InitiativeFormScreen(
                before, today, typed=initiative, error=error, creator=creator, source=source
            )
            app.push_screen(form)

        def saved(outcome: Outcome) -> None:
            if isinstance(outcome, Gated):
                if here():
                    self._saving = False
                    self._ask_reason(initiative, outcome.problems)
                else:
                    again(
                        f"Sparades inte: ”{initiative.title}” är inte redo för "
                        f"{initiative.stage.label}. Spara igen för att se vad som saknas och "
                        "skriva ett skäl för att ändå gå vidare."
                    )
                return
            if isinstance(outcome, Conflicted):
                if here():
                    self._conflict(outcome.error, outcome.theirs, initiative)
                else:
                    again(str(outcome.error))
                return
            self._saving = False
            self._drafting = False  # saved, and the draft with it: leaving keeps nothing
            if self.on_top:
                self.dismiss(outcome.id)
            elif here():
                self.leave()

        def failed(error: UserError) -> None:
            if here() and isinstance(error, NotFoundError) and before is not None:
                self._initiative_gone(ask=True)  # edited away under it: save as new?
            elif here():
                self._saving = False
            else:
                again(f"Sparades inte: {error}")

        def change(outcome: Outcome) -> Change:
            if isinstance(outcome, Conflicted | Gated):
                return Change()
            if before is None:
                return touched("initiative", "create", outcome.id)
            fields = diff(before.model_dump(), outcome.model_dump())
            return touched("initiative", "update", outcome.id, fields)

        self._saving = app.save(
            Save(
                key=("initiative", initiative.id),
                write=lambda store: write_initiative(
                    store, initiative, creator, note, gate_from, today, drafted
                ),
                change=change,
                done=lambda outcome: (
                    None
                    if isinstance(outcome, Conflicted | Gated)
                    else f"Sparade ”{outcome.title}”."
                ),
                saved=saved,
                failed=failed,
            )
        )

    def _ask_reason(self, initiative: Initiative, problems: list[str]) -> None:
        """The stage gate stood in the way: ask for the reason to go on anyway, and save with it
        (its overlaps were already shown)."""
        from dialogtui.screens.initiative import gate_prompt

        def overridden(reason: str | None) -> None:
            if reason:
                self._note = f"Åsidosatt: {reason}"
                self._save(initiative)

        self.app.push_screen(gate_prompt(initiative, initiative.stage, problems), overridden)

    def _conflict(self, error: ConflictError, theirs: Initiative, mine: Initiative) -> None:
        from dialogtui.screens.dialogs import ConflictScreen

        self._saving = False

        async def chosen(choice: str | None) -> None:
            if choice == "reload":
                self.original = theirs
                self._typed, self._error = None, ""
                self.base_version = theirs.version
                self._touched.clear()
                await self.recompose()
                self.on_mount()
            else:
                # The user has seen their version; the next save deliberately replaces it.
                self.base_version = theirs.version
                self.notify(
                    "Du redigerar vidare. Nästa Ctrl+S ersätter den andra versionen.",
                    timeout=6,
                )

        self.app.push_screen(ConflictScreen(str(error), theirs, mine), chosen)


def write_initiative(
    store: Store,
    initiative: Initiative,
    creator: Callable[[Initiative], Initiative] | None = None,
    note: str = "",
    gate_from: Stage | None = None,
    today: date | None = None,
    drafted: bool = False,
) -> Outcome:
    """Create or update, in the save worker; a conflict comes back with what the other saved.
    `note` goes with an update into the history (the reason a stage gate was passed);
    `gate_from`, the stage the edit moves from, has the stage gate passed first (`Gated`);
    `drafted`: the user's draft of this form goes in the same transaction as the save."""
    if gate_from is not None:
        from dialogtui.screens.initiative import gated_write

        return gated_write(
            store,
            initiative,
            initiative.stage,
            lambda s: write_initiative(s, initiative, creator, note, drafted=drafted),
            gate_from,
            today,
        )
    try:
        if initiative.id is None and creator is not None:
            try:
                return creator(initiative)
            except OSError as exc:  # a creator that files the registration away
                from dialogtui.inbox import os_message

                raise UserError(f"Inget sparades: {os_message(exc)}") from exc
        if drafted:
            # Nested writes join one transaction: the save and the end of its draft land
            # together, so a kill in between can neither lose the text nor keep a spent draft.
            with store.write():
                saved = _create_or_update(store, initiative, note)
                store.discard_form_draft(initiative.id)
            return saved
        return _create_or_update(store, initiative, note)
    except ConflictError as exc:
        return Conflicted(exc, store.initiative(initiative.id or 0))


def _create_or_update(store: Store, initiative: Initiative, note: str) -> Initiative:
    if initiative.id is None:
        return store.create_initiative(initiative)
    return store.update_initiative(initiative, note)


def write_form_draft(
    store: Store, initiative_id: int | None, raw: dict[str, Any] | None, base: int
) -> None:
    """Keep what the form holds as the user's draft; None (an untouched form) leaves none."""
    if raw is not None:
        store.save_form_draft(initiative_id, raw, base)
    elif store.form_draft(initiative_id) is not None:
        store.discard_form_draft(initiative_id)


def _from_json(data: dict[str, Any]) -> dict[str, Any]:
    """A kept draft as the form's `raw` gave it: its choices were stored as their values."""
    decoded = dict(data)
    for name, enum in (("method", Method), ("influence", InfluenceLevel), ("stage", Stage)):
        value = decoded.get(name)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                decoded[name] = enum(value)
    return decoded
