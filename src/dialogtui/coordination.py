"""The coordinator's view of overlaps: the pure detection applied to the stored initiatives, with
the coordinator's own decisions (coordinated pairs, rest period, blocked periods, panel cap).

The rest period, the panel cap, blocked periods and the to-do list's look-ahead are the region's
own settings, not the guideline's: the guideline asks that initiatives be coordinated (seed 002
line 23) and says nothing of how many days apart."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
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
    shift,
)
from dialogtui.rules import PanelPeak, counts_toward_panel_cap, evaluation_answered, panel_peaks
from dialogtui.store import Store
from dialogtui.todo import HORIZON_DAYS, TodoItem, todo_items

if TYPE_CHECKING:
    from dialogtui.models import BlockedPeriod, CoordinationMark, Initiative, Schedulable

REST_DAYS_KEY = "rest_days"
# Panel surveys in any twelve months: Hallandspanelen tells its members to expect about four
# mailings with questions a year. (The key changed with the unit: it was per quarter.)
PANEL_CAP_KEY = "panel_cap_year"
HORIZON_KEY = "todo_horizon_days"
DEFAULT_REST_DAYS = 14
DEFAULT_PANEL_CAP = 4
DEFAULT_HORIZON_DAYS = HORIZON_DAYS


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


def horizon_days(store: Store) -> int:
    """How far ahead the to-do list looks for deadlines and dialogues about to start."""
    return store.int_setting(HORIZON_KEY, DEFAULT_HORIZON_DAYS)


def is_history(first: Schedulable, second: Schedulable, today: date) -> bool:
    """Both dialogues have ended: their overlap is history, nothing is left to coordinate."""
    return max(first.end, second.end) < today


def is_open(
    first: Schedulable, second: Schedulable, mark: CoordinationMark | None, today: date
) -> bool:
    """The one definition of an open overlap, used by the overlap view, the to-do list, the
    calendar's ⚠, the page and the command line: not coordinated (or coordinated before either
    changed), and not history."""
    coordinated = mark is not None and mark.fingerprint == fingerprint(first, second)
    return not coordinated and not is_history(first, second, today)


def _order(overlap: Overlap, initiatives: dict[int, Planned]) -> tuple[int, object, int, int]:
    first = min(initiatives[overlap.a].start, initiatives[overlap.b].start)
    return (-overlap.severity.rank, first, overlap.a, overlap.b)


@dataclass
class OverlapState:
    """Every overlap of the stored initiatives: open ones (`is_open`), coordinated ones, and
    history (both dialogues ended, never coordinated)."""

    initiatives: dict[int, Planned]
    open: list[Overlap]
    coordinated: list[tuple[Overlap, CoordinationMark]]
    blocked: list[tuple[int, BlockedPeriod]]
    panel: list[PanelPeak]
    rest_days: int
    panel_cap: int
    history: list[Overlap] = field(default_factory=list)
    today: date | None = None
    _by_initiative: dict[int, list[Overlap]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for overlap in self.open:
            self._by_initiative.setdefault(overlap.a, []).append(overlap)
            self._by_initiative.setdefault(overlap.b, []).append(overlap)

    @property
    def open_ids(self) -> set[int]:
        """Initiatives with at least one open overlap, or not yet ended in a blocked period:
        the ones the calendar marks with ⚠."""
        return set(self._by_initiative) | {
            initiative_id
            for initiative_id, _ in self.blocked
            if self.today is None or self.initiatives[initiative_id].end >= self.today
        }

    def open_blocked_for(self, initiative_id: int) -> list[BlockedPeriod]:
        """The blocked periods of an initiative that has not ended: what is still to act on."""
        ini = self.initiatives.get(initiative_id)
        if ini is None or (self.today is not None and ini.end < self.today):
            return []
        return self.blocked_for(initiative_id)

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
    store: Store,
    rest: int | None = None,
    cancelled: Callable[[], bool] | None = None,
    *,
    today: date,
) -> OverlapState:
    """Read everything the overlap views need, in one pass over the stored initiatives.

    Raises `overlap.Cancelled` when `cancelled` says so while the overlaps are sought.
    """
    rest = rest_days(store) if rest is None else rest
    initiatives = {i.id: i for i in store.planned()}
    marks = store.coordination_marks()
    open_: list[Overlap] = []
    history: list[Overlap] = []
    coordinated: list[tuple[Overlap, CoordinationMark]] = []
    for overlap in find_overlaps(list(initiatives.values()), rest, cancelled):
        first, second = initiatives[overlap.a], initiatives[overlap.b]
        mark = marks.get((overlap.a, overlap.b))
        if is_open(first, second, mark, today):
            open_.append(overlap)
        elif mark is not None and mark.fingerprint == fingerprint(first, second):
            coordinated.append((overlap, mark))
        else:
            history.append(overlap)
    open_.sort(key=lambda o: _order(o, initiatives))
    cap = panel_cap(store)
    return OverlapState(
        initiatives=initiatives,
        open=open_,
        coordinated=coordinated,
        blocked=blocked_conflicts(list(initiatives.values()), store.blocked_periods()),
        panel=panel_peaks(store.panel_surveys(), cap),
        rest_days=rest,
        panel_cap=cap,
        history=history,
        today=today,
    )


@dataclass
class CandidateCheck:
    """What saving a registration or edit would cause, told before anything is written."""

    overlaps: list[Overlap]
    others: dict[int, Planned]
    blocked: list[BlockedPeriod]
    suggestion: Initiative | None
    # The candidate's place among the panel surveys, when it would go over the panel's cap.
    panel: PanelPeak | None = None
    panel_cap: int = DEFAULT_PANEL_CAP

    @property
    def is_clear(self) -> bool:
        return not self.overlaps and not self.blocked and self.panel is None


def check_candidate(store: Store, candidate: Initiative, today: date) -> CandidateCheck:
    """The new open overlaps and blocked periods the candidate would have, whether it would take
    the panel over its cap, and the next free window."""
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
        if o.pair not in still_coordinated
        and o.pair not in known
        and not is_history(candidate, others[o.b if o.a == me else o.a], today)
    ]
    blocked = [
        p
        for _, p in blocked_conflicts([candidate.model_copy(update={"id": me})], periods)
        if p.id not in known_blocked
    ]
    if candidate.end < today:
        blocked = []  # registered after the fact: nothing is left to move
    cap = panel_cap(store)
    panel = None
    if candidate.stage.value != "cancelled" and counts_toward_panel_cap(
        candidate.method, candidate.uses_panel
    ):
        surveys = [(i, start) for i, start in store.panel_surveys() if i != me]
        peaks = panel_peaks([*surveys, (me, candidate.start)], cap)
        before = {p.initiative_id for p in panel_peaks(surveys, cap)}
        # Only a peak that this save creates: its own, or a later survey's it pushes over.
        panel = next((p for p in peaks if p.initiative_id == me), None) or next(
            (p for p in peaks if p.initiative_id not in before), None
        )
    suggestion = None
    if found or blocked:
        start = next_free_window(
            candidate, list(others.values()), rest, ignore=still_coordinated, periods=periods
        )
        if start is not None:
            suggestion = shift(candidate, start)
    return CandidateCheck(found, others, blocked, suggestion, panel, cap)


def overlap_json(state: OverlapState, include_coordinated: bool) -> list[dict[str, object]]:
    """The DESIGN.md contract of `dialogtui overlaps --json`: sorted by (a, b), a < b.

    Every overlap, history included (both dialogues ended); `open` says which are open
    (`is_open`). Coordinated ones only when asked for.
    """
    rows: list[tuple[Overlap, bool, bool]] = [(o, False, True) for o in state.open]
    rows += [(o, False, False) for o in state.history]
    if include_coordinated:
        rows += [(o, True, False) for o, _ in state.coordinated]
    return [
        {**o.to_json(coordinated), "open": is_open_}
        for o, coordinated, is_open_ in sorted(rows, key=lambda r: (r[0].a, r[0].b))
    ]


def todo_list(store: Store, today: date, state: OverlapState | None) -> list[TodoItem]:
    """The to-do list from what is stored; overlaps only once they have been computed.

    Overlaps are the state's open ones (`is_open`), so that the list and the views agree.
    """
    overlaps = [(o.a, o.b, o.severity.label) for o in state.open] if state is not None else []
    answered = {i: evaluation_answered(e) for i, e in store.evaluations().items()}
    return todo_items(
        today,
        store.summaries(),
        store.checklists(),
        answered,
        store.feedback_promises(),
        overlaps,
        horizon=horizon_days(store),
    )
