"""The region's own settings: the rest period, the panel cap, the to-do list's look-ahead and
blocked periods. The guideline's rules are not settings; the screen says which is which."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from pydantic import ValidationError
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Header, Label, OptionList, Static
from textual.widgets.option_list import Option

from dialogtui.changes import Change, touched
from dialogtui.coordination import (
    HORIZON_KEY,
    PANEL_CAP_KEY,
    REST_DAYS_KEY,
    horizon_days,
    panel_cap,
    rest_days,
)
from dialogtui.dates import DateInputError, format_period, parse_user_date
from dialogtui.errors import UserError
from dialogtui.models import BlockedPeriod, field_errors
from dialogtui.screens.base import DataChanged, DialogAppMixin, Save
from dialogtui.screens.dialogs import DIALOG_CSS
from dialogtui.store import Store
from dialogtui.widgets.fields import FOCUS_BINDINGS, FormInput

if TYPE_CHECKING:
    from dialogtui.app import DialogApp

LIMITS = {
    REST_DAYS_KEY: (0, 365, "Vilotid"),
    PANEL_CAP_KEY: (1, 100, "Tak för Hallandspanelen"),
    HORIZON_KEY: (1, 365, "Att göra, dagar framåt"),
}
REGION_NOTE = "Regionens egna val, inte riktlinjens:"
GUIDELINE_NOTE = (
    "Enligt riktlinjen och dialogprocessen, inga inställningar: tidsfrist för varje "
    "undersökning · ersättning bara vid dialogmöten och bara från hälso- och sjukvården "
    "(enheterna i data/units.toml) · checklistan (data/checklist.toml) · utvärderingens åtta "
    "frågor."
)


def parse_limit(key: str, text: str) -> int:
    """A whole number within the setting's bounds, or a Swedish message naming the field."""
    low, high, label = LIMITS[key]
    try:
        value = int(text.strip())
    except ValueError:
        raise ValueError(f"{label}: måste vara ett heltal mellan {low} och {high}") from None
    if not low <= value <= high:
        raise ValueError(f"{label}: måste vara ett heltal mellan {low} och {high}")
    return value


class SettingsScreen(DialogAppMixin, Screen[None]):
    """Enter saves a number; Ctrl+N adds a blocked period, Delete removes the highlighted one.

    Control keys rather than letters: the number fields would take a plain letter as typing.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Tillbaka", id="back"),
        Binding("ctrl+n", "add_period", "Ny spärrad period", id="add-period"),
        Binding("delete", "delete_period", "Ta bort period", id="delete-period"),
        *FOCUS_BINDINGS,
    ]
    DEFAULT_CSS = """
    SettingsScreen Vertical { padding: 0 1; height: auto; }
    SettingsScreen Horizontal { height: auto; }
    SettingsScreen Label { width: 45; }
    SettingsScreen FormInput { width: 10; }
    SettingsScreen #settings-error { color: $text-error; }
    SettingsScreen #periods { height: 1fr; border: round $panel; }
    SettingsScreen #guideline-note { color: $text-muted; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        store = self.dialog_app.store
        yield Header()
        with Vertical():
            yield Static(Text(REGION_NOTE, "bold"))
            with Horizontal():
                yield Label("Vilotid mellan dialoger (dagar)")
                yield FormInput(str(rest_days(store)), id=REST_DAYS_KEY, compact=True)
            with Horizontal():
                yield Label("Hallandspanelen: panelenkäter på 12 månader")
                yield FormInput(str(panel_cap(store)), id=PANEL_CAP_KEY, compact=True)
            with Horizontal():
                yield Label("Att göra: tidsfrister och starter, dagar")
                yield FormInput(str(horizon_days(store)), id=HORIZON_KEY, compact=True)
            yield Static("", id="settings-error")
            yield Static(Text("Spärrade perioder (ingen dialog bör pågå då)", "bold"))
        yield OptionList(id="periods")
        yield Static(Text(GUIDELINE_NOTE), id="guideline-note")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Regionens inställningar"
        self.show_periods()
        self.query_one(f"#{REST_DAYS_KEY}", FormInput).focus()

    def show_periods(self) -> None:
        periods = self.query_one("#periods", OptionList)
        highlighted = periods.highlighted
        periods.clear_options()
        periods.add_options(
            Option(Text(f"{p.name}  {format_period(p.start, p.end)}"), id=str(p.id))
            for p in self.dialog_app.store.blocked_periods()
        )
        if periods.option_count:
            periods.highlighted = min(highlighted or 0, periods.option_count - 1)

    def on_data_changed(self, message: DataChanged) -> None:
        if message.change.touches("blocked_period"):
            self.show_periods()

    def on_descendant_blur(self, event: object) -> None:
        widget = getattr(event, "widget", None)
        if isinstance(widget, FormInput) and widget.id in LIMITS:
            self.save_limit(widget)

    def save_limit(self, widget: FormInput) -> None:
        key = widget.id or ""
        error = self.query_one("#settings-error", Static)
        try:
            value = parse_limit(key, widget.value)
        except ValueError as exc:
            error.update(Text(str(exc)))
            return
        error.update("")
        label = LIMITS[key][2]

        def write(store: Store) -> bool:
            if store.int_setting(key, -1) == value:
                return False  # left unchanged: nothing to write, nothing to audit
            store.set_setting(key, str(value))
            return True

        def failed(problem: UserError) -> None:
            if self.is_attached:  # the number stays in its field; say why it is not saved
                error.update(Text(f"{label}: sparades inte: {problem}"))

        self.dialog_app.save(
            Save(
                key=("setting", key),
                write=write,
                change=lambda changed: touched("setting", "update", None) if changed else Change(),
                done=lambda changed: f"{label}: {value}" if changed else None,
                failed=failed,
                coalesce=True,  # typed twice quickly: the last value is the one meant
            )
        )

    def action_leave(self) -> None:
        # A number typed and left with Esc is meant, not abandoned.
        for key in LIMITS:
            self.save_limit(self.query_one(f"#{key}", FormInput))
        self.app.pop_screen()

    def action_add_period(self) -> None:
        add_blocked_period(self.dialog_app)

    def action_delete_period(self) -> None:
        periods = self.query_one("#periods", OptionList)
        if periods.highlighted is None:
            self.notify("Markera en period i listan först (Tab dit).", timeout=3)
            return
        period_id = int(periods.get_option_at_index(periods.highlighted).id or 0)
        self.dialog_app.save(
            Save(
                key=("blocked_period", period_id),
                write=lambda store: store.delete_blocked_period(period_id),
                change=lambda _: touched("blocked_period", "delete", None),
                done=lambda _: "Perioden är borttagen.",
            )
        )


def add_blocked_period(app: DialogApp, typed: BlockedPeriod | None = None, error: str = "") -> None:
    """Ask for a blocked period and save it; a failed save opens the dialog again with it."""

    def added(period: BlockedPeriod | None) -> None:
        if period is None:
            return
        app.save(
            Save(
                key=("new-blocked-period",),
                write=lambda store: store.save_blocked_period(period),
                change=lambda _: touched("blocked_period", "create", None),
                done=lambda _: f"Spärrad period: {period.name}",
                failed=lambda problem: add_blocked_period(app, period, f"Sparades inte: {problem}"),
            )
        )

    app.push_screen(BlockedPeriodScreen(typed, error), added)


class BlockedPeriodScreen(ModalScreen[BlockedPeriod | None]):
    """Name, first and last day of a period when no dialogue should run."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Avbryt"),
        Binding("ctrl+s", "save", "Spara", priority=True),
        *FOCUS_BINDINGS,
    ]
    DEFAULT_CSS = (
        DIALOG_CSS.format(name="BlockedPeriodScreen")
        + """
    BlockedPeriodScreen Label { width: 14; }
    BlockedPeriodScreen #period-error { color: $text-error; }
    """
    )

    def __init__(self, typed: BlockedPeriod | None = None, error: str = "") -> None:
        super().__init__()
        # What was typed before a save failed, and why it failed: given back, not lost.
        self.typed = typed
        self.error = error

    def compose(self) -> ComposeResult:
        typed = self.typed
        values = {
            "name": typed.name if typed else "",
            "start": typed.start.isoformat() if typed else "",
            "end": typed.end.isoformat() if typed else "",
        }
        with Vertical():
            yield Static(Text("Ny spärrad period", "bold"))
            for name, label, placeholder in (
                ("name", "Namn", "t.ex. Sommaruppehåll"),
                ("start", "Första dag", "2027-06-21"),
                ("end", "Sista dag", "2027-08-08"),
            ):
                with Horizontal():
                    yield Label(label)
                    yield FormInput(values[name], id=name, placeholder=placeholder, compact=True)
            yield Static(Text(self.error), id="period-error")
            yield Static(Text("Ctrl+S sparar · Esc avbryter", "dim"))

    def action_save(self) -> None:
        error = self.query_one("#period-error", Static)
        values = {n: self.query_one(f"#{n}", FormInput).value for n in ("name", "start", "end")}
        try:
            dates = {
                n: parse_user_date(values[n], self.app.today)  # type: ignore[attr-defined]
                for n in ("start", "end")
            }
        except DateInputError as exc:
            error.update(Text(f"Datum: {exc}"))
            return
        try:
            period = BlockedPeriod(name=values["name"], start=dates["start"], end=dates["end"])
        except ValidationError as exc:
            error.update(Text("; ".join(str(e) for e in field_errors(exc))))
            return
        self.dismiss(period)
