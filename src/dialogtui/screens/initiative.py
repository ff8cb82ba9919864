"""One initiative's own page: every field, the process and who does what, checklist state,
overlaps, evaluation, feedback promises and the change history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, TypeVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from dialogtui import history
from dialogtui.changes import Change, touched
from dialogtui.dates import format_period
from dialogtui.documents import (
    initiative_summary_markdown,
    public_feedback_markdown,
    safe_file_name,
)
from dialogtui.domain import FIELD_LABELS, PLANNING_FIELDS, RESPONDENT_FIELDS, AuditEntry, Stage
from dialogtui.errors import UserError
from dialogtui.fileio import documents_folder
from dialogtui.models import Initiative
from dialogtui.presence import presence_line
from dialogtui.process import duties, influence_mismatch, progress_label, stage_problems
from dialogtui.rules import advice, evaluation_status, public_feedback_missing
from dialogtui.screens.base import DataChanged, Gated, OneInitiative, Save
from dialogtui.screens.dialogs import TextPromptScreen
from dialogtui.store import ConflictError, NotFoundError, Store
from dialogtui.widgets.footer import Footer
from dialogtui.words import adjective, count, term

if TYPE_CHECKING:
    from dialogtui.app import DialogApp
    from dialogtui.coordination import OverlapState

T = TypeVar("T")


def section(title: str) -> Text:
    return Text(f"\n{title}", style="bold underline")


def describe_audit(entry: AuditEntry, initiative: Initiative | None = None) -> Text:
    """One line of history: when, who, what, and the changed fields."""
    what, changes = history.describe(entry, initiative)
    text = Text()
    text.append(entry.at.strftime("%Y-%m-%d %H:%M"), "dim")
    text.append(f" {entry.user} ", "bold")
    text.append(what)
    if changes:
        text.append(f": {changes}")
    if entry.note:
        text.append(f" ({entry.note})", "italic")
    return text


def gate(
    store: Store,
    ini: Initiative,
    target: Stage,
    origin: Stage | None = None,
    today: date | None = None,
) -> list[str]:
    """The stage gate (`process.stage_problems`) with what the store knows of the initiative."""
    ident = ini.id or 0
    return stage_problems(
        ini,
        target,
        store.checklist(ident),
        store.evaluation(ident),
        store.feedback_promises(ident),
        origin=origin,
        today=today,
    )


def gate_prompt(
    ini: Initiative, target: Stage, problems: list[str], reason: str = "", error: str = ""
) -> TextPromptScreen:
    """What stands in the way of a stage, and a question for the reason to go on anyway;
    `reason` and `error` give back what was typed when saving it failed."""
    listing = "\n".join(f"• {problem}" for problem in problems[:12])
    more = f"\n… och {len(problems) - 12} till" if len(problems) > 12 else ""
    # The question first: a long list scrolls, and the question must stay in sight.
    return TextPromptScreen(
        f"”{ini.title}” är inte redo för skedet {target.label}. Skriv ett skäl för att ändå gå "
        f"vidare (sparas i historiken), eller Esc.\n\nDet som saknas:\n{listing}{more}",
        placeholder="skäl",
        value=reason,
        error=error,
    )


def overlap_summary(state: OverlapState | None, initiative: Initiative) -> RenderableType:
    """The overlap part of an initiative's page."""
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


class InitiativeScreen(OneInitiative, Screen[None]):
    """Read-only overview; `e` edits, `s` moves the stage forward."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Tillbaka", id="back"),
        Binding("e", "edit", "Redigera", id="edit"),
        Binding("s", "next_stage", "Nästa skede", id="next-stage"),
        Binding("k", "checklist", "Checklista", id="checklist"),
        Binding("u", "evaluate", "Utvärdering", id="evaluate"),
        Binding("a", "public_feedback", "Vi frågade–ni svarade–vi gjorde", id="public", show=False),
        Binding("m", "export_public", "Återkoppling som Markdown", id="export-public", show=False),
        Binding("d", "export_summary", "Sammanfattning som Markdown", id="summary", show=False),
        Binding("i", "cancel_initiative", "Ställ in", id="cancel", show=False),
        Binding("o", "app.show_overlaps", "Alla överlapp", id="overlaps", show=False),
    ]
    DEFAULT_CSS = """
    InitiativeScreen #page { padding: 0 1; }
    """

    def __init__(self, initiative_id: int) -> None:
        super().__init__()
        self.initiative_id: int = initiative_id
        self.initiative: Initiative | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="page"):
            yield Static(id="body")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#page").focus()
        # The page shows the overlap check's answer and who else has it open.
        self.watch(self.app, "overlap_state", self._app_state_changed, init=False)
        self.watch(self.app, "others", self._app_state_changed, init=False)

    def _app_state_changed(self) -> None:
        self.reload()

    def on_data_changed(self, message: DataChanged) -> None:
        if self.concerns(message.change):
            self.reload()

    def reload(self) -> None:
        if not self.query("#body"):
            return  # not composed yet: on_mount loads it, so early news has nothing to update
        try:
            self.initiative = self.dialog_app.store.initiative(self.initiative_id)
        except NotFoundError as exc:
            self.notify(str(exc), severity="error")
            self.leave()
            return
        self.sub_title = self.initiative.title
        self.query_one("#body", Static).update(self.render_page(self.initiative))
        self.refresh_bindings()

    def render_page(self, ini: Initiative) -> RenderableType:
        store = self.dialog_app.store
        today = self.dialog_app.today
        parts: list[RenderableType] = []
        title = Text(ini.title, style="bold")
        title.append(f"  [{ini.stage.label}]", "reverse")
        parts.append(title)
        others = presence_line(self.dialog_app.others_on(self.initiative_id), store.user)
        if others:
            # Advisory: two may still edit at once; the later save then meets a conflict.
            parts.append(Text(f"● {others}", style="yellow"))

        facts = Table.grid(padding=(0, 2))
        facts.add_column(style="dim", no_wrap=True)
        facts.add_column()
        period = f"{ini.start.isoformat()} – {ini.end.isoformat()} ({count(ini.days, 'dag')})"
        rows = [
            ("Beställare", ini.unit),
            ("Kontaktperson", ini.contact),
            (term("owner"), ini.owner),
            ("Metod", ini.method.label),
            ("Påverkansnivå", ini.influence.label),
            ("Invånarpanelen", "ja (Hallandspanelen)" if ini.uses_panel else "nej"),
            (
                "Invånartjänster",
                "engagerade (invånarpanelen)"
                if ini.uses_panel
                else "beställt av dem (datainsamling eller urval)"
                if ini.orders_invanartjanster
                else "inte beställt: beställaren gör hela processen",
            ),
            ("Period", period),
            ("Tidsfrist", ini.deadline.isoformat() if ini.deadline else "–"),
            ("Urval", str(ini.sample_size) if ini.sample_size is not None else "–"),
            (
                "Ersättning",
                f"{ini.compensation.amount_sek} kr per deltagare, betalas av "
                f"{ini.compensation.payer or 'beställaren'}"
                if ini.compensation
                else "ingen",
            ),
        ]
        for label, value in rows:
            facts.add_row(label, Text(value or "–"))
        parts.append(facts)
        mismatch = influence_mismatch(ini.method, ini.influence)
        if mismatch:
            parts.append(Text(f"⚠ {mismatch}", style="yellow"))
        payer = ini.compensation.payer if ini.compensation else ""
        if ini.stage not in (Stage.CLOSED, Stage.CANCELLED):  # nothing left to act on
            for note in advice(ini, payer):
                parts.append(Text(f"⚠ {note.message}", style="yellow"))
        promises = store.feedback_promises(ini.id)
        if ini.stage in (Stage.REGISTERED, Stage.PLANNING):
            missing = public_feedback_missing(promises)
            if missing:
                parts.append(
                    Text(f"⚠ {missing} Lägg till ett löfte (p i checklistan, k).", "yellow")
                )

        parts.append(section("Målgrupper"))
        if ini.target_groups:
            for group in ini.target_groups:
                line = Text(f"• {group.label}")
                if group.name:
                    line.append(f" ({group.description})", "dim")
                parts.append(line)
        else:
            parts.append(Text("Ingen målgrupp angiven.", style="dim"))

        parts.append(section("Syfte och planering"))
        for field in PLANNING_FIELDS:
            value = getattr(ini, field)
            parts.append(Text(FIELD_LABELS[field], style="dim"))
            parts.append(Text(value or "–"))

        parts.append(section("Till de svarande under dialogen"))
        for field in RESPONDENT_FIELDS:
            value = getattr(ini, field)
            parts.append(Text(FIELD_LABELS[field], style="dim"))
            parts.append(Text(value or "–"))

        parts.append(section("Process"))
        stages = Text()
        for stage in list(Stage)[:-1]:
            style = "bold reverse" if stage is ini.stage else "dim"
            stages.append(f" {stage.label} ", style)
            stages.append("→" if stage is not Stage.CLOSED else "")
        if ini.stage is Stage.CANCELLED:
            stages.append("  inställd", "bold reverse")
        parts.append(stages)
        tasks = Table.grid(padding=(0, 2))
        tasks.add_column(style="bold", no_wrap=True)
        tasks.add_column()
        answers = store.checklist(ini.id or 0)
        for duty in duties(ini):
            entry = answers.get(duty.id)
            mark = "[x]" if entry is not None and entry.state.value == "done" else "[ ]"
            tasks.add_row(duty.who, Text(f"{mark} {duty.task}"))
        parts.append(tasks)

        parts.append(section("Checklista (k)"))
        parts.append(Text(progress_label(ini, answers)))
        parts.append(self._coordination_item(ini))

        parts.append(section("Överlapp"))
        parts.append(overlap_summary(self.dialog_app.overlap_state, ini))

        parts.append(section("Till allmänheten: vi frågade – ni svarade – vi gjorde (a, m)"))
        public = store.public_feedback(ini.id or 0)
        if public.is_empty:
            parts.append(Text("Inte skriven ännu.", style="dim"))
        for label, value in (
            ("Vi frågade", public.asked),
            ("Ni svarade", public.answered),
            ("Vi gjorde", public.did),
        ):
            if value:
                parts.append(Text(label, style="dim"))
                parts.append(Text(value))

        parts.append(section("Återkopplingslöften"))
        if not promises:
            parts.append(Text("Inga återkopplingslöften registrerade.", style="dim"))
        for promise in promises:
            line = Text(f"• till {promise.audience.label}: {promise.what or '–'}")
            line.append(f" ({promise.channel})" if promise.channel else "")
            if promise.done:
                line.append(f"  klar {promise.done.isoformat()}", "green")
            elif promise.is_overdue(today):
                line.append(f"  FÖRSENAD, skulle vara klar {promise.due.isoformat()}", "bold red")
            else:
                line.append(f"  senast {promise.due.isoformat()}")
            parts.append(line)

        parts.append(section("Utvärdering (u)"))
        evaluation = store.evaluation(ini.id or 0)
        if evaluation is None:
            ended = ini.end < today
            parts.append(
                Text(
                    "Ingen utvärdering ännu" + (" – dialogen har avslutats." if ended else "."),
                    style="bold" if ended else "dim",
                )
            )
        else:
            status = evaluation_status(evaluation)
            parts.append(Text(status, style="green" if evaluation.is_complete else "bold yellow"))
            grid = Table.grid(padding=(0, 2))
            grid.add_column(style="dim", no_wrap=True)
            grid.add_column()
            rate = evaluation.response_rate
            grid.add_row(
                "Deltagare",
                Text(
                    f"{evaluation.participants if evaluation.participants is not None else '–'}"
                    + (f" av {evaluation.invited} ({rate:.0%})" if rate is not None else "")
                ),
            )
            grid.add_row(
                term("achieved"), Text(evaluation.achieved.label if evaluation.achieved else "–")
            )
            grid.add_row("Viktigaste lärdom", Text(evaluation.lesson or "–"))
            parts.append(grid)

        parts.append(section("Historik"))
        parts += [describe_audit(change, ini) for change in store.audit_log(ini.id, limit=50)]
        return Group(*parts)

    def _coordination_item(self, ini: Initiative) -> Text:
        """Checklist item F-samordning, answered by the overlap check itself."""
        state = self.dialog_app.overlap_state
        text = Text("F-samordning, avstämd mot andra initiativ: ")
        if state is None:
            return text.append("beräknas …", "dim")
        ident = ini.id or 0
        open_count = state.open_count(ident) + len(state.open_blocked_for(ident))
        coordinated = len(state.coordinated_for(ident))
        if open_count:
            return text.append(
                f"{count(open_count, 'överlapp', 'öppen')} (o visar alla)", "bold red"
            )
        done = (
            f"inga öppna överlapp ({coordinated} {adjective(coordinated, 'samordnad', 'överlapp')})"
            if coordinated
            else "inga överlapp"
        )
        return text.append(done, "green")

    # -- actions --

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        ini = self.initiative
        if action == "next_stage":
            return ini is not None and ini.stage.next() is not None
        if action == "cancel_initiative":
            return ini is not None and ini.stage not in (Stage.CLOSED, Stage.CANCELLED)
        return True

    def action_edit(self) -> None:
        if self.initiative is not None:
            self.dialog_app.edit_initiative(self.initiative)

    def action_next_stage(self) -> None:
        ini = self.initiative
        following = ini.stage.next() if ini else None
        if ini is None or following is None or not self.dialog_app.may_write():
            return
        # The gate is read in the save worker, in turn after the saves asked for before it: a
        # tick still waiting for a colleague's lock counts, and the UI never waits for it.
        change_stage(self.dialog_app, ini, following, gated=True)

    def action_evaluate(self) -> None:
        self.dialog_app.open_evaluation(self.initiative_id)

    def action_checklist(self) -> None:
        self.dialog_app.open_checklist(self.initiative_id)

    def action_public_feedback(self) -> None:
        from dialogtui.screens.public_feedback import edit_public_feedback

        if self.dialog_app.may_write():
            feedback = self.dialog_app.store.public_feedback(self.initiative_id)
            edit_public_feedback(self.dialog_app, feedback)

    def action_export_summary(self) -> None:
        ini = self.initiative
        if ini is None:
            return
        initiative_id = self.initiative_id

        def produce(store: Store) -> str:
            return initiative_summary_markdown(
                ini,
                store.checklist(initiative_id),
                store.evaluation(initiative_id),
                store.feedback_promises(initiative_id),
            )

        self._ask_where("sammanfattningen", safe_file_name(ini.title, ini.id, ".md"), produce)

    def action_export_public(self) -> None:
        ini = self.initiative
        if ini is None:
            return
        initiative_id = self.initiative_id

        def produce(store: Store) -> str:
            return public_feedback_markdown(ini, store.public_feedback(initiative_id))

        name = safe_file_name(ini.title, ini.id, "-aterkoppling.md")
        self._ask_where("återkopplingen", name, produce)

    def _ask_where(self, what: str, name: str, produce: Callable[[Store], str]) -> None:
        """Ask where to write a document, suggesting the documents folder beside the database
        (never the working directory, which may be anywhere, or not writable at all).

        The text is made when it is written, in turn after any save still on its way, so that
        it shows what was just saved."""
        suggestion = documents_folder(self.dialog_app.store.path) / name
        app = self.dialog_app

        def chosen(answer: str | None) -> None:
            if answer:
                app.write_document(Path(answer), name, produce)

        self.app.push_screen(
            TextPromptScreen(
                f"Spara {what} som Markdown (bara du kan läsa filen). Enter sparar, Esc avbryter.",
                placeholder="fil eller mapp",
                value=str(suggestion),
            ),
            chosen,
        )

    def action_cancel_initiative(self) -> None:
        from dialogtui.screens.dialogs import ConfirmScreen

        ini = self.initiative
        if ini is None or not self.dialog_app.may_write():
            return
        app = self.dialog_app

        def answered(yes: bool | None) -> None:
            if yes:
                change_stage(app, ini, Stage.CANCELLED)

        self.app.push_screen(
            ConfirmScreen(f"Ställa in ”{ini.title}”?", yes="Ställ in", no="Avbryt"), answered
        )


def ask_override(
    app: DialogApp,
    ini: Initiative,
    following: Stage,
    problems: list[str],
    reason: str = "",
    error: str = "",
) -> None:
    """Ask for the reason to move on although the stage's gate lists what is missing."""

    def overridden(typed: str | None) -> None:
        if typed:
            change_stage(app, ini, following, f"Åsidosatt: {typed}", problems, typed)

    app.push_screen(gate_prompt(ini, following, problems, reason, error), overridden)


def gated_write(
    store: Store,
    ini: Initiative,
    stage: Stage,
    write: Callable[[Store], T],
    origin: Stage | None = None,
    today: date | None = None,
) -> T | Gated:
    """Pass the stage gate, then write; or write nothing and say what stands in the way.

    Run in the save worker, after the saves asked for before it (the gate reads the checklist
    they may be ticking), so the stage key and the form never read the gate on the UI thread.
    """
    problems = gate(store, ini, stage, origin, today)
    return Gated(problems) if problems else write(store)


def change_stage(
    app: DialogApp,
    ini: Initiative,
    stage: Stage,
    note: str = "",
    problems: list[str] | None = None,
    reason: str = "",
    gated: bool = False,
) -> None:
    """Move an initiative to a stage, in the save worker; a typed reason survives a failure.

    `gated`: pass the stage gate first (the stage key); what stands in the way is then listed,
    and a reason asked for, instead of the move."""
    initiative_id = ini.id or 0

    def failed(error: UserError) -> None:
        if isinstance(error, ConflictError | NotFoundError):
            # Someone else changed or removed it: show what is there now, not the same question.
            app.data_changed(Change(frozenset({initiative_id})))
        elif reason:
            ask_override(app, ini, stage, problems or [], reason, f"Sparades inte: {error}")

    def move(store: Store) -> Initiative:
        return store.set_stage(initiative_id, stage, ini.version, note)

    def write(store: Store) -> Initiative | Gated:
        return gated_write(store, ini, stage, move, today=app.today) if gated else move(store)

    def saved(outcome: Initiative | Gated) -> None:
        if isinstance(outcome, Gated):
            ask_override(app, ini, stage, outcome.problems)

    app.save(
        Save(
            key=("stage", initiative_id),
            write=write,
            change=lambda outcome: (
                Change()
                if isinstance(outcome, Gated)
                else touched("initiative", "stage", initiative_id, ["stage"])
            ),
            done=lambda outcome: (
                None if isinstance(outcome, Gated) else f"Skede: {ini.stage.label} → {stage.label}"
            ),
            saved=saved,
            failed=failed,
        )
    )
