"""The coordinator's to-do list ("Att göra"): what needs doing now, across every initiative.

Pure logic: it is given the data and a fixed `today`, so that the TUI, `dialogtui todo` and the
tests all see the same list.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, cast

from dialogtui import words
from dialogtui.domain import InitiativeSummary, Stage
from dialogtui.lazy import LazySequence
from dialogtui.process import open_items
from dialogtui.rules import EVALUATION_QUESTIONS, needs_deadline, public_feedback_planned

if TYPE_CHECKING:
    from dialogtui.models import FeedbackPromise

# The region's own default, not the guideline's: the coordinator can change it in the settings.
HORIZON_DAYS = 14

# Order of the kinds on the list: broken promises first, then what is late, then what is near.
KINDS = (
    "promise",
    "evaluation",
    "partial",
    "efter",
    "overlap",
    "nodeadline",
    "deadline",
    "feedbackplan",
    "fore",
)
KIND_LABELS = {
    "promise": "Återkoppling försenad",
    "evaluation": "Utvärdering saknas",
    "partial": "Utvärdering ofullständig",
    "efter": "Efter-punkter öppna",
    "overlap": "Öppna överlapp",  # plural, as the count after it and "Före-punkter öppna"
    "nodeadline": "Tidsfrist saknas",
    "deadline": "Tidsfrist snart",
    "feedbackplan": "Återkoppling till allmänheten ej planerad",
    "fore": "Före-punkter öppna",
}


@dataclass(frozen=True, slots=True)
class TodoItem:
    """One thing to fix; `target` says what Enter opens: the page, the checklist or the overlap."""

    kind: str
    initiative_id: int
    title: str
    text: str
    when: date
    target: str = "page"
    other_id: int | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "label": KIND_LABELS[self.kind],
            "initiative": self.initiative_id,
            "title": self.title,
            "text": self.text,
            "date": self.when.isoformat(),
            **({"other": self.other_id} if self.other_id is not None else {}),
        }


def todo_items(
    today: date,
    initiatives: Sequence[InitiativeSummary],
    settled: Mapping[int, Collection[str]],
    answered: Mapping[int, int],
    promises: Iterable[FeedbackPromise],
    open_overlaps: Iterable[tuple[int, int, str]] = (),
    horizon: int = HORIZON_DAYS,
    *,
    ordered: bool = False,
) -> TodoList:
    """Everything on the to-do list, most urgent kind first, then by date.

    `settled` holds each initiative's settled checklist items (`Store.settled_items`).
    `answered` maps each evaluated initiative to how many of the eight questions its evaluation
    answers (`rules.evaluation_answered`). `open_overlaps` holds (a, b, severity label) of the
    open overlaps (`coordination.is_open`). With `ordered`, they are
    a sequence already in the list's order (by the later start, then a) and without the pairs
    that are over; their items are then made only when read, for there can be millions.
    """
    soon = today + timedelta(days=horizon)
    by_id = {i.id: i for i in initiatives}
    live = [i for i in initiatives if i.stage is not Stage.CANCELLED]
    promises = list(promises)
    public_planned = {
        p.initiative_id for p in promises if p.initiative_id and public_feedback_planned((p,))
    }
    items: list[TodoItem] = []
    for promise in promises:
        ini = by_id.get(promise.initiative_id or 0)
        if ini is None or ini.stage is Stage.CANCELLED or not promise.is_overdue(today):
            continue
        late = (today - promise.due).days
        items.append(
            TodoItem(
                "promise",
                ini.id,
                ini.title,
                f"{words.days_late(late)} (senast {promise.due.isoformat()}): till "
                f"{promise.audience.label}: {promise.what or '–'}",
                promise.due,
            )
        )
    for ini in live:
        done = settled.get(ini.id, ())
        count = answered.get(ini.id)
        if ini.end < today and count is None:
            items.append(
                TodoItem(
                    "evaluation",
                    ini.id,
                    ini.title,
                    f"slutade {ini.end.isoformat()}, ingen utvärdering",
                    ini.end,
                    target="evaluation",
                )
            )
        elif ini.end < today and count is not None and count < EVALUATION_QUESTIONS:
            items.append(
                TodoItem(
                    "partial",
                    ini.id,
                    ini.title,
                    f"Utvärdering ofullständig ({count} av {EVALUATION_QUESTIONS}), "
                    f"slutade {ini.end.isoformat()}",
                    ini.end,
                    target="evaluation",
                )
            )
        if (
            needs_deadline(ini.method)
            and ini.deadline is None
            and ini.end >= today
            and ini.stage is not Stage.CLOSED
        ):
            items.append(
                TodoItem(
                    "nodeadline",
                    ini.id,
                    ini.title,
                    f"{ini.method.label} utan tidsfrist, börjar {ini.start.isoformat()}",
                    ini.start,
                )
            )
        if (
            ini.stage in (Stage.REGISTERED, Stage.PLANNING)
            and today <= ini.start <= soon
            and ini.id not in public_planned
        ):
            items.append(
                TodoItem(
                    "feedbackplan",
                    ini.id,
                    ini.title,
                    f"börjar {words.days_until((ini.start - today).days)}; ingen återkoppling till"
                    " allmänheten"
                    " är planerad",
                    ini.start,
                    target="checklist",
                )
            )
        if ini.end < today and ini.stage is not Stage.CLOSED:
            left = open_items(ini, {}, "efter", done)
            if left:
                items.append(
                    TodoItem(
                        "efter",
                        ini.id,
                        ini.title,
                        f"{words.count(len(left), 'efter-punkt', 'öppen', after=True)}: "
                        + "; ".join(i.text for i in left),
                        ini.end,
                        target="checklist",
                    )
                )
        if ini.deadline is not None and today <= ini.deadline <= soon:
            items.append(
                TodoItem(
                    "deadline",
                    ini.id,
                    ini.title,
                    f"tidsfrist {words.days_until((ini.deadline - today).days)} "
                    f"({ini.deadline.isoformat()})",
                    ini.deadline,
                )
            )
        if today <= ini.start <= soon:
            left = open_items(ini, {}, "fore", done)
            if left:
                items.append(
                    TodoItem(
                        "fore",
                        ini.id,
                        ini.title,
                        f"börjar {words.days_until((ini.start - today).days)}; "
                        f"{words.count(len(left), 'före-punkt', 'öppen', after=True)}: "
                        + "; ".join(i.text for i in left),
                        ini.start,
                        target="checklist",
                    )
                )
    overlaps: Sequence[tuple[int, int, str]]
    if ordered:
        overlaps = cast(Sequence[tuple[int, int, str]], open_overlaps)
    else:
        overlaps = sorted(
            (
                (a, b, severity)
                for a, b, severity in open_overlaps
                if a in by_id and b in by_id and max(by_id[a].end, by_id[b].end) >= today
            ),
            key=lambda pair: (max(by_id[pair[0]].start, by_id[pair[1]].start), pair[0]),
        )
    items.sort(key=lambda item: (KINDS.index(item.kind), item.when, item.initiative_id))
    middle = KINDS.index("overlap")
    cut = next((i for i, item in enumerate(items) if KINDS.index(item.kind) > middle), len(items))
    return TodoList(items[:cut], overlaps, by_id, items[cut:])


class TodoList(LazySequence[TodoItem]):
    """The to-do list: the items before the overlaps, the overlaps, the items after them.

    The overlaps' items are made when read, from (a, b, severity label) and the initiatives.
    """

    def __init__(
        self,
        before: list[TodoItem],
        overlaps: Sequence[tuple[int, int, str]],
        initiatives: Mapping[int, InitiativeSummary],
        after: list[TodoItem],
    ) -> None:
        self._before, self._overlaps, self._after = before, overlaps, after
        self._initiatives = initiatives

    def __len__(self) -> int:
        return len(self._before) + len(self._overlaps) + len(self._after)

    def _at(self, position: int) -> TodoItem:
        if position < len(self._before):
            return self._before[position]
        position -= len(self._before)
        if position >= len(self._overlaps):
            return self._after[position - len(self._overlaps)]
        a, b, severity = self._overlaps[position]
        first, second = self._initiatives[a], self._initiatives[b]
        return TodoItem(
            "overlap",
            a,
            first.title,
            f"överlapp ({severity}) med ”{second.title}”",
            max(first.start, second.start),
            target="overlap",
            other_id=b,
        )

    def counts(self) -> list[tuple[str, int]]:
        """How many items of each kind, in the list's order, for the kinds present."""
        found: dict[str, int] = {}
        for item in self._before:
            found[item.kind] = found.get(item.kind, 0) + 1
        if self._overlaps:
            found["overlap"] = len(self._overlaps)
        for item in self._after:
            found[item.kind] = found.get(item.kind, 0) + 1
        return list(found.items())
