"""A registration as a person fills it in, turned into an initiative or Swedish errors per field.

The registration form and the registration template (an .xlsx a unit fills in) hold the same
fields as typed text; both are read here, so that they accept and refuse the same things with the
same words. The model's rules themselves are `interchange.check_record`'s, which the JSON and CSV
imports use too. Pure: no Textual, no SQLite.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from dialogtui.dates import DateInputError, parse_user_date
from dialogtui.domain import FIELD_LABELS, period_problems
from dialogtui.interchange import check_record
from dialogtui.models import Initiative
from dialogtui.words import labelled

ONE_LINE = ("title", "unit", "contact", "owner")
DATES = ("start", "end", "deadline")
NUMBERS = ("sample_size", "amount_sek")
LABELS = FIELD_LABELS | {"amount_sek": "Ersättning per deltagare (kr)", "payer": "Betalas av"}


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a registration cannot be saved.

    `key` is where a form shows it ("title", "start", "group-0", "amount_sek"); `loc` is the
    model's own path ("target_groups", 0, "age_min"), which a template maps to its cell.
    """

    key: str
    loc: tuple[str | int, ...]
    label: str
    message: str

    def __str__(self) -> str:
        return labelled(self.label, self.message)


def error_key(loc: tuple[str | int, ...]) -> str:
    """The form's place for a model error: a field, a target group, or a compensation field."""
    if loc and loc[0] == "target_groups" and len(loc) > 1:
        return f"group-{loc[1]}"
    if loc and loc[0] == "compensation":
        names = [p for p in loc if isinstance(p, str)]
        return "amount_sek" if names[-1] in ("compensation", "amount_sek") else "payer"
    return str(loc[0]) if loc else "title"


def build(
    raw: dict[str, Any], today: date, identity: tuple[int | None, int] | None = None
) -> tuple[Initiative | None, list[Problem]]:
    """The initiative that the typed fields describe, or every problem found, in field order.

    `raw` holds what a form holds: texts as typed (dates, numbers and the compensation too),
    method and influence as chosen (None when not chosen), the panel as a yes/no, and the target
    groups as dicts of name, ages, municipalities and segments. `identity` is the (id, version)
    of an initiative being edited. Dates are read as people type them (`parse_user_date`).
    """
    problems: dict[str, Problem] = {}

    def found(key: str, message: str) -> None:
        problems.setdefault(key, Problem(key, (key,), LABELS[key], message))

    record: dict[str, Any] = {
        k: v for k, v in raw.items() if k not in (*DATES, "amount_sek", "payer")
    }
    for name in DATES:
        text = str(raw.get(name) or "").strip()
        if not text:
            record[name] = None
            continue
        try:
            record[name] = parse_user_date(text, today)
        except DateInputError as exc:
            found(name, str(exc))
    if record.get("start") and record.get("end"):
        for field, message in period_problems(
            record["start"], record["end"], record.get("deadline")
        ):
            found(field, message)
    if record.get("start") is None and "start" not in problems:
        found("start", "måste anges")
    if record.get("end") is None and "end" not in problems:
        found("end", "måste anges")
    amount = str(raw.get("amount_sek") or "").strip()
    payer = str(raw.get("payer") or "")
    if amount or payer.strip():
        record["compensation"] = {"amount_sek": amount or None, "payer": payer}
    if record.get("method") is None:
        record.pop("method", None)
    if identity is not None:
        record["id"], record["version"] = identity
    initiative, errors = check_record(record)
    for error in errors:
        key = error_key(error.loc)
        problems.setdefault(key, Problem(key, error.loc, error.label, error.message))
    if initiative is None or problems:
        return None, list(problems.values())
    return initiative, []
