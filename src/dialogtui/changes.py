"""What a write touched, so that only what shows it is read again.

One rule, one place: a save of this session and an audit entry of another session are described
by the same function, `touched`, which decides which initiative a change belongs to and whether
the overlaps can have moved (recomputing them is the one expensive refresh).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dialogtui.domain import AuditEntry

# The initiative's fields that the overlap search reads (`domain.Planned`): its dates, groups,
# panel use and stage decide the overlaps; title and unit are held by the overlap views.
OVERLAP_FIELDS = frozenset(
    {"start", "end", "target_groups", "uses_panel", "stage", "title", "unit"}
)
# Entities whose every change moves the overlaps: coordination marks, blocked periods, and the
# settings (rest period, panel cap) the search runs with.
OVERLAP_ENTITIES = frozenset({"overlap", "blocked_period", "setting"})
# Entities that belong to one initiative and change nothing beyond it and its lists.
INITIATIVE_ENTITIES = frozenset(
    {"initiative", "checklist", "feedback", "public_feedback", "evaluation"}
)


@dataclass(frozen=True, slots=True)
class Change:
    """A summary of one or more writes: whom they concern and what they may have moved."""

    # Initiatives whose own data changed: their page, checklist, evaluation read it again.
    initiatives: frozenset[int] = frozenset()
    # The entities written ("initiative", "checklist", "feedback", …), for lists that show some.
    entities: frozenset[str] = frozenset()
    # The overlaps may have changed: search them again.
    overlaps: bool = False
    # The scope is unknown (a restore, an entity this version does not know): read all again.
    everything: bool = False

    def __or__(self, other: Change) -> Change:
        return Change(
            self.initiatives | other.initiatives,
            self.entities | other.entities,
            self.overlaps or other.overlaps,
            self.everything or other.everything,
        )

    def __bool__(self) -> bool:
        return bool(self.initiatives or self.entities or self.overlaps or self.everything)

    def concerns(self, initiative_id: int | None) -> bool:
        """Whether a view of this one initiative shows something the change touched."""
        return self.everything or (initiative_id is not None and initiative_id in self.initiatives)

    def touches(self, *entities: str) -> bool:
        """Whether a view that lists these entities (of any initiative) shows the change."""
        return self.everything or not self.entities.isdisjoint(entities)


EVERYTHING = Change(everything=True, overlaps=True)


def touched(
    entity: str, action: str, initiative_id: int | None, fields: Iterable[str] = ()
) -> Change:
    """The change one write made: `fields` are the changed fields, as the audit log names them."""
    ids = frozenset({initiative_id}) if initiative_id is not None else frozenset()
    if entity == "initiative":
        moved = action in ("create", "delete") or not OVERLAP_FIELDS.isdisjoint(fields)
        return Change(ids, frozenset({entity}), overlaps=moved)
    if entity in INITIATIVE_ENTITIES:
        return Change(ids, frozenset({entity}))
    if entity in OVERLAP_ENTITIES:
        return Change(ids, frozenset({entity}), overlaps=True)
    # A restore, or what a newer version writes: this one cannot tell what it touched.
    return EVERYTHING


def from_audit(entries: Iterable[AuditEntry]) -> Change:
    """What another session's audited writes touched, all together."""
    change = Change()
    for entry in entries:
        change |= touched(entry.entity, entry.action, entry.initiative_id, entry.changes)
    return change
