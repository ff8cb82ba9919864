"""The coordinator's view of overlaps: the pure detection applied to the stored initiatives, with
the coordinator's own decisions (coordinated pairs, rest period, blocked periods, panel cap)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from dialogtui.domain import Planned
from dialogtui.overlap import (
    Overlap,
    blocked_conflicts,
    clusters,
    find_overlaps,
    next_free_window,
    overlaps_for,
    panel_load,
    shift,
)
from dialogtui.store import Store
from dialogtui.todo import TodoItem, todo_items

if TYPE_CHECKING:
    from dialogtui.models import BlockedPeriod, CoordinationMark, Initiative, Schedulable

REST_DAYS_KEY = "rest_days"
PANEL_CAP_KEY = "panel_cap"
DEFAULT_REST_DAYS = 14
DEFAULT_PANEL_CAP = 4


def fingerprint(first: Schedulable, second: Schedulable) -> str:
    """What a coordination decision was about: both initiatives' dates, groups and panel use.

    When either changes, the fingerprint changes, and the overlap warns again.
    """
    parts = []
    for ini in sorted((first, second), key=lambda i: i.id or 0):
        parts.append(
            [
                ini.id,
                ini.start.isoformat(),
                ini.end.isoformat(),
                ini.uses_panel,
                [
                    {
                        "municipalities": [m.value for m in g.municipalities],
                        "age_min": g.age_min,
                        "age_max": g.age_max,
                        "segments": list(g.segments),
                    }
                    for g in ini.target_groups
                ],
            ]
        )
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def rest_days(store: Store) -> int:
    return store.int_setting(REST_DAYS_KEY, DEFAULT_REST_DAYS)


def panel_cap(store: Store) -> int:
    return store.int_setting(PANEL_CAP_KEY, DEFAULT_PANEL_CAP)


def _order(overlap: Overlap, initiatives: dict[int, Planned]) -> tuple[int, object, int, int]:
    first = min(initiatives[overlap.a].start, initiatives[overlap.b].start)
    return (-overlap.severity.rank, first, overlap.a, overlap.b)


@dataclass
class OverlapState:
    """Every overlap of the stored initiatives, split into open and coordinated ones."""

    initiatives: dict[int, Planned]
    open: list[Overlap]
    coordinated: list[tuple[Overlap, CoordinationMark]]
    blocked: list[tuple[int, BlockedPeriod]]
    panel: list[tuple[int, int, int]]
    rest_days: int
    panel_cap: int
    _by_initiative: dict[int, list[Overlap]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for overlap in self.open:
            self._by_initiative.setdefault(overlap.a, []).append(overlap)
            self._by_initiative.setdefault(overlap.b, []).append(overlap)

    @property
    def open_ids(self) -> set[int]:
        """Initiatives with at least one open overlap or a blocked period: the ones to mark."""
        return set(self._by_initiative) | {initiative_id for initiative_id, _ in self.blocked}

    def open_for(self, initiative_id: int) -> list[Overlap]:
        return self._by_initiative.get(initiative_id, [])

    def coordinated_for(self, initiative_id: int) -> list[tuple[Overlap, CoordinationMark]]:
        return [(o, m) for o, m in self.coordinated if initiative_id in (o.a, o.b)]

    def blocked_for(self, initiative_id: int) -> list[BlockedPeriod]:
        return [period for i, period in self.blocked if i == initiative_id]

    def clusters(self) -> list[list[Overlap]]:
        """Open overlaps grouped by the initiatives they link, most serious cluster first."""
        if not self.open:
            return []
        member_of: dict[int, int] = {}
        for index, ids in enumerate(clusters(self.open)):
            for initiative_id in ids:
                member_of[initiative_id] = index
        grouped: dict[int, list[Overlap]] = {}
        for overlap in self.open:  # already in severity, date order
            grouped.setdefault(member_of[overlap.a], []).append(overlap)
        return sorted(grouped.values(), key=lambda group: _order(group[0], self.initiatives))

    def other(self, overlap: Overlap, initiative_id: int) -> Planned:
        return self.initiatives[overlap.b if overlap.a == initiative_id else overlap.a]


def load_state(
    store: Store, rest: int | None = None, cancelled: Callable[[], bool] | None = None
) -> OverlapState:
    """Read everything the overlap views need, in one pass over the stored initiatives.

    Raises `overlap.Cancelled` when `cancelled` says so while the overlaps are sought.
    """
    rest = rest_days(store) if rest is None else rest
    initiatives = {i.id: i for i in store.planned()}
    marks = store.coordination_marks()
    open_: list[Overlap] = []
    coordinated: list[tuple[Overlap, CoordinationMark]] = []
    for overlap in find_overlaps(list(initiatives.values()), rest, cancelled):
        mark = marks.get((overlap.a, overlap.b))
        current = fingerprint(initiatives[overlap.a], initiatives[overlap.b]) if mark else None
        if mark is not None and mark.fingerprint == current:
            coordinated.append((overlap, mark))
        else:
            open_.append(overlap)
    open_.sort(key=lambda o: _order(o, initiatives))
    cap = panel_cap(store)
    return OverlapState(
        initiatives=initiatives,
        open=open_,
        coordinated=coordinated,
        blocked=blocked_conflicts(list(initiatives.values()), store.blocked_periods()),
        panel=panel_load(list(initiatives.values()), cap),
        rest_days=rest,
        panel_cap=cap,
    )


@dataclass
class CandidateCheck:
    """What saving a registration or edit would cause, told before anything is written."""

    overlaps: list[Overlap]
    others: dict[int, Planned]
    blocked: list[BlockedPeriod]
    suggestion: Initiative | None

    @property
    def is_clear(self) -> bool:
        return not self.overlaps and not self.blocked


def check_candidate(store: Store, candidate: Initiative) -> CandidateCheck:
    """The new overlaps and blocked periods the candidate would have, and the next free window."""
    rest = rest_days(store)
    others = {i.id: i for i in store.planned() if i.id != candidate.id}
    marks = store.coordination_marks()
    me = candidate.id or 0
    still_coordinated = set()
    for (a, b), mark in marks.items():
        if me in (a, b):
            other = others.get(b if a == me else a)
            if other is not None and mark.fingerprint == fingerprint(candidate, other):
                still_coordinated.add(frozenset((a, b)))
    # An edit warns only of what it would create: overlaps the stored version already has are
    # known (and listed on the overlap view); repeating them on every save teaches to ignore.
    known: set[frozenset[int]] = set()
    known_blocked: set[int | None] = set()
    periods = store.blocked_periods()
    if candidate.id is not None:
        stored = store.initiative(candidate.id)
        known = {o.pair for o in overlaps_for(stored, list(others.values()), rest)}
        known_blocked = {p.id for _, p in blocked_conflicts([stored], periods)}
    found = [
        o
        for o in overlaps_for(candidate, list(others.values()), rest)
        if o.pair not in still_coordinated and o.pair not in known
    ]
    blocked = [
        p
        for _, p in blocked_conflicts([candidate.model_copy(update={"id": me})], periods)
        if p.id not in known_blocked
    ]
    suggestion = None
    if found or blocked:
        start = next_free_window(
            candidate, list(others.values()), rest, ignore=still_coordinated, periods=periods
        )
        if start is not None:
            suggestion = shift(candidate, start)
    return CandidateCheck(found, others, blocked, suggestion)


def overlap_json(state: OverlapState, include_coordinated: bool) -> list[dict[str, object]]:
    """The DESIGN.md contract of `dialogtui overlaps --json`: sorted by (a, b), a < b."""
    rows: Iterable[tuple[Overlap, bool]] = [(o, False) for o in state.open]
    if include_coordinated:
        rows = [*rows, *((o, True) for o, _ in state.coordinated)]
    return [
        o.to_json(coordinated) for o, coordinated in sorted(rows, key=lambda r: (r[0].a, r[0].b))
    ]


def todo_list(store: Store, today: date, state: OverlapState | None) -> list[TodoItem]:
    """The to-do list from what is stored; overlaps only once they have been computed."""
    overlaps = [(o.a, o.b, o.severity.label) for o in state.open] if state is not None else []
    return todo_items(
        today,
        store.summaries(),
        store.checklists(),
        set(store.evaluations()),
        store.feedback_promises(),
        overlaps,
    )
