"""The light half of the domain: codes with Swedish labels, limits, and the plain records read
in bulk (calendar rows, overlap facts, audit entries). No pydantic, so that the calendar's first
frame does not wait for it; the validated models are in `models`.

Every text a user can type passes `clean_text`, so that nothing stored can move a terminal's
cursor or change its colours.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Self

from dialogtui.words import term

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile(r"[\t\n]+")

TITLE_MAX = 200
TEXT_MAX = 20_000


def clean_text(value: Any) -> Any:
    """Remove control characters from a text; leave other values for pydantic to judge."""
    if isinstance(value, str):
        return _CONTROL_CHARS.sub("", value.replace("\r\n", "\n"))
    return value


def clean_line(value: Any) -> Any:
    """A one-line text: control characters removed, tabs and line breaks made spaces."""
    value = clean_text(value)
    return _LINE_BREAKS.sub(" ", value) if isinstance(value, str) else value


class LabelledEnum(StrEnum):
    """An enum whose members carry a Swedish label for the UI."""

    @property
    def label(self) -> str:
        return _LABELS[type(self).__name__][self.value]

    @classmethod
    def parse(cls, text: str) -> Self:
        """Accept a code value or a Swedish label, case-insensitively."""
        wanted = text.strip().casefold()
        for member in cls:
            if wanted in (member.value.casefold(), member.label.casefold()):
                return member
        raise ValueError(text)

    @classmethod
    def choices(cls) -> str:
        return ", ".join(member.label for member in cls)


class Method(LabelledEnum):
    SURVEY = "survey"
    PANEL_SURVEY = "panel_survey"
    DIALOGUE_MEETING = "dialogue_meeting"
    FOCUS_GROUP = "focus_group"
    WORKING_GROUP = "working_group"
    COUNCIL = "council"
    INTERVIEW = "interview"
    SOCIAL_MEDIA = "social_media"
    OTHER = "other"

    @property
    def is_survey(self) -> bool:
        """Surveys are run by Invånartjänster, who collect the data."""
        return self in (Method.SURVEY, Method.PANEL_SURVEY)

    @property
    def is_meeting(self) -> bool:
        """Meetings are run by the orderer; Invånartjänster delivers the sample."""
        return self in (Method.DIALOGUE_MEETING, Method.FOCUS_GROUP, Method.WORKING_GROUP)


class InfluenceLevel(LabelledEnum):
    """SKR's participation ladder, lowest rung first."""

    INFORM = "inform"
    CONSULT = "consult"
    DIALOGUE = "dialogue"
    INVOLVE = "involve"
    CO_DECIDE = "co_decide"


class Stage(LabelledEnum):
    REGISTERED = "registered"
    PLANNING = "planning"
    RUNNING = "running"
    RESULTS = "results"
    FEEDBACK = "feedback"
    EVALUATION = "evaluation"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    def next(self) -> Stage | None:
        """Return the stage that follows in the process, or None at its end."""
        order = list(Stage)[:-1]  # cancelled is a way out, not a step
        if self not in order or self is Stage.CLOSED:
            return None
        return order[order.index(self) + 1]


class Municipality(LabelledEnum):
    KUNGSBACKA = "Kungsbacka"
    VARBERG = "Varberg"
    FALKENBERG = "Falkenberg"
    HALMSTAD = "Halmstad"
    HYLTE = "Hylte"
    LAHOLM = "Laholm"


class ChecklistState(LabelledEnum):
    NOT_DONE = "not_done"
    DONE = "done"
    NOT_APPLICABLE = "not_applicable"


class Audience(LabelledEnum):
    PARTICIPANTS = "participants"
    PUBLIC = "public"
    ORDERER = "orderer"


class Achieved(LabelledEnum):
    YES = "yes"
    PARTLY = "partly"
    NO = "no"


_LABELS: dict[str, dict[str, str]] = {
    "Method": {
        "survey": "enkätundersökning",
        "panel_survey": "panelenkät",
        "dialogue_meeting": "dialogmöte",
        "focus_group": "fokusgrupp",
        "working_group": "arbetsgrupp",
        "council": "råd",
        "interview": "intervju",
        "social_media": "sociala medier",
        "other": "övrigt",
    },
    "InfluenceLevel": {
        "inform": "information",
        "consult": "konsultation",
        "dialogue": "dialog",
        "involve": "inflytande",
        "co_decide": "medbestämmande",
    },
    "Stage": {
        "registered": "anmäld",
        "planning": "planering",
        "running": "genomförande",
        "results": "resultat",
        "feedback": "återkoppling",
        "evaluation": "uppföljning",
        "closed": "avslutad",
        "cancelled": "inställd",
    },
    "Municipality": {
        m: m for m in ("Kungsbacka", "Varberg", "Falkenberg", "Halmstad", "Hylte", "Laholm")
    },
    "ChecklistState": {"not_done": "ej klar", "done": "klar", "not_applicable": "ej aktuell"},
    "Audience": {"participants": "deltagarna", "public": "allmänheten", "orderer": "beställaren"},
    "Achieved": {"yes": "ja", "partly": "delvis", "no": "nej"},
}

AGE_MIN, AGE_MAX = 0, 120
YEAR_MIN, YEAR_MAX = 2000, 2099
# Far above any real dialogue, and far below what SQLite's 64-bit integers can hold.
COUNT_MAX = 10_000_000


def describe_group(
    municipalities: list[str], age_min: int, age_max: int, segments: list[str]
) -> str:
    """'unga 13–19 i Halmstad', 'äldre 65+ i hela Halland', 'invånare i Varberg, Hylte'."""
    who = " och ".join(segments) if segments else "invånare"
    if (age_min, age_max) != (AGE_MIN, AGE_MAX):
        who += f" {age_min}+" if age_max == AGE_MAX else f" {age_min}–{age_max}"
    where = ", ".join(municipalities) if municipalities else "hela Halland"
    return f"{who} i {where}"


PLANNING_FIELDS = (
    "purpose",
    # "vilka villkor som gäller avseende grad av påverkansmöjlighet/delaktighet" (seed 000
    # line 5), said together with the purpose.
    "conditions",
    "context",
    "questions",
    "use_of_answers",
    "reach",
    "marketing",
    "representativeness",
)

# What the guideline asks to make clear to the respondents during the dialogue (seed 002 lines
# 29-30), written down beforehand so that it is ready to be said.
RESPONDENT_FIELDS = ("personal_data", "feedback_description")


def period_problems(start: date, end: date, deadline: date | None) -> list[tuple[str, str]]:
    """The order rules of an initiative's dates, as (field, Swedish message) pairs."""
    problems = []
    if end < start:
        problems.append(
            (
                "end",
                f"slutdatum ({end.isoformat()}) får inte vara före "
                f"startdatum ({start.isoformat()})",
            )
        )
    # "Tidsfrist fastställs för varje undersökning" (Dialogprocess, seed 000 line 20): the
    # deadline is a day of the survey's own period, so it lies within [start, end].
    if deadline is not None and deadline < start:
        problems.append(
            (
                "deadline",
                f"tidsfrist ({deadline.isoformat()}) får inte vara före "
                f"startdatum ({start.isoformat()})",
            )
        )
    elif deadline is not None and end >= start and deadline > end:
        problems.append(
            (
                "deadline",
                f"tidsfrist ({deadline.isoformat()}) får inte vara efter "
                f"slutdatum ({end.isoformat()}); den ska ligga inom dialogens period",
            )
        )
    return problems


FIELD_LABELS: dict[str, str] = {
    "title": "Titel",
    "unit": "Beställare",
    "contact": "Kontaktperson",
    "owner": term("owner"),
    "method": "Metod",
    "influence": "Påverkansnivå",
    "uses_panel": "Invånarpanelen",
    "purpose": "Syfte",
    "context": "Sammanhang",
    "questions": "Frågor",
    "use_of_answers": "Användning av svaren",
    "reach": "Var och hur målgruppen nås",
    "marketing": "Marknadsföring",
    "representativeness": "Relevant underlag",
    "conditions": "Villkor för påverkan",
    "personal_data": "Personuppgifter och svar",
    "feedback_description": "Återkoppling till de svarande",
    "orders_invanartjanster": "Beställning till Invånartjänster",
    "start": "Startdatum",
    "end": "Slutdatum",
    "deadline": "Tidsfrist",
    "stage": "Skede",
    "target_groups": "Målgrupper",
    "sample_size": "Urval",
    "compensation": "Ersättning",
    "amount_sek": "Belopp (kr)",
    "payer": "Betalare",
    "name": "Namn",
    "municipalities": "Kommun",
    "age_min": "Ålder från",
    "age_max": "Ålder till",
    "segments": "Segment",
    "participants": "Antal deltagare",
    "invited": "Antal inbjudna",
    "effect": "Påverkan på beslut eller utveckling",
    "lesson": "Viktigaste lärdomen",
    "achieved": term("achieved"),
    "achieved_comment": "Kommentar om måluppfyllelse",
    "unspoken": "Outtalade syften",
    "went_well": "Vad gjordes bra",
    "improve": "Vad kunde gjorts bättre",
    "audience": "Mottagare",
    "what": "Vad",
    "channel": "Kanal",
    "due": "Senast",
    "done": term("kept").capitalize(),
    "state": "Status",
    "reason": "Skäl",
    "item_id": "Punkt",
    "note": "Anteckning",
    "asked": "Vi frågade",
    "answered": "Ni svarade",
    "did": "Vi gjorde",
}


@dataclass(frozen=True, slots=True)
class InitiativeSummary:
    """The columns the calendar views show, read in bulk without full validation."""

    id: int
    title: str
    unit: str
    method: Method
    stage: Stage
    start: date
    end: date
    deadline: date | None
    uses_panel: bool
    groups: str


@dataclass(frozen=True, slots=True)
class GroupFacts:
    """A stored target group with TargetGroup's attributes, read without validation."""

    name: str
    municipalities: tuple[Municipality, ...]
    age_min: int
    age_max: int
    segments: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Planned:
    """What overlap detection and its views need of an initiative, read in bulk.

    A tenth of the memory of a validated Initiative, which matters with every initiative of the
    region held at once; the attributes are named as Initiative's, so either will do.
    """

    id: int
    title: str
    unit: str
    start: date
    end: date
    stage: Stage
    uses_panel: bool
    target_groups: tuple[GroupFacts, ...]


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    user: str
    action: str
    entity: str
    entity_id: int | None
    initiative_id: int | None
    changes: dict[str, list[Any]]
    note: str


@dataclass(frozen=True, slots=True)
class Presence:
    """Another running dialogtui on the same database, from its latest heartbeat."""

    session_id: int
    user: str
    host: str
    pid: int
    started_at: datetime
    seen_at: datetime
    initiative_id: int | None
    editing: bool


# Where a found word begins and ends in a lesson's snippet: control characters, which no
# stored text holds (clean_text drops them), so the screen can show the word in bold. Quote
# marks would be read as the user's own, and »…« is not how Swedish quotes.
FOUND_START, FOUND_END = "\x02", "\x03"


@dataclass(frozen=True, slots=True)
class LessonHit:
    """One find in the lessons library; the snippet marks the words found with FOUND_START
    and FOUND_END."""

    initiative_id: int
    title: str
    year: int
    method: Method
    snippet: str


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, list[Any]]:
    """Map each changed field to [before, after]: what the audit log records of a change."""
    before = before or {}
    after = after or {}
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(before.keys() | after.keys())
        if before.get(key) != after.get(key)
    }


# Swedish alphabetical order: å, ä and ö are letters of their own after z (æ and ø sort as ä and
# ö); other accents do not make a letter (é sorts as e, ü as y, as Svenska Akademiens ordlista).
_AFTER_Z = {"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}"}
_AS_LETTER = {"ü": "y"}


def swedish_key(text: str) -> str:
    """The key that sorts texts as a Swedish reader expects, the same in Python and in SQL."""
    out: list[str] = []
    for char in text.casefold():
        if char in _AFTER_Z:
            out.append(_AFTER_Z[char])
        elif char in _AS_LETTER:
            out.append(_AS_LETTER[char])
        else:
            out.append(
                "".join(
                    c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
                )
            )
    return "".join(out)
