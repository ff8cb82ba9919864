"""The domain: citizen-dialogue initiatives and what belongs to them, validated, without I/O.

Codes, limits and plain records live in `domain`, which loads without pydantic. Every text a
user can type passes `clean_text` (from there) on its way into a model. Validation messages are
Swedish and name the field, because they are shown to the coordinator as they are.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from dialogtui import catalog, rules
from dialogtui.domain import (
    AGE_MAX,
    AGE_MIN,
    COUNT_MAX,
    FIELD_LABELS,
    TEXT_MAX,
    TITLE_MAX,
    YEAR_MAX,
    YEAR_MIN,
    Achieved,
    Audience,
    ChecklistState,
    InfluenceLevel,
    LabelledEnum,
    Method,
    Municipality,
    Planned,
    Stage,
    clean_line,
    clean_text,
    describe_group,
    period_problems,
)
from dialogtui.words import labelled

# C0 controls except tab and newline, DEL, the C1 block (ESC and CSI live here), and the
# bidirectional overrides and isolates, which can make a line read differently than it is.
Text = Annotated[str, BeforeValidator(clean_text), Field(max_length=TEXT_MAX)]
ShortText = Annotated[str, BeforeValidator(clean_line), Field(max_length=TITLE_MAX)]


def _plausible_year(value: date, info: ValidationInfo) -> date:
    if info.context and info.context.get("stored"):
        return value  # stored by an earlier version, which allowed any year: it must open
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise ValueError(
            f"året {value.year} är inte rimligt; ange ett år mellan {YEAR_MIN} och {YEAR_MAX}"
        )
    return value


# Any year from 1 to 9999 is a date, but a mistyped one (2207) only surprises, and dates near
# 9999 break the arithmetic of calendars and exports.
Day = Annotated[date, AfterValidator(_plausible_year)]


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
    def description(self) -> str:
        """Describe the group from its structure, e.g. 'unga 13–19 i Halmstad'."""
        return describe_group(
            [m.value for m in self.municipalities], self.age_min, self.age_max, self.segments
        )

    @property
    def label(self) -> str:
        """The name the user gave, else the structural description."""
        return self.name or self.description


class Compensation(DomainModel):
    """Payment per participant at a dialogue meeting; the orderer pays."""

    amount_sek: int = Field(ge=0, le=COUNT_MAX)
    payer: ShortText = ""

    @field_validator("amount_sek", mode="before")
    @classmethod
    def _amount_given(cls, value: object) -> object:
        # A payer typed without an amount: say what is missing, not "must be an integer".
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValueError(
                "måste anges när ”Betalas av” är ifyllt; töm ”Betalas av” om ingen ersättning ges"
            )
        return value


# The guideline's planning questions, in its order: what the form asks and the page shows.
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
    orders_invanartjanster: bool = False
    purpose: Text = ""
    conditions: Text = ""
    context: Text = ""
    questions: Text = ""
    use_of_answers: Text = ""
    reach: Text = ""
    marketing: Text = ""
    representativeness: Text = ""
    personal_data: Text = ""
    feedback_description: Text = ""
    start: Day
    end: Day
    deadline: Day | None = None
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

    @field_validator("uses_panel", "orders_invanartjanster", mode="before")
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
    def _rules(self) -> Self:
        """The guideline's rules that refuse, the same at every door (see `rules`)."""
        for field, message in period_problems(self.start, self.end, self.deadline):
            raise rule_error(field, message)
        if self.compensation is not None:
            problem = rules.compensation_problem(self.method, self.unit)
            if problem:
                raise rule_error("compensation", problem)
        if rules.panel_by_method(self.method):
            # A panel survey uses the panel by definition: set, and kept so whatever a file or
            # a form says, so that the panel's overlap rule and its cap always see it.
            self.uses_panel = True
        return self

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class ChecklistEntry(DomainModel):
    """The state of one checklist item for one initiative, and who set it."""

    item_id: str
    state: ChecklistState = ChecklistState.NOT_DONE
    reason: Text = ""
    by: str = ""
    at: datetime | None = None
    # Ticked by the data itself (`process.automatic_items`), not by a person's key.
    automatic: bool = False

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
    due: Day
    done: Day | None = None

    def is_overdue(self, today: date) -> bool:
        return self.done is None and self.due < today


class BlockedPeriod(DomainModel):
    """A period when no dialogue should run: summer weeks, Christmas, an election."""

    id: int | None = None
    name: ShortText
    start: Day
    end: Day

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
    def answered(self) -> int:
        """How many of the eight questions are answered (`rules.evaluation_answered`)."""
        return rules.evaluation_answered(self)

    @property
    def is_complete(self) -> bool:
        """All eight answered: only then does the dialogue count as evaluated."""
        return rules.evaluation_complete(self)

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


def rule_error(field: str, message: str) -> PydanticCustomError:
    """A rule's refusal that names its field, so that a form can mark it and a file name it."""
    # The message goes in the context: user text (a unit's name) may hold braces.
    return PydanticCustomError("rule", "{message}", {"message": message, "field": field})


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
        return labelled(self.label, self.message)


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
    if kind == "rule":
        return str(ctx.get("message", error["msg"]))
    if kind in ("int_parsing", "int_type", "int_from_float", "finite_number"):
        return "måste vara ett heltal, t.ex. 40"
    if kind == "int_parsing_size":
        return f"är ett för stort tal; högst {COUNT_MAX}"
    if kind == "string_unicode":
        return "innehåller tecken som inte är giltig text"
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
    if kind.startswith(("datetime_", "time_")):
        return "måste vara en tidpunkt, t.ex. 2027-03-14T10:30"
    # Any other of pydantic's kinds: a Swedish sentence still, never its English text.
    return "har ett värde som inte går att läsa"


def field_errors(exc: ValidationError) -> list[FieldError]:
    """Translate a pydantic error into Swedish messages that name the field."""
    found: list[FieldError] = []
    for error in exc.errors():
        loc = tuple(part for part in error["loc"] if not str(part).startswith("function-"))
        message = _message(error)
        if error["type"] == "rule":
            loc = (*loc, str((error.get("ctx") or {}).get("field", "")))
        elif error["type"] == "value_error" and not any(isinstance(p, str) for p in loc[-1:]):
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


# Anything the overlap rules can judge: a stored initiative read lightly, or a full one (perhaps a
# registration not yet saved).
Schedulable = Initiative | Planned
