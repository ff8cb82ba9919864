"""The dialogue process (seed "Dialogprocess") and the guideline's checklist, applied to one
initiative: who does what, what is left to do, and what a stage change requires. Pure logic."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Protocol

from dialogtui import catalog, rules
from dialogtui.catalog import ChecklistTemplateItem
from dialogtui.domain import ChecklistState, InfluenceLevel, Method, Stage
from dialogtui.words import join_or

if TYPE_CHECKING:
    from dialogtui.models import ChecklistEntry, Evaluation, FeedbackPromise, Initiative

INVANARTJANSTER = "Invånartjänster"
ORDERER = "Beställaren"


@dataclass(frozen=True, slots=True)
class Responsibility:
    id: str
    who: str
    task: str


_COMMON_START = (
    Responsibility(
        "P-forankra", ORDERER, "Förankra genomförandet hos projektägare eller linjechef"
    ),
    Responsibility("P-planera", f"{ORDERER} och {INVANARTJANSTER}", "Planera dialogen tillsammans"),
)
_SURVEY = (
    Responsibility("P-tidsfrist", INVANARTJANSTER, "Fastställ tidsfrist för undersökningen"),
    Responsibility("P-datainsamling", INVANARTJANSTER, "Genomför datainsamlingen"),
    Responsibility("P-resultat", INVANARTJANSTER, "Leverera resultat till beställaren"),
    Responsibility(
        "P-aterkoppling-deltagare", INVANARTJANSTER, "Återkoppla resultat till deltagarna"
    ),
    Responsibility("P-aterkoppling-allmanhet", INVANARTJANSTER, "Återkoppla till allmänheten"),
)
_MEETING = (
    Responsibility("P-urval", INVANARTJANSTER, "Leverera urval"),
    Responsibility("P-genomfora", ORDERER, "Genomför dialogen"),
    Responsibility("P-aterkoppling-deltagare", ORDERER, "Återkoppla till deltagarna"),
    Responsibility(
        "P-rapportera", ORDERER, "Återkoppla resultat och utvärdering till Invånartjänster"
    ),
    Responsibility("P-aterkoppling-allmanhet", INVANARTJANSTER, "Återkoppla till allmänheten"),
    Responsibility("P-folja-upp", INVANARTJANSTER, "Följ upp dialogen"),
)
_OTHER = (
    Responsibility("P-genomfora", ORDERER, "Genomför dialogen"),
    Responsibility("P-aterkoppling-deltagare", ORDERER, "Återkoppla till deltagarna"),
    Responsibility(
        "P-rapportera", ORDERER, "Rapportera resultat och utvärdering till koordinatören"
    ),
)
_PANEL = Responsibility(
    "P-bestallning", ORDERER, "Lämna beställning till Invånartjänster e-hälsa (invånarpanelen)"
)
_ORDER = Responsibility("P-bestallning", ORDERER, "Lämna beställning till Invånartjänster e-hälsa")
# Without Invånartjänster (no panel, no order to them) the orderer does their part alone; the
# steps are the same, with the orderer's name and without the hand-overs between the two.
_OWN_START = (
    Responsibility(
        "P-forankra", ORDERER, "Förankra genomförandet hos projektägare eller linjechef"
    ),
    Responsibility("P-planera", ORDERER, "Planera dialogen"),
)
_OWN_SURVEY = (
    Responsibility("P-tidsfrist", ORDERER, "Fastställ tidsfrist för undersökningen"),
    Responsibility("P-datainsamling", ORDERER, "Genomför datainsamlingen"),
    Responsibility("P-resultat", ORDERER, "Sammanställ resultatet"),
    Responsibility("P-aterkoppling-deltagare", ORDERER, "Återkoppla resultat till deltagarna"),
    Responsibility("P-aterkoppling-allmanhet", ORDERER, "Återkoppla till allmänheten"),
    Responsibility(
        "P-rapportera", ORDERER, "Rapportera resultat och utvärdering till koordinatören"
    ),
)
_OWN_MEETING = (
    Responsibility("P-urval", ORDERER, "Ta fram urval"),
    Responsibility("P-genomfora", ORDERER, "Genomför dialogen"),
    Responsibility("P-aterkoppling-deltagare", ORDERER, "Återkoppla till deltagarna"),
    Responsibility(
        "P-rapportera", ORDERER, "Rapportera resultat och utvärdering till koordinatören"
    ),
    Responsibility("P-aterkoppling-allmanhet", ORDERER, "Återkoppla till allmänheten"),
    Responsibility("P-folja-upp", ORDERER, "Följ upp dialogen"),
)


def responsibilities(
    method: Method, uses_panel: bool, orders_invanartjanster: bool = False
) -> tuple[Responsibility, ...]:
    """The process steps of a dialogue with this method, each with who carries it out.

    Invånartjänster's tasks (seed 000 lines 17-27) are theirs only where they are engaged: the
    panel is used, or the dialogue is ordered from them (`rules.invanartjanster_engaged`).
    """
    uses_panel = uses_panel or rules.panel_by_method(method)
    if not rules.invanartjanster_engaged(uses_panel, orders_invanartjanster):
        if method.is_survey:
            return (*_OWN_START, *_OWN_SURVEY)
        if method.is_meeting:
            return (*_OWN_START, *_OWN_MEETING)
        return (*_OWN_START, *_OTHER)
    order = (_PANEL,) if uses_panel else (_ORDER,)
    if method.is_survey:
        return (*_COMMON_START, *order, *_SURVEY)
    if method.is_meeting:
        return (*_COMMON_START, *order, *_MEETING)
    return (*_COMMON_START, *order, *_OTHER)


class Engagement(Protocol):
    """An initiative as far as who does what depends on it."""

    @property
    def method(self) -> Method: ...

    @property
    def uses_panel(self) -> bool: ...

    @property
    def orders_invanartjanster(self) -> bool: ...


def duties(initiative: Engagement) -> tuple[Responsibility, ...]:
    """The process steps of this initiative, each with who carries it out."""
    return responsibilities(
        initiative.method, initiative.uses_panel, initiative.orders_invanartjanster
    )


# --- the checklist of the guideline, applied to one initiative ------------------------------------


class HasMethod(Protocol):
    """An initiative, or its summary: what decides which checklist items apply."""

    @property
    def method(self) -> Method: ...

    @property
    def uses_panel(self) -> bool: ...


def applicable_items(initiative: HasMethod) -> list[ChecklistTemplateItem]:
    """The guideline's items that belong on this initiative's checklist, in their order."""
    return [
        item
        for item in catalog.checklist_template()
        if item.applies_to(initiative.method.value, initiative.uses_panel)
    ]


def is_settled(entry: ChecklistEntry | None) -> bool:
    """Done, or not applicable with a reason: nothing left to do about it."""
    return entry is not None and settles(entry.state)


def settles(state: ChecklistState) -> bool:
    """Whether an item in this state is settled (`is_settled`)."""
    return state is not ChecklistState.NOT_DONE


def open_items(
    initiative: HasMethod,
    answers: Mapping[str, ChecklistEntry],
    phase: str,
    settled: Collection[str] = (),
) -> list[ChecklistTemplateItem]:
    """The items of a phase left to do; `settled` names items known done from the data."""
    return [
        item
        for item in applicable_items(initiative)
        if item.phase == phase and item.id not in settled and not is_settled(answers.get(item.id))
    ]


def progress(
    initiative: HasMethod, answers: Mapping[str, ChecklistEntry]
) -> dict[str, tuple[int, int]]:
    """Per phase (fore, under, efter): how many items are settled, of how many."""
    counts = {phase: [0, 0] for phase in catalog.PHASES}
    for item in applicable_items(initiative):
        counts[item.phase][1] += 1
        if is_settled(answers.get(item.id)):
            counts[item.phase][0] += 1
    return {phase: (done, total) for phase, (done, total) in counts.items()}


def progress_label(initiative: HasMethod, answers: Mapping[str, ChecklistEntry]) -> str:
    """'Före 9/14 · Under 0/3 · Efter 0/5'."""
    return " · ".join(
        f"{catalog.PHASES[phase]} {done}/{total}"
        for phase, (done, total) in progress(initiative, answers).items()
    )


# --- items that tick themselves -------------------------------------------------------------------

# The checklist items whose answer the data already holds; they say so ("automatiskt") and cannot
# be unticked by hand while their source holds. The process's step "Fastställ tidsfrist" is the
# same fact as F-tidsfrist: the page showed it open under a deadline that was set.
AUTOMATIC_ITEMS = {
    "F-anmald": "anmäld när den registrerades",
    "F-tidsfrist": "tidsfrist är angiven",
    "P-tidsfrist": "tidsfrist är angiven",
    "E-utvardering": "utvärderingen är fullständig",
}


class Sourced(HasMethod, Protocol):
    """What decides the automatic items: the method, the deadline."""

    @property
    def deadline(self) -> date | None: ...


def automatic_items(initiative: Sourced, evaluation: Evaluation | None) -> set[str]:
    """The items that the data ticks: registered (always: it is in the register), a deadline
    set (seed 000 line 20), a complete evaluation saved (seed 000 line 31)."""
    applicable = {item.id for item in applicable_items(initiative)}
    if initiative.method.is_survey:
        applicable.add("P-tidsfrist")  # every survey's process has the step, whoever takes it
    ticked = {"F-anmald"}
    if initiative.deadline is not None:
        ticked |= {"F-tidsfrist", "P-tidsfrist"}
    if rules.evaluation_complete(evaluation):
        ticked.add("E-utvardering")
    return ticked & applicable


# --- the process: what a stage change requires -------------------------------------------------

_ORDER_OF_STAGES = [stage for stage in Stage if stage is not Stage.CANCELLED]


def gates_crossed(origin: Stage, target: Stage) -> list[Stage]:
    """The gated stages (genomförande, avslutad) that a move from `origin` to `target` reaches.

    A jump (anmäld → avslutad in the edit form, or an import at a late stage) passes every gate
    on the way; moving back or cancelling passes none. A cancelled dialogue taken up again
    starts from the beginning.
    """
    if target is Stage.CANCELLED:
        return []
    start = 0 if origin is Stage.CANCELLED else _ORDER_OF_STAGES.index(origin)
    end = _ORDER_OF_STAGES.index(target)
    return [
        gate
        for gate in (Stage.RUNNING, Stage.CLOSED)
        if start < _ORDER_OF_STAGES.index(gate) <= end
    ]


def stage_problems(
    initiative: Initiative,
    target: Stage,
    answers: Mapping[str, ChecklistEntry],
    evaluation: Evaluation | None,
    promises: Iterable[FeedbackPromise] = (),
    origin: Stage | None = None,
    today: date | None = None,
) -> list[str]:
    """Why moving to `target` is premature, in Swedish; empty when nothing stands in the way.

    One gate for every door: the stage key, the edit form and an import (`origin` is where the
    move starts: the initiative's own stage unless given). Going into data collection needs a
    deadline for a survey, planned feedback to the public and every "Före" item settled; closing
    needs the dialogue to have ended (when `today` is known), a complete evaluation and every
    "Efter" item settled. The user may override with a reason, which the history keeps.
    """
    gates = gates_crossed(initiative.stage if origin is None else origin, target)
    settled = automatic_items(initiative, evaluation)
    # The facts first (deadline, feedback, evaluation), then the checklist items: a long jump
    # lists many items, and the prompt shows the first dozen.
    facts: list[str | None] = []
    items: list[str] = []
    if Stage.RUNNING in gates:
        facts.append(rules.deadline_missing(initiative.method, initiative.deadline))
        facts.append(rules.public_feedback_missing(promises))
        items += [
            f"Före ej klar: {item.text}"
            for item in open_items(initiative, answers, "fore", settled)
        ]
    if Stage.CLOSED in gates:
        if today is not None and initiative.end > today:
            # What is closed has taken place: a dialogue still to come (or still running) is
            # not followed up yet, whatever its checklist says.
            facts.append(
                f"Dialogen har inte slutat ännu: slutdatum {initiative.end.isoformat()}"
                f" (i dag {today.isoformat()})."
            )
        if evaluation is None:
            facts.append("Dialogen har ingen utvärdering ännu.")
        elif not rules.evaluation_complete(evaluation):
            facts.append(f"{rules.evaluation_status(evaluation)}: besvara alla åtta frågor.")
        items += [
            f"Efter ej klar: {item.text}"
            for item in open_items(initiative, answers, "efter", settled)
        ]
    return [fact for fact in facts if fact] + items


# Which degrees of influence each kind of method can honestly offer. A survey consults; a
# meeting can go as far as co-decision; information is one-way, which a dialogue form wastes.
_FITTING: dict[str, set[InfluenceLevel]] = {
    "survey": {InfluenceLevel.INFORM, InfluenceLevel.CONSULT},
    "meeting": {
        InfluenceLevel.CONSULT,
        InfluenceLevel.DIALOGUE,
        InfluenceLevel.INVOLVE,
        InfluenceLevel.CO_DECIDE,
    },
    "council": {
        InfluenceLevel.CONSULT,
        InfluenceLevel.DIALOGUE,
        InfluenceLevel.INVOLVE,
        InfluenceLevel.CO_DECIDE,
    },
    "social_media": {InfluenceLevel.INFORM, InfluenceLevel.CONSULT, InfluenceLevel.DIALOGUE},
}


def influence_mismatch(method: Method, influence: InfluenceLevel) -> str | None:
    """A Swedish warning when the declared degree of influence does not fit the method."""
    if method.is_survey:
        kind = "survey"
    elif method.is_meeting or method is Method.INTERVIEW:
        kind = "meeting"
    elif method is Method.COUNCIL:
        kind = "council"
    elif method is Method.SOCIAL_MEDIA:
        kind = "social_media"
    else:
        return None
    if influence in _FITTING[kind]:
        return None
    fitting = join_or([level.label for level in InfluenceLevel if level in _FITTING[kind]])
    return (
        f"Påverkansnivån {influence.label} passar dåligt med metoden {method.label}: "
        f"välj {fitting}, eller behåll den om ni har skäl."
    )
