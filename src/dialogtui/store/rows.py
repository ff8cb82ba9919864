"""Between rows and records: the columns of an initiative, and filters as SQL.

The validated models are imported inside the functions that build them: pydantic takes a tenth
of a second to load, and the calendar's first frame is drawn from plain records without it.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from dialogtui.domain import InfluenceLevel, Method, Municipality, Stage
from dialogtui.filters import Filter

if TYPE_CHECKING:
    from pydantic import BaseModel

    from dialogtui.models import Initiative, TargetGroup

# Validation context of rows read back: rules for input (such as plausible years) are not applied
# to what an earlier version has already stored, which must always open.
STORED = {"stored": True}

# Fields that describe the record's bookkeeping rather than its content: never diffed in audit.
BOOKKEEPING = {"id", "version", "updated_at", "updated_by", "initiative_id"}

INITIATIVE_COLUMNS = [
    *("title", "unit", "contact", "owner", "method", "influence", "uses_panel", "purpose"),
    *("context", "questions", "use_of_answers", "reach", "marketing", "representativeness"),
    *("start", "end", "deadline", "stage", "sample_size"),
    *("orders_invanartjanster", "conditions", "personal_data", "feedback_description"),
]


def content(model: BaseModel) -> dict[str, Any]:
    """The user-visible content of a model, as JSON values, for audit diffs."""
    return {k: v for k, v in model.model_dump(mode="json").items() if k not in BOOKKEEPING}


def initiative_row(initiative: Initiative) -> dict[str, Any]:
    data = initiative.model_dump(mode="json", include=set(INITIATIVE_COLUMNS))
    data["uses_panel"] = int(initiative.uses_panel)
    data["orders_invanartjanster"] = int(initiative.orders_invanartjanster)
    comp = initiative.compensation
    data["comp_amount_sek"] = comp.amount_sek if comp else None
    data["comp_payer"] = comp.payer if comp else None
    return data


def target_group_row(initiative_id: int, position: int, group: TargetGroup) -> dict[str, Any]:
    return {
        "initiative_id": initiative_id,
        "position": position,
        "name": group.name,
        "municipalities": json.dumps([m.value for m in group.municipalities], ensure_ascii=False),
        "age_min": group.age_min,
        "age_max": group.age_max,
        "segments": json.dumps(group.segments, ensure_ascii=False),
    }


def initiative_from_row(row: dict[str, Any], groups: list[dict[str, Any]]) -> Initiative:
    """Rebuild a stored initiative without validating it again.

    Every row was validated on its way in, and validation is most of the cost of reading
    10,000 initiatives; the conversions here are the only ones the columns need.
    """
    from dialogtui.models import Compensation, Initiative, TargetGroup

    comp = row["comp_amount_sek"]
    return Initiative.model_construct(
        id=row["id"],
        version=row["version"],
        title=row["title"],
        unit=row["unit"],
        contact=row["contact"],
        owner=row["owner"],
        method=Method(row["method"]),
        influence=InfluenceLevel(row["influence"]),
        uses_panel=bool(row["uses_panel"]),
        orders_invanartjanster=bool(row["orders_invanartjanster"]),
        purpose=row["purpose"],
        conditions=row["conditions"],
        context=row["context"],
        questions=row["questions"],
        use_of_answers=row["use_of_answers"],
        reach=row["reach"],
        marketing=row["marketing"],
        representativeness=row["representativeness"],
        personal_data=row["personal_data"],
        feedback_description=row["feedback_description"],
        start=date.fromisoformat(row["start"]),
        end=date.fromisoformat(row["end"]),
        deadline=date.fromisoformat(row["deadline"]) if row["deadline"] else None,
        stage=Stage(row["stage"]),
        target_groups=[
            TargetGroup.model_construct(
                name=g["name"],
                municipalities=[Municipality(m) for m in json.loads(g["municipalities"])],
                age_min=g["age_min"],
                age_max=g["age_max"],
                segments=json.loads(g["segments"]),
            )
            for g in groups
        ],
        sample_size=row["sample_size"],
        compensation=(
            Compensation.model_construct(amount_sek=comp, payer=row["comp_payer"] or "")
            if comp is not None
            else None
        ),
        updated_at=datetime.fromisoformat(row["updated_at"]),
        updated_by=row["updated_by"],
    )


SUMMARY_ORDERS = {
    "start": 'start, "end", id',
    "end": '"end", start, id',
    "title": "title COLLATE swedish, id",
    "unit": "unit COLLATE swedish, start, id",
    "method": "method, start, id",
    "stage": "stage, start, id",
}


def filter_sql(where: Filter, between: tuple[date, date] | None) -> tuple[str, list[Any]]:
    """The WHERE clause for a filter; `Filter.matches` states the same rule for models."""
    clauses: list[str] = []
    params: list[Any] = []
    if between is not None:
        clauses.append('i.start <= ? AND i."end" >= ?')
        params += [between[1].isoformat(), between[0].isoformat()]
    if where.text:
        clauses.append(
            "instr(casefold(i.title || ' ' || i.unit || ' ' || i.purpose || ' ' || i.contact"
            " || ' ' || i.owner), ?) > 0"
        )
        params.append(where.text.casefold())
    for column, value in (
        ("unit", where.unit),
        ("method", where.method),
        ("stage", where.stage),
    ):
        if value:
            clauses.append(f"i.{column} = ?")
            params.append(str(value))
    if where.panel is not None:
        clauses.append("i.uses_panel = ?")
        params.append(int(where.panel))
    for column, value in (("municipalities", where.municipality), ("segments", where.segment)):
        if value:
            clauses.append(
                "EXISTS (SELECT 1 FROM target_groups g WHERE g.initiative_id = i.id AND"
                f" (g.{column} = '[]' OR EXISTS (SELECT 1 FROM json_each(g.{column})"
                " WHERE value = ?)))"
            )
            params.append(str(value))
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), params
