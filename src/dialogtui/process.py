"""The dialogue process (seed "Dialogprocess"): who is responsible for what, given the method."""

from __future__ import annotations

from dataclasses import dataclass

from dialogtui.models import Method

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
