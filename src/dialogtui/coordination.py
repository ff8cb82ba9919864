"""The coordinator's view of overlaps: the pure detection applied to the stored initiatives, with
the coordinator's own decisions (coordinated pairs, rest period, blocked periods, panel cap).

The rest period, the panel cap, blocked periods and the to-do list's look-ahead are the region's
own settings, not the guideline's: the guideline asks that initiatives be coordinated (seed 002
line 23) and says nothing of how many days apart."""

from __future__ import annotations

import hashlib
import json
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, TextIO

from dialogtui import words
from dialogtui.domain import InitiativeSummary, Planned
from dialogtui.lazy import LazySequence
from dialogtui.overlap import (
    CODE_HIGH,
    CODE_LOW,
    CODE_MEDIUM,
    Overlap,
    OverlapIndex,
    blocked_conflicts,
    gc_paused,
    kind_of,
    next_free_window,
    overlaps_for,
    severity_of,
    shift,
)
from dialogtui.rules import (
    PanelPeak,
    counts_toward_panel_cap,
    evaluation_answered,
    panel_peaks,
    peak_text,
)
from dialogtui.store import Store
from dialogtui.todo import HORIZON_DAYS, TodoList, todo_items
from dialogtui.words import overlap_kind, term

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


def panel_heading(cap: int) -> str:
    """ "Hallandspanelen över taket (4 panelenkäter på 12 månader)": the one heading the
    screen, the command line and the import say it with."""
    return f"{term('panel_over_cap')} ({words.count(cap, 'panelenkät')} på 12 månader)"


def panel_cap(store: Store) -> int:
    return store.int_setting(PANEL_CAP_KEY, DEFAULT_PANEL_CAP)


class OpenOverlaps(LazySequence[Overlap]):
    """The open overlaps in the order the overlap view lists them: cluster by cluster (the
    initiatives that overlaps link), the cluster with the most serious first; within one, the
    most serious first, then by the earlier start, then by (a, b).

    Compact: for each severity two arrays of ids, 8 bytes an overlap, where an object with its
    reasons would take hundreds; an `Overlap` is made only for the rows that are read.
    """

    def __init__(
        self,
        index: OverlapIndex,
        a: tuple[array[int], array[int], array[int]],
        b: tuple[array[int], array[int], array[int]],
        offsets: tuple[list[int], list[int], list[int]],
        members: list[int],
    ) -> None:
        self._index = index
        self._a, self._b = a, b
        # offsets[code][r]: where cluster r begins in the arrays of that code; one past the end
        # at the last. members[r]: how many initiatives cluster r links.
        self._offsets = offsets
        self.members = members
        self._first = [sum(offsets[code][r] for code in (0, 1, 2)) for r in range(len(members) + 1)]

    def __len__(self) -> int:
        return self._first[-1]

    def _at(self, position: int) -> Overlap:
        a, b, code = self.pair(position)
        return self._index.overlap(a, b, code)

    def pair(self, position: int) -> tuple[int, int, int]:
        """(a, b, code) of the overlap at a position, without making an object of it."""
        cluster = bisect_right(self._first, position) - 1
        within = position - self._first[cluster]
        for code in (CODE_HIGH, CODE_MEDIUM, CODE_LOW):
            begin = self._offsets[code][cluster]
            count = self._offsets[code][cluster + 1] - begin
            if within < count:
                return self._a[code][begin + within], self._b[code][begin + within], code
            within -= count
        raise IndexError(position)  # unreachable: `_first` counts every code

    def __iter__(self) -> Iterator[Overlap]:
        overlap = self._index.overlap
        for a, b, code in self.pairs():
            yield overlap(a, b, code)

    def pairs(self) -> Iterator[tuple[int, int, int]]:
        """(a, b, code) of every open overlap, in order."""
        for cluster in range(len(self.members)):
            for code in (CODE_HIGH, CODE_MEDIUM, CODE_LOW):
                a, b = self._a[code], self._b[code]
                for i in range(self._offsets[code][cluster], self._offsets[code][cluster + 1]):
                    yield a[i], b[i], code

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(x == y for x, y in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  # equal to lists, so never a key

    def clusters(self) -> list[tuple[int, int, int]]:
        """Each cluster as (the position of its first overlap, its overlaps, its initiatives)."""
        return [
            (self._first[r], self._first[r + 1] - self._first[r], self.members[r])
            for r in range(len(self.members))
        ]


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


class OverlapList(LazySequence[Overlap]):
    """Overlaps held as ids (9 bytes each), made into `Overlap`s only when read: the history of
    a dense region runs to millions of pairs."""

    def __init__(self, index: OverlapIndex) -> None:
        self._index = index
        self._a, self._b, self._codes = array("i"), array("i"), bytearray()

    def append(self, a: int, b: int, code: int) -> None:
        self._a.append(a)
        self._b.append(b)
        self._codes.append(code)

    def __len__(self) -> int:
        return len(self._a)

    def _at(self, position: int) -> Overlap:
        return self._index.overlap(self._a[position], self._b[position], self._codes[position])


@dataclass
class OverlapState:
    """Every overlap of the stored initiatives: open ones (`is_open`), coordinated ones, and
    history (both dialogues ended, never coordinated)."""

    initiatives: dict[int, Planned]
    open: OpenOverlaps
    coordinated: list[tuple[Overlap, CoordinationMark]]
    blocked: list[tuple[int, BlockedPeriod]]
    panel: list[PanelPeak]
    rest_days: int
    panel_cap: int
    index: OverlapIndex
    history: OverlapList
    today: date
    # With an open overlap, or not yet ended in a blocked period: the ones the calendar marks ⚠.
    open_ids: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._coordinated = {(o.a, o.b): (o, m) for o, m in self.coordinated}

    def _open_partners(self, initiative_id: int) -> Iterator[tuple[int, int, int]]:
        """(a, b, code) of the open overlaps of one initiative (`is_open`), unordered."""
        me = self.initiatives.get(initiative_id)
        if me is None:
            return
        for other, code in self.index.partners(initiative_id):
            pair = _ordered(initiative_id, other)
            if pair not in self._coordinated and not is_history(
                me, self.initiatives[other], self.today
            ):
                yield (*pair, code)

    def open_for(self, initiative_id: int) -> list[Overlap]:
        """The open overlaps of one initiative, most serious first, then by the earlier start."""
        found = [
            (-code, self.index.first_start(a, b), a, b, code)
            for a, b, code in self._open_partners(initiative_id)
        ]
        found.sort()
        return [self.index.overlap(a, b, code) for _, _, a, b, code in found]

    def open_count(self, initiative_id: int) -> int:
        """How many open overlaps one initiative has."""
        return sum(1 for _ in self._open_partners(initiative_id))

    def open_blocked_for(self, initiative_id: int) -> list[BlockedPeriod]:
        """The blocked periods of an initiative that has not ended: what is still to act on."""
        ini = self.initiatives.get(initiative_id)
        if ini is None or ini.end < self.today:
            return []
        return self.blocked_for(initiative_id)

    def find(self, a: int, b: int) -> tuple[Overlap, CoordinationMark | None] | None:
        """The overlap of two initiatives and its coordination, if they overlap."""
        pair = _ordered(a, b)
        if pair in self._coordinated:
            return self._coordinated[pair]
        code = self.index.code(*pair)
        return None if code < 0 else (self.index.overlap(*pair, code), None)

    def coordinated_for(self, initiative_id: int) -> list[tuple[Overlap, CoordinationMark]]:
        return [(o, m) for o, m in self.coordinated if initiative_id in (o.a, o.b)]

    def blocked_for(self, initiative_id: int) -> list[BlockedPeriod]:
        return [period for i, period in self.blocked if i == initiative_id]

    def other(self, overlap: Overlap, initiative_id: int) -> Planned:
        return self.initiatives[overlap.b if overlap.a == initiative_id else overlap.a]


def _ordered(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _new_arrays() -> tuple[array[int], array[int], array[int]]:
    return array("i"), array("i"), array("i")


@dataclass
class _Split:
    """All overlaps, the open ones in per-severity arrays ordered by (earlier start, a, b)."""

    a: tuple[array[int], array[int], array[int]]
    b: tuple[array[int], array[int], array[int]]
    coordinated: list[tuple[Overlap, CoordinationMark]]
    history: OverlapList


def _split(
    index: OverlapIndex,
    initiatives: Mapping[int, Planned],
    marks: Mapping[tuple[int, int], CoordinationMark],
    cancelled: Callable[[], bool] | None,
    today: date,
) -> _Split:
    """Sort every overlap into open (by severity), coordinated and history (`is_open`), a day's
    batch at a time."""
    a_arrays, b_arrays = _new_arrays(), _new_arrays()
    coordinated: list[tuple[Overlap, CoordinationMark]] = []
    history = OverlapList(index)
    marked = {a for a, _ in marks}
    # `is_history` for ids: both ended before today. Held as a set so the loop asks no objects.
    ended = {ident for ident, ini in initiatives.items() if ini.end < today}
    for _, batch in index.by_first_start(cancelled):
        batch.sort()
        for a, b, code in batch:
            if a in marked:
                mark = marks.get((a, b))
                if mark is not None and mark.fingerprint == fingerprint(
                    initiatives[a], initiatives[b]
                ):
                    coordinated.append((index.overlap(a, b, code), mark))
                    continue
            if a in ended and b in ended:
                history.append(a, b, code)
                continue
            a_arrays[code].append(a)
            b_arrays[code].append(b)
    coordinated.sort(key=lambda item: (item[0].a, item[0].b))
    return _Split(a_arrays, b_arrays, coordinated, history)


def _clustered(index: OverlapIndex, split: _Split) -> tuple[OpenOverlaps, set[int]]:
    """The open overlaps grouped in clusters, and the initiatives they link."""
    parent: dict[int, int] = {}

    def root(node: int) -> int:
        up = parent.setdefault(node, node)
        while up != node:
            grand = parent[up]
            parent[node] = grand  # path halving keeps the trees flat
            node, up = grand, parent[grand]
        return node

    codes = (CODE_HIGH, CODE_MEDIUM, CODE_LOW)
    for code in codes:
        for a, b in zip(split.a[code], split.b[code], strict=True):
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    cluster_of = {node: root(node) for node in parent}
    # Clusters rank by their first overlap in severity and date order.
    rank: dict[int, int] = {}
    for code in codes:
        for a in split.a[code]:
            top = cluster_of[a]
            if top not in rank:
                rank[top] = len(rank)
    members = [0] * len(rank)
    for top in cluster_of.values():
        members[rank[top]] += 1
    ranked = {node: rank[top] for node, top in cluster_of.items()}
    offsets = ([0], [0], [0])
    for code in codes:
        offsets[code][:] = _group_by_cluster(split.a[code], split.b[code], ranked, len(rank))
    return OpenOverlaps(index, split.a, split.b, offsets, members), set(cluster_of)


def _group_by_cluster(
    a: array[int], b: array[int], ranked: Mapping[int, int], clusters: int
) -> list[int]:
    """Reorder the pairs (a[i], b[i]) cluster by cluster, in place and stably; return where each
    cluster begins (and, last, the end)."""
    offsets = [0] * (clusters + 1)
    if clusters == 1 or not a:  # in order already (the densest files make one cluster)
        offsets[1:] = [len(a)] * clusters
        return offsets
    ranks = array("i", (ranked[x] for x in a))
    for r in ranks:
        offsets[r + 1] += 1
    for r in range(clusters):
        offsets[r + 1] += offsets[r]
    place = offsets[:-1]
    zeros = bytes(a.itemsize * len(a))
    a_new, b_new = array("i", zeros), array("i", zeros)
    for i, r in enumerate(ranks):
        j = place[r]
        place[r] = j + 1
        a_new[j] = a[i]
        b_new[j] = b[i]
    a[:] = a_new
    b[:] = b_new
    return offsets


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
    with gc_paused():
        index = OverlapIndex(initiatives.values(), rest)
        split = _split(index, initiatives, marks, cancelled, today)
        open_, linked = _clustered(index, split)
    blocked = blocked_conflicts(list(initiatives.values()), store.blocked_periods())
    cap = panel_cap(store)
    return OverlapState(
        initiatives=initiatives,
        open=open_,
        coordinated=split.coordinated,
        blocked=blocked,
        panel=panel_peaks(store.panel_surveys(), cap),
        rest_days=rest,
        panel_cap=cap,
        index=index,
        history=split.history,
        today=today,
        open_ids=linked | {ident for ident, _ in blocked if initiatives[ident].end >= today},
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
    # The suggested period would still take the panel over its cap: moving does not cure that.
    suggestion_over_cap: bool = False

    @property
    def is_clear(self) -> bool:
        return not self.overlaps and not self.blocked and self.panel is None

    def panel_line(self, candidate_title: str) -> str | None:
        """The warning about the panel's cap, naming the survey pushed over it, if any."""
        peak = self.panel
        if peak is None:
            return None
        found = self.others.get(peak.initiative_id)
        title = found.title if found is not None else candidate_title
        return f"{panel_heading(self.panel_cap)}: ”{title}” {peak_text(peak)}"


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
    counts = candidate.stage.value != "cancelled" and counts_toward_panel_cap(
        candidate.method, candidate.uses_panel
    )
    surveys = [(i, start) for i, start in store.panel_surveys() if i != me] if counts else []
    before = {p.initiative_id for p in panel_peaks(surveys, cap)}

    def new_peak(start: date) -> PanelPeak | None:
        """Only a peak that this save creates: its own, or a later survey's it pushes over."""
        if not counts:
            return None
        peaks = panel_peaks([*surveys, (me, start)], cap)
        return next((p for p in peaks if p.initiative_id == me), None) or next(
            (p for p in peaks if p.initiative_id not in before), None
        )

    panel = new_peak(candidate.start)
    suggestion = None
    if found or blocked:
        start = next_free_window(
            candidate, list(others.values()), rest, ignore=still_coordinated, periods=periods
        )
        if start is not None:
            suggestion = shift(candidate, start)
    over_cap = suggestion is not None and new_peak(suggestion.start) is not None
    return CandidateCheck(found, others, blocked, suggestion, panel, cap, over_cap)


# Records are written in chunks of this many: few writes, and little held at once.
_CHUNK = 2048


def write_overlaps_json(
    store: Store,
    out: TextIO,
    rest: int | None = None,
    include_coordinated: bool = False,
    *,
    today: date,
) -> int:
    """Write DESIGN.md's contract of `dialogtui overlaps --json`, sorted by (a, b), a < b: the
    bytes `json.dumps(records, ensure_ascii=False, indent=2)` would write, without ever holding
    more than a chunk of them, so that memory stays flat however many pairs overlap.

    Every overlap, history included (both dialogues ended); `open` says which are open
    (`is_open`). Coordinated ones only when asked for. Returns the number of records written.
    """
    rest = rest_days(store) if rest is None else rest
    initiatives = {i.id: i for i in store.planned()}
    marks = store.coordination_marks()
    marked = {a for a, _ in marks}
    ended = {ident for ident, ini in initiatives.items() if ini.end < today}
    index = OverlapIndex(initiatives.values(), rest)
    encode = encode_basestring  # what json.dumps uses with ensure_ascii=False
    written = 0
    chunk: list[str] = []
    for a, found in index.by_id():
        for b, code in found:
            coordinated = "false"
            is_open_ = "false" if a in ended and b in ended else "true"
            if a in marked:
                mark = marks.get((a, b))
                if mark is not None and mark.fingerprint == fingerprint(
                    initiatives[a], initiatives[b]
                ):
                    if not include_coordinated:
                        continue
                    coordinated, is_open_ = "true", "false"
            reasons = index.reasons(a, b, code)
            listed = (
                "[\n      " + ",\n      ".join(map(encode, reasons)) + "\n    ]"
                if reasons
                else "[]"
            )
            chunk.append(
                f'  {{\n    "a": {a},\n    "b": {b},\n    "kind": "{_KINDS[code]}",\n'
                f'    "severity": "{_SEVERITIES[code]}",\n    "reasons": {listed},\n'
                f'    "coordinated": {coordinated},\n    "open": {is_open_}\n  }}'
            )
            if len(chunk) == _CHUNK:
                out.write(("[\n" if not written else ",\n") + ",\n".join(chunk))
                written += len(chunk)
                chunk.clear()
    if chunk:
        out.write(("[\n" if not written else ",\n") + ",\n".join(chunk))
        written += len(chunk)
    out.write("\n]\n" if written else "[]\n")
    return written


_KINDS = tuple(kind_of(code) for code in (CODE_LOW, CODE_MEDIUM, CODE_HIGH))
_SEVERITIES = tuple(severity_of(code).value for code in (CODE_LOW, CODE_MEDIUM, CODE_HIGH))


def write_overlaps_text(
    store: Store,
    out: TextIO,
    rest: int | None = None,
    include_coordinated: bool = False,
    *,
    today: date,
) -> None:
    """Write the readable list of `dialogtui overlaps`: the open overlaps, most serious first,
    then by the earlier start; coordinated ones, blocked periods and the panel's load after.

    The count comes first, so the overlaps are sought before anything is written; they are held
    as two arrays of ids (8 bytes an overlap) and their reasons written as they go out.
    """
    rest = rest_days(store) if rest is None else rest
    initiatives = {i.id: i for i in store.planned()}
    index = OverlapIndex(initiatives.values(), rest)
    split = _split(index, initiatives, store.coordination_marks(), None, today)
    count = sum(len(ids) for ids in split.a)
    out.write(f"Öppna överlapp: {count} (vilotid {words.count(rest, 'dag')})\n")
    titles = {ident: initiative.title for ident, initiative in initiatives.items()}
    chunk: list[str] = []
    for code in (CODE_HIGH, CODE_MEDIUM, CODE_LOW):
        head = f"\n{severity_of(code).label:<5} {overlap_kind(kind_of(code)):<14} #"
        for a, b in zip(split.a[code], split.b[code], strict=True):
            chunk.append(f"{head}{a} {titles[a]}  ↔  #{b} {titles[b]}\n")
            chunk.extend([f"      {reason}\n" for reason in index.reasons(a, b, code)])
            if len(chunk) >= _CHUNK:
                out.write("".join(chunk))
                chunk.clear()
    if include_coordinated:
        for overlap, mark in split.coordinated:
            a, b = overlap.a, overlap.b
            chunk.append(
                f"\n{overlap.severity.label:<5} {overlap_kind(overlap.kind):<14} #{a} {titles[a]}"
                f"  ↔  #{b} {titles[b]}  [samordnat: {mark.note}]\n"
            )
            chunk.extend([f"      {reason}\n" for reason in overlap.reasons])
    out.write("".join(chunk))
    if not include_coordinated and split.coordinated:
        out.write(f"\nSamordnade: {len(split.coordinated)} (visa med --include-coordinated)\n")
    blocked = blocked_conflicts(list(initiatives.values()), store.blocked_periods())
    if blocked:
        out.write("\nI spärrade perioder:\n")
        for initiative_id, period in blocked:
            out.write(
                f"  #{initiative_id} {initiatives[initiative_id].title}: {period.name}"
                f" {period.start.isoformat()}–{period.end.isoformat()}\n"
            )
    if split.history:
        out.write(f"\nHistorik: båda dialogerna {term('ended')}: {len(split.history)}\n")
    cap = panel_cap(store)
    panel = panel_peaks(store.panel_surveys(), cap)
    if panel:
        out.write(f"\n{panel_heading(cap)}:\n")
        for peak in panel:
            out.write(f"  #{peak.initiative_id} {titles[peak.initiative_id]}: {peak_text(peak)}\n")


class TodoOverlaps(LazySequence[tuple[int, int, str]]):
    """The open overlaps the to-do list shows, as (a, b, severity label), in its order: by the
    later start, then a, then as the overlap view orders them. Compact, 9 bytes an overlap."""

    def __init__(self, a: array[int], b: array[int], codes: bytearray) -> None:
        self._a, self._b, self._codes = a, b, codes

    def __len__(self) -> int:
        return len(self._a)

    def _at(self, position: int) -> tuple[int, int, str]:
        return self._a[position], self._b[position], _LABELS[self._codes[position]]


_LABELS = tuple(severity_of(code).label for code in (CODE_LOW, CODE_MEDIUM, CODE_HIGH))


def todo_overlaps(
    state: OverlapState, summaries: Mapping[int, InitiativeSummary], today: date
) -> TodoOverlaps:
    """The open overlaps for the to-do list (`is_open`: not coordinated, not both ended by
    `today`), in the list's order."""
    a_ids, b_ids, codes = array("i"), array("i"), bytearray()
    coordinated = {(o.a, o.b) for o, _ in state.coordinated}
    first_start = state.index.first_start
    for _, batch in state.index.by_last_start():
        keep = []
        for a, b, code in batch:
            first, second = summaries.get(a), summaries.get(b)
            if first is None or second is None or (a, b) in coordinated:
                continue
            if first.end >= today or second.end >= today:
                keep.append((a, -code, first_start(a, b), b, code))
        keep.sort()
        for a, _, _, b, code in keep:
            a_ids.append(a)
            b_ids.append(b)
            codes.append(code)
    return TodoOverlaps(a_ids, b_ids, codes)


def todo_list(store: Store, today: date, state: OverlapState | None) -> TodoList:
    """The to-do list from what is stored; overlaps only once they have been computed.

    Overlaps are the state's open ones (`is_open`), so that the list and the views agree.
    """
    summaries = store.summaries()
    by_id = {s.id: s for s in summaries}
    overlaps = (
        todo_overlaps(state, by_id, today)
        if state is not None
        else TodoOverlaps(array("i"), array("i"), bytearray())
    )
    answered = {i: evaluation_answered(e) for i, e in store.evaluations().items()}
    return todo_items(
        today,
        summaries,
        store.settled_items(),
        answered,
        store.feedback_promises(),
        overlaps,
        ordered=True,
        horizon=horizon_days(store),
    )
