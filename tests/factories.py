"""Builders of valid domain objects, so that each test states only what it is about."""

from __future__ import annotations

from typing import Any

from dialogtui.models import Evaluation, Initiative


def make_initiative(**overrides: Any) -> Initiative:
    """A valid initiative; tests change only what they are about."""
    data: dict[str, Any] = {
        "title": "Ungas psykiska hälsa",
        "unit": "Psykiatrin Halland",
        "method": "focus_group",
        "start": "2026-03-02",
        "end": "2026-03-20",
        "target_groups": [
            {
                "name": "Unga i Halmstad",
                "municipalities": ["Halmstad"],
                "age_min": 13,
                "age_max": 19,
                "segments": ["unga"],
            }
        ],
    }
    data.update(overrides)
    return Initiative.model_validate(data)


def complete_evaluation(initiative_id: int, **overrides: Any) -> Evaluation:
    """An evaluation with all eight questions answered (`rules.evaluation_complete`)."""
    data: dict[str, Any] = {
        "initiative_id": initiative_id,
        "participants": 10,
        "achieved": "yes",
        "effect": "Beslutet ändrades.",
        "lesson": "Fråga tidigt.",
        "unspoken": "Inga.",
        "went_well": "Samtalen.",
        "improve": "Inbjudan.",
    }
    data.update(overrides)
    return Evaluation.model_validate(data)
