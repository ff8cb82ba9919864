"""Reference data read from `data/`: checklist template, segments, demo vocabulary."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any


def data_dir() -> Path:
    """Return the folder holding the reference data, inside the wheel or in a source checkout."""
    packaged = Path(str(resources.files("dialogtui"))) / "data"
    if packaged.is_dir():
        return packaged
    # An editable install runs from src/, where data/ sits two levels up at the repository top.
    return Path(__file__).resolve().parents[2] / "data"


def load_toml(name: str) -> dict[str, Any]:
    """Parse one TOML file of the data folder."""
    with (data_dir() / name).open("rb") as handle:
        return tomllib.load(handle)


@dataclass(frozen=True, slots=True)
class ChecklistTemplateItem:
    """One item of the guideline's checklist, as the data file states it."""

    id: str
    phase: str
    text: str
    methods: frozenset[str]
    requires_panel: bool

    def applies_to(self, method: str, uses_panel: bool) -> bool:
        """Tell whether the item belongs on the checklist of a dialogue with this method."""
        if self.requires_panel and not uses_panel:
            return False
        return not self.methods or method in self.methods


PHASES: dict[str, str] = {"fore": "Före", "under": "Under", "efter": "Efter"}


@cache
def checklist_template() -> tuple[ChecklistTemplateItem, ...]:
    """Return the checklist items in the order the guideline lists them."""
    raw = load_toml("checklist.toml")["item"]
    items = tuple(
        ChecklistTemplateItem(
            id=entry["id"],
            phase=entry["phase"],
            text=entry["text"],
            methods=frozenset(entry.get("methods", [])),
            requires_panel=bool(entry.get("requires_panel", False)),
        )
        for entry in raw
    )
    ids = [item.id for item in items]
    if len(ids) != len(set(ids)):
        raise ValueError("checklist.toml: an item id occurs twice")
    unknown = {item.phase for item in items} - PHASES.keys()
    if unknown:
        raise ValueError(f"checklist.toml: unknown phase {sorted(unknown)}")
    return items


@cache
def segments() -> tuple[str, ...]:
    """Return the shared target-group segment tags."""
    return tuple(load_toml("segments.toml")["segments"])


@cache
def demo_vocabulary() -> dict[str, Any]:
    """Return the words the demo generator composes its initiatives from."""
    return load_toml("demo.toml")
