"""Builders of valid domain objects, so that each test states only what it is about."""

from __future__ import annotations

from typing import Any

from dialogtui.models import Initiative


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
