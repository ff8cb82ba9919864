"""The change history in plain Swedish: who did what, and what a field was and became."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dialogtui import catalog
from dialogtui.domain import (
    FIELD_LABELS,
    Achieved,
    Audience,
    AuditEntry,
    ChecklistState,
    InfluenceLevel,
    LabelledEnum,
    Method,
    Stage,
    describe_group,
)
from dialogtui.process import Engagement, duties, responsibilities

if TYPE_CHECKING:
    from collections.abc import Mapping

ACTIONS = {
    "create": "skapade",
    "update": "ändrade",
    "stage": "bytte skede",
    "delete": "tog bort",
    "checklist": "ändrade",
    "coordinate": "markerade överlapp som samordnat",
    "uncoordinate": "tog bort samordningen av ett överlapp",
    "restore": "återställde databasen från en säkerhetskopia",
}
ENTITIES = {
    "evaluation": "utvärderingen",
    "feedback": "ett återkopplingslöfte",
    "checklist": "checklistan",
    "public_feedback": "återkopplingen till allmänheten",
    "blocked_period": "en spärrad period",
    "setting": "en inställning",
}
_ENUMS: dict[str, type[LabelledEnum]] = {
    "method": Method,
    "influence": InfluenceLevel,
    "stage": Stage,
    "audience": Audience,
    "achieved": Achieved,
    "state": ChecklistState,
}
_LIMIT = 60
# The process's tasks by id, for an entry whose initiative is unknown: the task without who
# does it, since that depends on the method (ids are shared where the task is the same).
TASKS = {
    duty.id: duty.task
    for method in Method
    for engaged in (True, False)
    for duty in responsibilities(method, uses_panel=engaged)
}


def task_texts(initiative: Engagement | None) -> Mapping[str, str]:
    """The process's tasks by id, each naming who carries it out for this initiative's method
    and engagement of Invånartjänster; without an initiative, the bare tasks."""
    if initiative is None:
        return TASKS
    return {**TASKS, **{duty.id: f"{duty.who}: {duty.task}" for duty in duties(initiative)}}


def present(field: str, value: Any, limit: int | None = _LIMIT) -> str:
    """A stored value as a person reads it; a long text cut at `limit` characters."""
    if value in (None, "", []):
        return "(tomt)"
    if isinstance(value, bool):
        return "ja" if value else "nej"
    enum = _ENUMS.get(field)
    if enum is not None and isinstance(value, str):
        try:
            return enum(value).label
        except ValueError:
            return value
    if field == "target_groups" and isinstance(value, list):
        return "; ".join(
            g.get("name")
            or describe_group(g["municipalities"], g["age_min"], g["age_max"], g["segments"])
            for g in value
        )
    if field == "compensation" and isinstance(value, dict):
        return f"{value.get('amount_sek')} kr, betalas av {value.get('payer') or 'beställaren'}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    text = str(value).replace("\n", " ")
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def _field_label(field: str, tasks: Mapping[str, str]) -> tuple[str, str]:
    """The label of a changed field, and the field whose values it holds.

    Checklist changes are keyed "F-syfte.state"; the item's own text names them.
    """
    if "." in field:
        item_id, part = field.split(".", 1)
        texts = {item.id: item.text for item in catalog.checklist_template()} | dict(tasks)
        return f"”{texts.get(item_id, item_id)}”", part
    return FIELD_LABELS.get(field, field), field


def describe(entry: AuditEntry, initiative: Engagement | None = None) -> tuple[str, str]:
    """What happened ("ändrade utvärderingen") and the changes ("Titel: A → B; …").

    With the entry's initiative, a process task is named with who carries it out for it.
    """
    tasks = task_texts(initiative)
    what = ACTIONS.get(entry.action, entry.action)
    if entry.entity in ENTITIES and entry.action not in ("coordinate", "uncoordinate"):
        what += f" {ENTITIES[entry.entity]}"
    elif entry.action == "create":
        what += " initiativet"  # "anna skapade" alone does not say what
    if entry.action in ("create", "coordinate", "uncoordinate"):
        return what, ""
    changes = []
    for key, (before, after) in entry.changes.items():
        label, field = _field_label(key, tasks)
        if present(field, before) == present(field, after):
            continue
        change = f"{present(field, before)} → {present(field, after)}"
        # "bytte skede: planering → genomförande", not "…: Skede: planering → …".
        changes.append(
            change if entry.action == "stage" and field == "stage" else f"{label}: {change}"
        )
    return what, "; ".join(changes)
