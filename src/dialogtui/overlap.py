"""Overlap detection between citizen-dialogue initiatives: pure logic, no I/O, no UI.

Rules (DESIGN.md, "Target groups and overlap"):

- Two target groups *intersect* when their municipalities intersect (empty = all six), their
  inclusive age ranges intersect (touching at one year counts) and their segments intersect
  (empty = all residents).
- Two initiatives *overlap* when neither is cancelled, they are close in time, and some target
  group of one intersects some target group of the other or both use the residents' panel.
  Close in time: their inclusive periods share a day (kind ``"direct"``), or the later one starts
  at most ``rest_days`` days after the earlier one ends (kind ``"near"``).

Severity rule:

- ``HIGH`` ("hög"): direct, and either both use the panel or some pair of intersecting target
  groups is equal in structure (same municipalities, same age range, same segments, where an
  empty list and the full list mean the same thing) -- the very same people are asked twice at
  once.
- ``MEDIUM`` ("medel"): any other direct overlap -- the groups only partly coincide.
- ``LOW`` ("låg"): near -- the rest period between the two is too short.

Severities compare by how serious they are (``LOW < MEDIUM < HIGH``), so ``max`` gives the worst
and ``sorted(..., reverse=True)`` puts the most serious first.
"""

from __future__ import annotations

import gc
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from datetime import date
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from dialogtui import catalog, words
from dialogtui.dates import format_ordinal_period
from dialogtui.domain import (
    AGE_MAX,
    AGE_MIN,
    GroupFacts,
    LabelledEnum,
    Municipality,
    Stage,
    describe_group,
)

if TYPE_CHECKING:
    from dialogtui.models import BlockedPeriod, Initiative, Schedulable, TargetGroup

__all__ = [
    "Overlap",
    "Severity",
    "blocked_conflicts",
    "clusters",
    "find_overlaps",
    "find_overlaps_naive",
    "groups_intersect",
    "next_free_window",
    "overlaps_for",
    "shift",
]

Kind = Literal["direct", "near"]


class Severity(LabelledEnum):
    """How serious an overlap is; compares by seriousness, not alphabetically."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def label(self) -> str:
        """The Swedish word shown in the UI."""
        return _SEVERITY_LABELS[self]

    @property
    def rank(self) -> int:
        """0 for low, 1 for medium, 2 for high."""
        return _SEVERITY_RANKS[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank >= other.rank


_SEVERITY_LABELS = {Severity.HIGH: "hög", Severity.MEDIUM: "medel", Severity.LOW: "låg"}
_SEVERITY_RANKS = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2}
_HIGH, _MEDIUM, _LOW = Severity.HIGH, Severity.MEDIUM, Severity.LOW  # enum lookups are slow


def _deferred(
    reasons: Callable[[], tuple[str, ...]],
) -> Callable[[Overlap], tuple[str, ...]]:
    """Reasons written when first asked for, as `Overlap.reasons` calls them."""
    return lambda _overlap: reasons()


class Overlap:
    """Two initiatives (ids a < b) that risk reaching the same residents at about the same time.

    The Swedish reasons are written on first use: a region's worth of overlaps is found in a
    sweep, but only the few that a screen or an export shows ever need their sentences.
    """

    __slots__ = ("_reasons", "a", "b", "kind", "severity")

    def __init__(
        self,
        a: int,
        b: int,
        kind: Kind,
        severity: Severity,
        reasons: tuple[str, ...] | Callable[[Overlap], tuple[str, ...]],
    ) -> None:
        self.a = a
        self.b = b
        self.kind: Kind = kind
        self.severity = severity
        self._reasons = reasons

    @property
    def reasons(self) -> tuple[str, ...]:
        if callable(self._reasons):
            self._reasons = self._reasons(self)
        return self._reasons

    def _key(self) -> tuple[int, int, str, Severity, tuple[str, ...]]:
        return (self.a, self.b, self.kind, self.severity, self.reasons)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Overlap) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash((self.a, self.b, self.kind, self.severity))

    def __repr__(self) -> str:
        return (
            f"Overlap(a={self.a}, b={self.b}, kind={self.kind!r}, "
            f"severity={self.severity}, reasons={self.reasons!r})"
        )

    @property
    def pair(self) -> frozenset[int]:
        """The two ids as the key under which a coordination is recorded."""
        return frozenset((self.a, self.b))

    def to_json(self, coordinated: bool) -> dict[str, Any]:
        """Return the record that `dialogtui overlaps --json` writes."""
        return {
            "a": self.a,
            "b": self.b,
            "kind": self.kind,
            "severity": self.severity.value,
            "reasons": list(self.reasons),
            "coordinated": coordinated,
        }


# --- Swedish dates -------------------------------------------------------------------------------


def _days(n: int) -> str:
    return words.count(n, "dag")


# --- Target groups -------------------------------------------------------------------------------

_ALL_MUNICIPALITIES = frozenset(Municipality)
_MUNICIPALITY_BITS: dict[Municipality, int] = {m: 1 << i for i, m in enumerate(Municipality)}
_ALL_MUNICIPALITY_BITS = (1 << len(_MUNICIPALITY_BITS)) - 1
_ALL_SEGMENTS = -1  # every bit set, so that "all residents" intersects every segment mask
_CANCELLED = Stage.CANCELLED

# Filled on first use, so that importing this module reads no data file.
_SEGMENT_BITS: dict[str, int] = {}
_KNOWN_SEGMENTS = [0]  # the mask of every catalogued segment, once the catalogue is read


def _load_segments() -> None:
    if not _SEGMENT_BITS:
        # Computed whole and then merged, so that two threads racing here write the same values.
        tags = catalog.segments()
        _SEGMENT_BITS.update({tag: 1 << i for i, tag in enumerate(tags)})
        _KNOWN_SEGMENTS[0] = (1 << len(tags)) - 1


def _segment_bit(tag: str) -> int:
    bit = _SEGMENT_BITS.get(tag)
    if bit is None:  # only reachable through model_construct, which skips validation
        bit = _SEGMENT_BITS[tag] = 1 << len(_SEGMENT_BITS)
    return bit


# A target group as (municipality mask, segment mask, age_min, age_max, group): a tuple, because
# the sweep unpacks millions of them and the first four elements are the structural identity.
_Group = tuple[int, int, int, int, "TargetGroup | GroupFacts"]


def _compact(group: TargetGroup | GroupFacts) -> _Group:
    """Reduce a target group to bitmasks, with "all" normalised so that equal means same people."""
    municipalities = 0
    for municipality in group.municipalities:
        municipalities |= _MUNICIPALITY_BITS[municipality]
    segments = 0
    for tag in group.segments:
        segments |= _segment_bit(tag)
    if segments == 0 or segments == _KNOWN_SEGMENTS[0]:
        segments = _ALL_SEGMENTS
    return (
        municipalities or _ALL_MUNICIPALITY_BITS,
        segments,
        group.age_min,
        group.age_max,
        group,
    )


def groups_intersect(g1: TargetGroup | GroupFacts, g2: TargetGroup | GroupFacts) -> bool:
    """Tell whether some resident could belong to both target groups."""
    places1 = set(g1.municipalities) or _ALL_MUNICIPALITIES
    places2 = set(g2.municipalities) or _ALL_MUNICIPALITIES
    if not places1 & places2:
        return False
    if g1.age_min > g2.age_max or g2.age_min > g1.age_max:
        return False
    return not g1.segments or not g2.segments or bool(set(g1.segments) & set(g2.segments))


def _same_structure(g1: TargetGroup | GroupFacts, g2: TargetGroup | GroupFacts) -> bool:
    """Tell whether two groups describe the very same residents, whatever their names."""
    every_segment = frozenset(catalog.segments())
    return (
        (set(g1.municipalities) or _ALL_MUNICIPALITIES)
        == (set(g2.municipalities) or _ALL_MUNICIPALITIES)
        and g1.age_min == g2.age_min
        and g1.age_max == g2.age_max
        and (set(g1.segments) or every_segment) == (set(g2.segments) or every_segment)
    )


@lru_cache(maxsize=65536)
def _describe(municipalities: int, segments: int, age_min: int, age_max: int) -> str:
    """Describe the residents two groups share, in the words of TargetGroup.description."""
    places = [m for m, bit in _MUNICIPALITY_BITS.items() if municipalities & bit]
    if len(places) == len(_MUNICIPALITY_BITS):
        places = []
    tags = (
        []
        if segments == _ALL_SEGMENTS
        else [tag for tag, bit in _SEGMENT_BITS.items() if segments & bit]
    )
    return describe_group([m.value for m in places], age_min, age_max, tags)


# --- Building one overlap ------------------------------------------------------------------------


class _Prepared(NamedTuple):
    """An initiative reduced to what the sweep needs, with hulls over its groups for a pre-test."""

    start: int
    end: int
    id: int
    panel: bool
    groups: tuple[_Group, ...]
    municipalities: int
    segments: int
    age_min: int
    age_max: int
    initiative: Schedulable


def _prepare(
    initiative: Schedulable,
    ident: int | None = None,
    interned: dict[tuple[object, ...], tuple[_Group, ...]] | None = None,
) -> _Prepared | None:
    """Reduce an initiative for the sweep; None when it can overlap nothing.

    With `interned`, equal groups (names included) share one tuple across initiatives.
    """
    if initiative.stage == _CANCELLED:
        return None
    panel = bool(initiative.uses_panel)
    target_groups = initiative.target_groups
    if not target_groups and not panel:
        return None
    groups = tuple(map(_compact, target_groups))
    if interned is not None and groups:
        key = tuple([(g[0], g[1], g[2], g[3], g[4].name) for g in groups])
        groups = interned.setdefault(key, groups)
    if len(groups) == 1:
        municipalities, segments, age_min, age_max, _ = groups[0]
    else:
        municipalities = segments = 0
        age_min, age_max = AGE_MAX + 1, AGE_MIN - 1
        for group in groups:
            municipalities |= group[0]
            segments |= group[1]
            age_min = min(age_min, group[2])
            age_max = max(age_max, group[3])
    return _Prepared(
        initiative.start.toordinal(),
        initiative.end.toordinal(),
        (initiative.id or 0) if ident is None else ident,
        panel,
        groups,
        municipalities,
        segments,
        age_min,
        age_max,
        initiative,
    )


def _intersecting(x: _Prepared, y: _Prepared) -> list[tuple[_Group, _Group]]:
    """Pairs of intersecting groups, x's groups outermost, so that reasons come in one order."""
    return [
        (p, q)
        for p in x.groups
        for q in y.groups
        if p[0] & q[0] and p[1] & q[1] and p[2] <= q[3] and q[2] <= p[3]
    ]


class _Reasoner:
    """Writes the reasons of any overlap among the prepared initiatives it knows, when asked.

    One is shared by every overlap of a search, so that each overlap is four fields and a
    reference: a dense region has hundreds of thousands of overlaps, and few are ever read.
    """

    __slots__ = ("prepared", "rest_days")

    def __init__(self, rest_days: int) -> None:
        self.prepared: dict[int, _Prepared] = {}
        self.rest_days = rest_days

    def __call__(self, overlap: Overlap) -> tuple[str, ...]:
        x, y = self.prepared[overlap.a], self.prepared[overlap.b]
        return _reasons(x, y, overlap.kind, x.panel and y.panel, self.rest_days, None)


def _reasons(
    x: _Prepared,
    y: _Prepared,
    kind: Kind,
    both_panel: bool,
    rest_days: int,
    pairs: Sequence[tuple[_Group, _Group]] | None,
) -> tuple[str, ...]:
    """The reasons of an overlap in plain Swedish, naming the groups and the dates."""
    if pairs is None:
        pairs = _intersecting(x, y)
    # A direct overlap dates every reason by the shared days; a near one dates only the gap.
    if kind == "direct":
        latest_start = x.start if x.start > y.start else y.start
        when = " " + format_ordinal_period(latest_start, x.end if x.end < y.end else y.end, True)
    else:
        when = ""
    texts = [_group_text(p, q) + when for p, q in pairs]
    if both_panel:
        texts.append(f"Båda använder invånarpanelen{when}")
    if kind == "near":
        earlier, later = (x, y) if x.end < y.start else (y, x)
        begins = format_ordinal_period(later.start, later.start, True)
        texts.append(
            f"”{later.initiative.title}” börjar {begins}, "
            f"{_days(later.start - earlier.end)} efter att ”{earlier.initiative.title}” slutar "
            f"{format_ordinal_period(earlier.end, earlier.end, True)} (vilotid {_days(rest_days)})"
        )
    return tuple(texts) if len(texts) < 2 else tuple(dict.fromkeys(texts))


def _group_text(p: _Group, q: _Group) -> str:
    """'Båda når …': the residents two intersecting groups share, and the groups' names."""
    common = _describe(p[0] & q[0], p[1] & q[1], max(p[2], q[2]), min(p[3], q[3]))
    # Unnamed groups are already said by the common description; names help find them.
    first, second = p[4].name, q[4].name
    if first and second and first != second:
        named = f" (målgrupperna ”{first}” och ”{second}”)"
    elif first or second:
        named = f" (målgruppen ”{first or second}”)"
    else:
        named = ""
    return f"Båda når {common}{named}"


def _check_rest_days(rest_days: int) -> None:
    if rest_days < 0:
        raise ValueError(f"rest_days must be at least 0, not {rest_days}")


# --- Finding overlaps ----------------------------------------------------------------------------


class Cancelled(Exception):
    """The caller asked to stop (the app is quitting); no result is given."""


# An overlap's kind and severity in one small number, its severity's rank: what compact tables
# of overlaps store for each pair instead of an object.
CODE_LOW, CODE_MEDIUM, CODE_HIGH = 0, 1, 2
_CODE_SEVERITY = (Severity.LOW, Severity.MEDIUM, Severity.HIGH)
_CODE_KIND: tuple[Kind, Kind, Kind] = ("near", "direct", "direct")
# Texts kept for reasons, per pair of groups and per period; bounds, so that a long run over
# many groups stays small (a region's varied groups rarely meet twice; a dense file's do).
_GROUP_TEXTS_KEPT = 4_096
_PERIODS_KEPT = 16_384


def severity_of(code: int) -> Severity:
    """The severity of an overlap code."""
    return _CODE_SEVERITY[code]


def kind_of(code: int) -> Kind:
    """The kind of an overlap code: only a low overlap is near."""
    return _CODE_KIND[code]


def _code(x: _Prepared, y: _Prepared, rest_days: int) -> int:
    """The code of the overlap between two prepared initiatives, or -1 when they do not overlap."""
    latest_start = x.start if x.start > y.start else y.start
    earliest_end = x.end if x.end < y.end else y.end
    if latest_start > earliest_end + rest_days:
        return -1
    both_panel = x.panel and y.panel
    # The hulls rule out most pairs before any group is looked at.
    if not both_panel and not (
        x.municipalities & y.municipalities
        and x.segments & y.segments
        and x.age_min <= y.age_max
        and y.age_min <= x.age_max
    ):
        return -1
    xg, yg = x.groups, y.groups
    if xg is yg:  # interned: the very same groups, each of which meets itself
        meets = same = bool(xg)
    else:
        # Only whether some pair intersects, and whether some such pair is the very same
        # group, is needed here; the pairs themselves are listed when the reasons are written.
        meets = same = False
        for p in xg:
            for q in yg:
                if p[0] & q[0] and p[1] & q[1] and p[2] <= q[3] and q[2] <= p[3]:
                    meets = True
                    if p[:4] == q[:4]:
                        same = True
                        break
            if same:
                break
    if not meets and not both_panel:
        return -1
    if latest_start > earliest_end:
        return CODE_LOW
    return CODE_HIGH if both_panel or same else CODE_MEDIUM


class OverlapIndex:
    """The initiatives that can overlap, arranged so that the overlaps of any one are found in
    O(log n + those close in time), and all of them in the order a reader needs, one batch at a
    time: the cost follows what is read, and no list of every pair is ever held.

    Initiatives are kept sorted by start in classes of length (under 8, 64, 512, … days), so that
    a period's neighbours lie between two binary searches in each class, whatever the longest
    initiative. Equal target groups share one tuple, which makes the commonest test (the very
    same groups) one identity check and lets reasons be cached per pair of groups.
    """

    def __init__(self, initiatives: Iterable[Schedulable], rest_days: int = 14) -> None:
        _check_rest_days(rest_days)
        _load_segments()
        self.rest_days = rest_days
        interned: dict[tuple[object, ...], tuple[_Group, ...]] = {}
        prepared: list[_Prepared] = []
        for initiative in initiatives:
            item = _prepare(initiative, None, interned)
            if item is not None:
                prepared.append(item)
        prepared.sort(key=_start_and_id)
        self._by_start = prepared
        self._starts = [p.start for p in prepared]
        self._by_id = {p.id: p for p in prepared}
        # Classes by length, each eight times the last (under 8 days, under 64, …): few
        # classes, few binary searches; within one, lengths differ little, so a window sized
        # for its longest takes in few that end too early.
        classes: dict[int, list[_Prepared]] = {}
        for item in prepared:
            classes.setdefault(max(0, item.end - item.start).bit_length() // 3, []).append(item)
        # (the longest length in the class, the starts, the initiatives), each sorted by start.
        self._classes = [
            (max(p.end - p.start for p in items), [p.start for p in items], items)
            for _, items in sorted(classes.items())
        ]
        self._group_texts: dict[tuple[int, int], tuple[str, ...]] = {}
        self._start_texts: dict[int, str] = {}
        self._end_texts: dict[int, str] = {}
        self._periods: dict[int, str] = {}

    def __getstate__(self) -> dict[str, object]:
        # The caches are keyed by object identity, which does not survive a pickle (the search
        # may run in a process of its own); they fill again as reasons are read.
        state = dict(self.__dict__)
        for cache in ("_group_texts", "_start_texts", "_end_texts", "_periods"):
            state[cache] = {}
        return state

    def __contains__(self, ident: object) -> bool:
        """Whether the initiative can overlap at all (not cancelled, and reaching someone)."""
        return ident in self._by_id

    def __len__(self) -> int:
        return len(self._by_id)

    # -- one pair, one initiative --

    def code(self, a: int, b: int) -> int:
        """The code of the overlap between two initiatives, or -1 when there is none."""
        x, y = self._by_id.get(a), self._by_id.get(b)
        if x is None or y is None or a == b:
            return -1
        return _code(x, y, self.rest_days)

    def overlap(self, a: int, b: int, code: int) -> Overlap:
        """The overlap of a < b with this code, its reasons written when first read."""
        return Overlap(a, b, _CODE_KIND[code], _CODE_SEVERITY[code], self._reasons_of)

    def _reasons_of(self, overlap: Overlap) -> tuple[str, ...]:
        return self.reasons(overlap.a, overlap.b, overlap.severity.rank)

    def _near(self, x: _Prepared) -> Iterator[_Prepared]:
        """Every other prepared initiative close in time to x, in no particular order."""
        low, high = x.start - self.rest_days, x.end + self.rest_days
        for longest, starts, items in self._classes:
            first = bisect_left(starts, low - longest)
            for y in items[first : bisect_right(starts, high, first)]:
                if y.end >= low and y is not x:
                    yield y

    def partners(self, ident: int) -> list[tuple[int, int]]:
        """The overlaps of one initiative as (the other's id, code), by the other's id."""
        x = self._by_id.get(ident)
        if x is None:
            return []
        rest = self.rest_days
        found = [(y.id, code) for y in self._near(x) if (code := _code(x, y, rest)) >= 0]
        found.sort()
        return found

    # -- all pairs, in the order a reader needs --

    def by_id(
        self, cancelled: Callable[[], bool] | None = None
    ) -> Iterator[tuple[int, list[tuple[int, int]]]]:
        """Every overlap once, as (a, [(b, code), …]) with a < b, sorted by (a, b).

        `cancelled` is asked now and then; when it says yes, `Cancelled` is raised.
        """
        rest = self.rest_days
        classes = self._classes
        for count, x in enumerate(sorted(self._by_start, key=_id_of)):
            if cancelled is not None and not count % 64 and cancelled():
                raise Cancelled
            ident, panel = x.id, x.panel
            places, segments, age_min, age_max = x.municipalities, x.segments, x.age_min, x.age_max
            low, high = x.start - rest, x.end + rest
            found: list[tuple[int, int]] = []
            for longest, starts, items in classes:
                first = bisect_left(starts, low - longest)
                for y in items[first : bisect_right(starts, high, first)]:
                    # The hulls rule out most pairs here, before a call is spent on them.
                    if (
                        y.id > ident
                        and y.end >= low
                        and (
                            (panel and y.panel)
                            or (
                                places & y.municipalities
                                and segments & y.segments
                                and age_min <= y.age_max
                                and y.age_min <= age_max
                            )
                        )
                        and (code := _code(x, y, rest)) >= 0
                    ):
                        found.append((y.id, code))
            if found:
                found.sort()
                yield ident, found

    def by_first_start(
        self, cancelled: Callable[[], bool] | None = None
    ) -> Iterator[tuple[int, list[tuple[int, int, int]]]]:
        """Every overlap once, as (day, [(a, b, code), …]): the overlaps whose earlier start is
        that day (an ordinal), day after day; within a day in no particular order."""
        rest = self.rest_days
        items, starts = self._by_start, self._starts
        day = 0  # no date has ordinal 0
        batch: list[tuple[int, int, int]] = []
        for index, x in enumerate(items):
            if cancelled is not None and not index % 64 and cancelled():
                raise Cancelled
            if x.start != day:
                if batch:
                    yield day, batch
                    batch = []
                day = x.start
            ident, panel = x.id, x.panel
            places, segments, age_min, age_max = x.municipalities, x.segments, x.age_min, x.age_max
            # Later starts only: those within the rest period after x ends are close in time.
            for y in items[index + 1 : bisect_right(starts, x.end + rest, index + 1)]:
                if (
                    (panel and y.panel)
                    or (
                        places & y.municipalities
                        and segments & y.segments
                        and age_min <= y.age_max
                        and y.age_min <= age_max
                    )
                ) and (code := _code(x, y, rest)) >= 0:
                    batch.append((ident, y.id, code) if ident < y.id else (y.id, ident, code))
        if batch:
            yield day, batch

    def by_last_start(
        self, cancelled: Callable[[], bool] | None = None
    ) -> Iterator[tuple[int, list[tuple[int, int, int]]]]:
        """Every overlap once, as (day, [(a, b, code), …]): the overlaps whose later start is
        that day (an ordinal), day after day; within a day in no particular order."""
        rest = self.rest_days
        classes = self._classes
        day = 0  # no date has ordinal 0
        batch: list[tuple[int, int, int]] = []
        for index, y in enumerate(self._by_start):
            if cancelled is not None and not index % 64 and cancelled():
                raise Cancelled
            if y.start != day:
                if batch:
                    yield day, batch
                    batch = []
                day = y.start
            ident, start, panel = y.id, y.start, y.panel
            places, segments, age_min, age_max = y.municipalities, y.segments, y.age_min, y.age_max
            low = start - rest
            for longest, starts, items in classes:
                first = bisect_left(starts, low - longest)
                for x in items[first : bisect_right(starts, start, first)]:
                    # Earlier in (start, id) order, not over before y's rest period, and within
                    # the hulls.
                    if (
                        x.end >= low
                        and (x.start < start or x.id < ident)
                        and (
                            (panel and x.panel)
                            or (
                                places & x.municipalities
                                and segments & x.segments
                                and age_min <= x.age_max
                                and x.age_min <= age_max
                            )
                        )
                        and (code := _code(x, y, rest)) >= 0
                    ):
                        batch.append((ident, x.id, code) if ident < x.id else (x.id, ident, code))
        if batch:
            yield day, batch

    # -- reasons --

    def first_start(self, a: int, b: int) -> int:
        """The earlier start of two initiatives, as an ordinal."""
        return min(self._by_id[a].start, self._by_id[b].start)

    def reasons(self, a: int, b: int, code: int) -> tuple[str, ...]:
        """The reasons of the overlap a < b with this code, in plain Swedish.

        The same sentences as `_reasons`, faster: what depends only on the two initiatives'
        groups, on one initiative or on one period is written once and reused. (No text needs
        removing as a repeat: the groups' texts are unique, and the panel's and the rest
        period's begin differently.)
        """
        x, y = self._by_id[a], self._by_id[b]
        texts = self._groups_met(x, y)
        if code != CODE_LOW:
            start = x.start if x.start > y.start else y.start
            end = x.end if x.end < y.end else y.end
            key = start << 24 | end
            when = self._periods.get(key)
            if when is None:
                if len(self._periods) >= _PERIODS_KEPT:
                    self._periods.clear()
                when = self._periods[key] = " " + format_ordinal_period(start, end, True)
            if x.panel and y.panel:
                return (*[text + when for text in texts], f"Båda använder invånarpanelen{when}")
            if len(texts) == 1:
                return (texts[0] + when,)
            return tuple([text + when for text in texts])
        earlier, later = (x, y) if x.end < y.start else (y, x)
        gap = self._start_text(later) + _days(later.start - earlier.end) + self._end_text(earlier)
        if x.panel and y.panel:
            return (*texts, "Båda använder invånarpanelen", gap)
        return (*texts, gap)

    def _groups_met(self, x: _Prepared, y: _Prepared) -> tuple[str, ...]:
        key = (id(x.groups), id(y.groups))
        found = self._group_texts.get(key)
        if found is None:
            if len(self._group_texts) >= _GROUP_TEXTS_KEPT:
                self._group_texts.clear()
            found = self._group_texts[key] = tuple(
                dict.fromkeys(_group_text(p, q) for p, q in _intersecting(x, y))
            )
        return found

    def _start_text(self, later: _Prepared) -> str:
        found = self._start_texts.get(later.id)
        if found is None:
            found = self._start_texts[later.id] = (
                f"”{later.initiative.title}” börjar "
                f"{format_ordinal_period(later.start, later.start, True)}, "
            )
        return found

    def _end_text(self, earlier: _Prepared) -> str:
        found = self._end_texts.get(earlier.id)
        if found is None:
            found = self._end_texts[earlier.id] = (
                f" efter att ”{earlier.initiative.title}” slutar "
                f"{format_ordinal_period(earlier.end, earlier.end, True)} "
                f"(vilotid {_days(self.rest_days)})"
            )
        return found


def _start_and_id(prepared: _Prepared) -> tuple[int, int]:
    return prepared.start, prepared.id


def _id_of(prepared: _Prepared) -> int:
    return prepared.id


def find_overlaps(
    initiatives: Sequence[Schedulable],
    rest_days: int = 14,
    cancelled: Callable[[], bool] | None = None,
) -> list[Overlap]:
    """Find every overlapping pair, sorted by (a, b), in O(n log n + pairs close in time).

    `cancelled` is asked now and then; when it says yes, `Cancelled` is raised. Every pair is
    an object here: for all of a region's overlaps, read `OverlapIndex` a batch at a time.
    """
    with gc_paused():
        index = OverlapIndex(initiatives, rest_days)
        # All of them are held anyway: one pass in start order and a sort beat `by_id`, which
        # meets every pair from both ends so as to hold none.
        pairs = [pair for _, batch in index.by_first_start(cancelled) for pair in batch]
        pairs.sort()
        overlap = index.overlap
        return [overlap(a, b, code) for a, b, code in pairs]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Keep the cyclic collector out of a search.

    A search allocates many small objects and makes no cycles; the collector would otherwise
    rescan every live model (10,000 initiatives) again and again, nearly doubling the time.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def find_overlaps_naive(initiatives: Sequence[Schedulable], rest_days: int = 14) -> list[Overlap]:
    """Compare all pairs, reading the rule as DESIGN.md states it; the reference for tests."""
    _check_rest_days(rest_days)
    _load_segments()
    found: list[Overlap] = []
    ordered = sorted(initiatives, key=lambda i: i.id or 0)
    for i, a in enumerate(ordered):
        if a.stage == _CANCELLED:
            continue
        for b in ordered[i + 1 :]:
            if b.stage == _CANCELLED:
                continue
            if max(a.start, b.start) <= min(a.end, b.end):
                kind: Kind = "direct"
            else:
                earlier, later = (a, b) if a.end < b.start else (b, a)
                if (later.start - earlier.end).days > rest_days:
                    continue
                kind = "near"
            pairs = [
                (g, h) for g in a.target_groups for h in b.target_groups if groups_intersect(g, h)
            ]
            both_panel = a.uses_panel and b.uses_panel
            if not pairs and not both_panel:
                continue
            if kind == "near":
                severity = Severity.LOW
            elif both_panel or any(_same_structure(g, h) for g, h in pairs):
                severity = Severity.HIGH
            else:
                severity = Severity.MEDIUM
            x, y = _prepare(a), _prepare(b)
            assert x is not None and y is not None  # neither is cancelled, and each can overlap
            compact = [(_compact(g), _compact(h)) for g, h in pairs]
            reasons = partial(_reasons, x, y, kind, both_panel, rest_days, compact)
            found.append(Overlap(x.id, y.id, kind, severity, _deferred(reasons)))
    return found


def overlaps_for(
    initiative: Schedulable, others: Sequence[Schedulable], rest_days: int = 14
) -> list[Overlap]:
    """Find the overlaps of one initiative, perhaps not yet saved (id None counts as 0)."""
    _check_rest_days(rest_days)
    _load_segments()
    ident = initiative.id or 0
    me = _prepare(initiative, ident)
    if me is None:
        return []
    reasoner = _Reasoner(rest_days)
    reasoner.prepared[ident] = me
    found: list[Overlap] = []
    for other in others:
        if (other.id or 0) == ident:
            continue
        prepared = _prepare(other)
        if prepared is None:
            continue
        code = _code(me, prepared, rest_days)
        if code >= 0:
            reasoner.prepared[prepared.id] = prepared
            a, b = (ident, prepared.id) if ident < prepared.id else (prepared.id, ident)
            found.append(Overlap(a, b, _CODE_KIND[code], _CODE_SEVERITY[code], reasoner))
    found.sort(key=_pair_key)
    return found


def _pair_key(overlap: Overlap) -> tuple[int, int]:
    return overlap.a, overlap.b


def next_free_window(
    initiative: Schedulable,
    others: Sequence[Schedulable],
    rest_days: int = 14,
    horizon_days: int = 365,
    ignore: AbstractSet[frozenset[int]] = frozenset(),
    periods: Sequence[BlockedPeriod] = (),
) -> date | None:
    """Return the earliest start from the planned one that collides with nothing outside ignore
    and shares no day with a blocked period."""
    _check_rest_days(rest_days)
    _load_segments()
    ident = initiative.id or 0
    if initiative.stage == _CANCELLED:
        return initiative.start
    # None when it reaches no one in particular: then only blocked periods can be in the way.
    me = _prepare(initiative, ident)
    first = initiative.start.toordinal()
    length = (initiative.end - initiative.start).days  # days beyond the first
    # Each blocking initiative forbids the starts s with [s, s + length] close to its period:
    # s + length >= other.start - rest_days and s <= other.end + rest_days.
    blocked: list[tuple[int, int]] = []
    for other in others if me is not None else ():  # no groups: no one to collide with
        other_id = other.id or 0
        if other_id == ident or frozenset((ident, other_id)) in ignore:
            continue
        prepared = _prepare(other)
        if prepared is None:
            continue
        assert me is not None  # the loop runs only when it is
        if not (me.panel and prepared.panel) and not _intersecting(me, prepared):
            continue
        low = prepared.start - rest_days - length
        high = prepared.end + rest_days
        if high >= first:
            blocked.append((low, high))
    # A blocked period forbids the starts s with [s, s + length] sharing a day with it.
    for period in periods:
        low, high = period.start.toordinal() - length, period.end.toordinal()
        if high >= first:
            blocked.append((low, high))
    blocked.sort()
    candidate = first
    for low, high in blocked:
        if low > candidate:
            break
        candidate = max(candidate, high + 1)
    if candidate - first > horizon_days:
        return None
    return date.fromordinal(candidate)


# --- Other checks --------------------------------------------------------------------------------


def blocked_conflicts(
    initiatives: Sequence[Schedulable], periods: Sequence[BlockedPeriod]
) -> list[tuple[int, BlockedPeriod]]:
    """Pair each initiative that is not cancelled with every blocked period it shares a day with."""
    ordered = sorted(periods, key=lambda p: (p.start, p.end, p.name))
    found: list[tuple[int, BlockedPeriod]] = []
    for initiative in initiatives:
        if initiative.stage == _CANCELLED:
            continue
        for period in ordered:
            if period.start <= initiative.end and initiative.start <= period.end:
                found.append((initiative.id or 0, period))
    found.sort(key=lambda item: (item[0], item[1].start, item[1].end, item[1].name))
    return found


def clusters(overlaps: Sequence[Overlap]) -> list[list[int]]:
    """Group initiative ids that are linked by overlaps, each group sorted, smallest first."""
    parent: dict[int, int] = {}

    def root(node: int) -> int:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]  # path halving keeps the trees flat
            node = parent[node]
        return node

    for overlap in overlaps:
        ra, rb = root(overlap.a), root(overlap.b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for node in parent:
        groups.setdefault(root(node), []).append(node)
    return sorted((sorted(members) for members in groups.values()), key=lambda g: g[0])


def shift(initiative: Initiative, start: date) -> Initiative:
    """Return a copy moved to start on `start`, keeping its length and where its deadline falls."""
    delta = start - initiative.start
    deadline = initiative.deadline + delta if initiative.deadline else None
    return initiative.model_copy(
        update={"start": start, "end": initiative.end + delta, "deadline": deadline}
    )
