"""The domain: citizen-dialogue initiatives and what belongs to them, validated, without I/O.

Every text a user can type passes `clean_text`, so that nothing stored can move a terminal's
cursor or change its colours. Validation messages are Swedish and name the field, because they
are shown to the coordinator as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from dialogtui import catalog

# C0 controls except tab and newline, DEL, the C1 block (ESC and CSI live here), and the
# bidirectional overrides and isolates, which can make a line read differently than it is.
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


Text = Annotated[str, BeforeValidator(clean_text), Field(max_length=TEXT_MAX)]
ShortText = Annotated[str, BeforeValidator(clean_line), Field(max_length=TITLE_MAX)]


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
# Far above any real dialogue, and far below what SQLite's 64-bit integers can hold.
COUNT_MAX = 10_000_000


class DomainModel(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, validate_default=True, extra="ignore")


class TargetGroup(DomainModel):
    """Who a dialogue addresses, structured so that two groups can be intersected."""

    name: ShortText = ""
    municipalities: list[Municipality] = Field(default_factory=list)
    age_min: int = Field(default=AGE_MIN, ge=AGE_MIN, le=AGE_MAX)
    age_max: int = Field(default=AGE_MAX, ge=AGE_MIN, le=AGE_MAX)
    segments: list[str] = Field(default_factory=list)

    @field_validator("municipalities", mode="before")
    @classmethod
    def _parse_municipalities(cls, value: Any) -> Any:
        return _parse_members(value, Municipality)

    @field_validator("municipalities")
    @classmethod
    def _unique_municipalities(cls, value: list[Municipality]) -> list[Municipality]:
        order = list(Municipality)
        return sorted(set(value), key=order.index)

    @field_validator("segments", mode="before")
    @classmethod
    def _split_segments(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [part for part in re.split(r"[;,]", value) if part.strip()]
        return value

    @field_validator("segments")
    @classmethod
    def _known_segments(cls, value: list[str]) -> list[str]:
        known = catalog.segments()
        cleaned: set[str] = set()
        for raw in value:
            tag = clean_text(raw).strip().casefold()
            if tag not in known:
                raise ValueError(f"okänt segment '{tag}'; tillåtna är {', '.join(known)}")
            cleaned.add(tag)
        # The catalogue's order, so that the same group is always written the same way.
        return [tag for tag in known if tag in cleaned]

    @model_validator(mode="after")
    def _age_range(self) -> Self:
        if self.age_min > self.age_max:
            raise ValueError(
                f"ålder från ({self.age_min}) får inte vara större än ålder till ({self.age_max})"
            )
        return self

    @property
    def covers_all_ages(self) -> bool:
        return self.age_min == AGE_MIN and self.age_max == AGE_MAX

    @property
    def description(self) -> str:
        """Describe the group from its structure, e.g. 'unga 13–19 i Halmstad'."""
        return describe_group(
            [m.value for m in self.municipalities], self.age_min, self.age_max, self.segments
        )

    @property
    def label(self) -> str:
        """The name the user gave, else the structural description."""
        return self.name or self.description


def describe_group(
    municipalities: list[str], age_min: int, age_max: int, segments: list[str]
) -> str:
    """'unga 13–19 i Halmstad', 'äldre 65+ i hela Halland', 'invånare i Varberg, Hylte'."""
    who = " och ".join(segments) if segments else "invånare"
    if (age_min, age_max) != (AGE_MIN, AGE_MAX):
        who += f" {age_min}+" if age_max == AGE_MAX else f" {age_min}–{age_max}"
    where = ", ".join(municipalities) if municipalities else "hela Halland"
    return f"{who} i {where}"


class Compensation(DomainModel):
    """Payment per participant at a dialogue meeting; the orderer pays."""

    amount_sek: int = Field(ge=0, le=COUNT_MAX)
    payer: ShortText = ""


# The guideline's planning questions, in its order: what the form asks and the page shows.
PLANNING_FIELDS = (
    "purpose",
    "context",
    "questions",
    "use_of_answers",
    "reach",
    "marketing",
    "representativeness",
)


class Initiative(DomainModel):
    """One citizen dialogue, handled as an assignment of its own."""

    id: int | None = None
    version: int = 0
    title: ShortText
    unit: ShortText
    contact: ShortText = ""
    owner: ShortText = ""
    method: Method
    influence: InfluenceLevel = InfluenceLevel.CONSULT
    uses_panel: bool = False
    purpose: Text = ""
    context: Text = ""
    questions: Text = ""
    use_of_answers: Text = ""
    reach: Text = ""
    marketing: Text = ""
    representativeness: Text = ""
    start: date
    end: date
    deadline: date | None = None
    stage: Stage = Stage.REGISTERED
    target_groups: list[TargetGroup] = Field(default_factory=list)
    sample_size: int | None = Field(default=None, ge=0, le=COUNT_MAX)
    compensation: Compensation | None = None
    updated_at: datetime | None = None
    updated_by: str = ""

    @field_validator("title", "unit")
    @classmethod
    def _required(cls, value: str) -> str:
        if not value:
            raise ValueError("måste anges")
        return value

    @field_validator("method", "influence", "stage", mode="before")
    @classmethod
    def _labels_accepted(cls, value: Any, info: Any) -> Any:
        enum = {"method": Method, "influence": InfluenceLevel, "stage": Stage}[info.field_name]
        if isinstance(value, str) and value not in {m.value for m in enum}:
            try:
                return enum.parse(value)
            except ValueError:
                return value
        return value

    @field_validator("uses_panel", mode="before")
    @classmethod
    def _swedish_yes_no(cls, value: Any) -> Any:
        if isinstance(value, str):
            answer = value.strip().casefold()
            if answer in ("ja", "j"):
                return True
            if answer in ("nej", "n"):
                return False
        return value

    @field_validator("deadline", "sample_size", "compensation", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _dates(self) -> Self:
        for _, message in period_problems(self.start, self.end, self.deadline):
            raise ValueError(message)
        return self

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


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
    if deadline is not None and deadline < start:
        problems.append(
            (
                "deadline",
                f"tidsfrist ({deadline.isoformat()}) får inte vara före "
                f"startdatum ({start.isoformat()})",
            )
        )
    return problems


class ChecklistEntry(DomainModel):
    """The state of one checklist item for one initiative, and who set it."""

    item_id: str
    state: ChecklistState = ChecklistState.NOT_DONE
    reason: Text = ""
    by: str = ""
    at: datetime | None = None

    @model_validator(mode="after")
    def _reason_when_not_applicable(self) -> Self:
        if self.state is ChecklistState.NOT_APPLICABLE and not self.reason:
            raise ValueError("ange ett skäl när punkten inte är aktuell")
        return self


class FeedbackPromise(DomainModel):
    """Feedback promised to participants, the public or the orderer, with a due date."""

    id: int | None = None
    initiative_id: int | None = None
    audience: Audience
    what: Text = ""
    channel: ShortText = ""
    due: date
    done: date | None = None

    def is_overdue(self, today: date) -> bool:
        return self.done is None and self.due < today


class BlockedPeriod(DomainModel):
    """A period when no dialogue should run: summer weeks, Christmas, an election."""

    id: int | None = None
    name: ShortText
    start: date
    end: date

    @field_validator("name")
    @classmethod
    def _required(cls, value: str) -> str:
        if not value:
            raise ValueError("måste anges")
        return value

    @model_validator(mode="after")
    def _order(self) -> Self:
        for _, message in period_problems(self.start, self.end, None):
            raise ValueError(message)
        return self


class CoordinationMark(DomainModel):
    """An overlap the coordinator has dealt with; it holds while both initiatives stay as seen."""

    a: int
    b: int
    note: Text
    fingerprint: str
    by: str = ""
    at: datetime | None = None

    @field_validator("note")
    @classmethod
    def _required(cls, value: str) -> str:
        if not value:
            raise ValueError("skriv hur överlappet har samordnats")
        return value


class PublicFeedback(DomainModel):
    """Feedback to the public: what we asked, what residents said, what we did."""

    initiative_id: int | None = None
    asked: Text = ""
    answered: Text = ""
    did: Text = ""

    @property
    def is_empty(self) -> bool:
        return not (self.asked or self.answered or self.did)


class Evaluation(DomainModel):
    """The follow-up that every dialogue gets: the eight questions of the dialogue process."""

    initiative_id: int | None = None
    version: int = 0
    method: Method | None = None
    participants: int | None = Field(default=None, ge=0, le=COUNT_MAX)
    invited: int | None = Field(default=None, ge=0, le=COUNT_MAX)
    effect: Text = ""
    lesson: Text = ""
    achieved: Achieved | None = None
    achieved_comment: Text = ""
    unspoken: Text = ""
    went_well: Text = ""
    improve: Text = ""
    updated_at: datetime | None = None
    updated_by: str = ""

    @field_validator("participants", "invited", "achieved", "method", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _participants_within_invited(self) -> Self:
        if (
            self.participants is not None
            and self.invited is not None
            and self.participants > self.invited
        ):
            raise ValueError(
                f"antal deltagare ({self.participants}) får inte vara fler än "
                f"antal inbjudna ({self.invited})"
            )
        return self

    @property
    def is_empty(self) -> bool:
        """Nothing answered: saving it would count the dialogue as evaluated for nothing."""
        return (
            self.participants is None
            and self.invited is None
            and self.achieved is None
            and not any(
                (
                    self.effect,
                    self.lesson,
                    self.achieved_comment,
                    self.unspoken,
                    self.went_well,
                    self.improve,
                )
            )
        )

    @property
    def response_rate(self) -> float | None:
        """Share of the invited who took part, when both counts are known."""
        if self.participants is None or not self.invited:
            return None
        return self.participants / self.invited


def _parse_members(value: Any, enum: type[LabelledEnum]) -> Any:
    """Turn 'Halmstad; Varberg' or ['halmstad'] into enum members, leaving bad values to fail."""
    if isinstance(value, str):
        value = [part for part in re.split(r"[;,]", value) if part.strip()]
    if not isinstance(value, list | tuple | set | frozenset):
        return value
    parsed: list[Any] = []
    for item in value:
        if isinstance(item, str):
            try:
                parsed.append(enum.parse(clean_text(item)))
            except ValueError:
                parsed.append(item)
        else:
            parsed.append(item)
    return parsed


# --- Swedish validation messages ----------------------------------------------------------------

FIELD_LABELS: dict[str, str] = {
    "title": "Titel",
    "unit": "Beställare",
    "contact": "Kontaktperson",
    "owner": "Projektägare/linjechef",
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
    "achieved": "Syfte och mål uppnådda",
    "achieved_comment": "Kommentar om måluppfyllelse",
    "unspoken": "Outtalade syften",
    "went_well": "Vad gjordes bra",
    "improve": "Vad kunde gjorts bättre",
    "audience": "Mottagare",
    "what": "Vad",
    "channel": "Kanal",
    "due": "Senast",
    "done": "Utförd",
    "state": "Status",
    "reason": "Skäl",
    "item_id": "Punkt",
    "note": "Anteckning",
    "asked": "Vi frågade",
    "answered": "Ni svarade",
    "did": "Vi gjorde",
}

# Model-level checks name their fields in the message; this says which field to mark in a form.
_MODEL_CHECK_FIELDS: dict[str, str] = {
    "slutdatum": "end",
    "tidsfrist": "deadline",
    "ålder från": "age_min",
    "antal deltagare": "participants",
    "ange ett skäl": "reason",
}


class FieldError(BaseModel):
    """One validation problem, located by field and told in Swedish."""

    loc: tuple[str | int, ...]
    message: str

    @property
    def field(self) -> str:
        """The innermost field name, e.g. 'age_min' for target_groups.0.age_min."""
        names = [part for part in self.loc if isinstance(part, str)]
        return names[-1] if names else ""

    @property
    def label(self) -> str:
        parts: list[str] = []
        for index, part in enumerate(self.loc):
            if isinstance(part, int):
                continue
            label = FIELD_LABELS.get(part, part)
            following = self.loc[index + 1] if index + 1 < len(self.loc) else None
            if part == "target_groups" and isinstance(following, int):
                label = f"Målgrupp {following + 1}"
            parts.append(label)
        return ": ".join(parts) if parts else "Posten"

    def __str__(self) -> str:
        return f"{self.label}: {self.message}"


def _enum_choices(ctx: dict[str, Any] | None, loc: tuple[str | int, ...]) -> str:
    field = next((part for part in reversed(loc) if isinstance(part, str)), "")
    enum = {
        "method": Method,
        "influence": InfluenceLevel,
        "stage": Stage,
        "municipalities": Municipality,
        "audience": Audience,
        "achieved": Achieved,
        "state": ChecklistState,
    }.get(field)
    if enum is not None:
        return enum.choices()
    return str((ctx or {}).get("expected", ""))


def _message(error: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    loc = tuple(error["loc"])
    if kind == "missing":
        return "måste anges"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "måste vara ett heltal, t.ex. 40"
    if kind.startswith("date_"):
        return "måste vara ett datum i formen ÅÅÅÅ-MM-DD, t.ex. 2027-03-14"
    if kind in ("bool_parsing", "bool_type"):
        return "måste vara ja eller nej"
    if kind == "enum":
        return f"måste vara en av: {_enum_choices(ctx, loc)}"
    if kind == "greater_than_equal":
        return f"måste vara minst {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"får vara högst {ctx.get('le')}"
    if kind in ("string_too_long", "too_long"):
        actual = ctx.get("actual_length")
        now = f" (nu {actual})" if actual is not None else ""
        return f"får vara högst {ctx.get('max_length')} tecken{now}"
    if kind in ("string_type", "list_type", "model_type", "model_attributes_type", "dict_type"):
        return "har fel typ"
    return str(error["msg"])


def field_errors(exc: ValidationError) -> list[FieldError]:
    """Translate a pydantic error into Swedish messages that name the field."""
    found: list[FieldError] = []
    for error in exc.errors():
        loc = tuple(part for part in error["loc"] if not str(part).startswith("function-"))
        message = _message(error)
        if error["type"] == "value_error" and not any(isinstance(p, str) for p in loc[-1:]):
            # A model-level check: point at the field its message is about.
            lowered = message.casefold()
            for prefix, field in _MODEL_CHECK_FIELDS.items():
                if lowered.startswith(prefix):
                    loc = (*loc, field)
                    break
        found.append(FieldError(loc=loc, message=message))
    return found


def describe(exc: ValidationError) -> str:
    """All problems of one validation, one per line."""
    return "\n".join(str(error) for error in field_errors(exc))


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


@dataclass(frozen=True, slots=True)
class LessonHit:
    """One find in the lessons library; the snippet marks the words found with » and «."""

    initiative_id: int
    title: str
    year: int
    method: Method
    snippet: str
