"""The dialogue process (seed "Dialogprocess") and the guideline's checklist, applied to one
initiative: who does what, what is left to do, and what a stage change requires. Pure logic."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from dialogtui import catalog
from dialogtui.catalog import ChecklistTemplateItem
from dialogtui.domain import ChecklistState, InfluenceLevel, Method, Stage

if TYPE_CHECKING:
    from dialogtui.models import ChecklistEntry, Initiative

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


def responsibilities(method: Method, uses_panel: bool) -> tuple[Responsibility, ...]:
    """The process steps of a dialogue with this method, each with who carries it out."""
    panel = (_PANEL,) if uses_panel or method is Method.PANEL_SURVEY else ()
    if method.is_survey:
        return (*_COMMON_START, *panel, *_SURVEY)
    if method.is_meeting:
        return (*_COMMON_START, *panel, *_MEETING)
    return (*_COMMON_START, *panel, *_OTHER)


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
    return entry is not None and entry.state is not ChecklistState.NOT_DONE


def open_items(
    initiative: HasMethod, answers: Mapping[str, ChecklistEntry], phase: str
) -> list[ChecklistTemplateItem]:
    return [
        item
        for item in applicable_items(initiative)
        if item.phase == phase and not is_settled(answers.get(item.id))
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


# --- the process: what a stage change requires -------------------------------------------------


def stage_problems(
    initiative: Initiative,
    target: Stage,
    answers: Mapping[str, ChecklistEntry],
    has_evaluation: bool,
) -> list[str]:
    """Why moving to `target` is premature, in Swedish; empty when nothing stands in the way.

    Going into data collection with open "Före" items warns; closing requires an evaluation and
    every "Efter" item done or not applicable. The user may override with a reason.
    """
    problems: list[str] = []
    if target is Stage.RUNNING:
        problems += [
            f"Före ej klar: {item.text}" for item in open_items(initiative, answers, "fore")
        ]
    if target is Stage.CLOSED:
        if not has_evaluation:
            problems.append("Dialogen har ingen utvärdering ännu.")
        problems += [
            f"Efter ej klar: {item.text}" for item in open_items(initiative, answers, "efter")
        ]
    return problems


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
    fitting = " eller ".join(level.label for level in InfluenceLevel if level in _FITTING[kind])
    return (
        f"Påverkansnivån {influence.label} passar dåligt med metoden {method.label}: "
        f"välj {fitting}, eller behåll den om ni har skäl."
    )
