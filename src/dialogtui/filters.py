"""The filter shared by every calendar view: which initiatives the coordinator wants to see."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from dialogtui.domain import Method, Municipality, Stage

if TYPE_CHECKING:
    from dialogtui.models import Initiative


@dataclass(frozen=True, slots=True)
class Filter:
    """One value per facet; None (or empty text) means the facet does not narrow anything.

    Municipality and segment select the initiatives that *reach* those residents: a target group
    that names them, or one that covers the whole region or all residents.
    """

    text: str = ""
    unit: str | None = None
    method: Method | None = None
    stage: Stage | None = None
    municipality: Municipality | None = None
    segment: str | None = None
    panel: bool | None = None

    @property
    def is_empty(self) -> bool:
        return self == Filter()

    def describe(self) -> str:
        """The active filter in Swedish, for the line that always shows it."""
        parts: list[str] = []
        if self.text:
            parts.append(f"text ”{self.text}”")
        if self.unit:
            parts.append(f"beställare {self.unit}")
        if self.method:
            parts.append(f"metod {self.method.label}")
        if self.stage:
            parts.append(f"skede {self.stage.label}")
        if self.municipality:
            parts.append(f"kommun {self.municipality.value}")
        if self.segment:
            parts.append(f"segment {self.segment}")
        if self.panel is not None:
            parts.append("med invånarpanelen" if self.panel else "utan invånarpanelen")
        return " · ".join(parts) if parts else "inget filter"

    def matches(self, initiative: Initiative) -> bool:
        """The same rule the store applies in SQL, for code that holds models in memory."""
        if self.text:
            needle = self.text.casefold()
            haystack = " ".join(
                (
                    initiative.title,
                    initiative.unit,
                    initiative.purpose,
                    initiative.contact,
                    initiative.owner,
                )
            ).casefold()
            if needle not in haystack:
                return False
        if self.unit and initiative.unit != self.unit:
            return False
        if self.method and initiative.method is not self.method:
            return False
        if self.stage and initiative.stage is not self.stage:
            return False
        if self.panel is not None and initiative.uses_panel is not self.panel:
            return False
        if self.municipality and not any(
            not g.municipalities or self.municipality in g.municipalities
            for g in initiative.target_groups
        ):
            return False
        return not self.segment or any(
            not g.segments or self.segment in g.segments for g in initiative.target_groups
        )


FACETS = tuple(f.name for f in fields(Filter))
