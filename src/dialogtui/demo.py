"""Deterministic demo data: a plausible two years of citizen dialogue in Region Halland.

The words come from `data/demo.toml`; this module only schedules and combines them. Everything
random goes through one `random.Random(seed)` and every date is computed from `today`, so the
same seed and day give the same database, which keeps screenshots and bug reports reproducible.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from dialogtui import catalog, units
from dialogtui.domain import Achieved, Audience, ChecklistState, InfluenceLevel, Method, Stage
from dialogtui.models import (
    ChecklistEntry,
    Compensation,
    Evaluation,
    FeedbackPromise,
    Initiative,
    TargetGroup,
)
from dialogtui.process import AUTOMATIC_ITEMS, stage_problems
from dialogtui.store import DemoRefusedError, Store

DEMO_SEED = 2026

# Enough past and running initiatives that every stage of the process shows up whatever the day.
PAST_WEIGHT = 1.2
MIN_PAST = 6
RUNNING_COUNT = 6
REPEAT_COUNT = 14
CANCELLED_COUNT = 3
# A follow-up round comes at least this long after the first one ended.
REPEAT_PAUSE_DAYS = 60

_COMPENSATION_SEK = (300, 400, 500, 600, 800, 1000)

# Share of the invited who take part, by method: surveys reach few, councils nearly all.
_TURNOUT: dict[Method, tuple[float, float]] = {
    Method.SURVEY: (0.25, 0.6),
    Method.PANEL_SURVEY: (0.45, 0.75),
    Method.DIALOGUE_MEETING: (0.2, 0.5),
    Method.FOCUS_GROUP: (0.4, 0.8),
    Method.WORKING_GROUP: (0.7, 1.0),
    Method.COUNCIL: (0.8, 1.0),
    Method.INTERVIEW: (0.6, 0.95),
    Method.SOCIAL_MEDIA: (0.1, 0.4),
    Method.OTHER: (0.3, 0.8),
}

# Why a demo dialogue stands past a stage gate it does not pass (the to-do list still asks for
# what is missing): the history says so, as when a coordinator overrides the gate with `s`.
_OVERRIDE_CLOSED = "Åsidosatt: Beställaren avslutade projektet utan att utvärdera det"
_OVERRIDE_STARTED = "Åsidosatt: Starten låg fast; det som saknas klaras under genomförandet"


@dataclass(slots=True)
class _Draft:
    """One initiative while it is being scheduled, before it becomes a validated model."""

    theme: dict[str, Any]
    title: str
    start: date
    end: date
    cluster: str | None = None
    cancelled: bool = False
    stage: Stage = Stage.REGISTERED

    @property
    def method(self) -> Method:
        return Method(self.theme["method"])


@dataclass(slots=True)
class _Extras:
    """What the extras callback writes for one initiative, before its id is known."""

    checklist: list[ChecklistEntry] = field(default_factory=list)
    evaluation: Evaluation | None = None
    promises: list[FeedbackPromise] = field(default_factory=list)


class _Window:
    """The demo's calendar: January of this year through December of the next."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.first = date(today.year, 1, 1)
        self.last = date(today.year + 1, 12, 31)

    def fit(self, start: date, days: int) -> tuple[date, date]:
        """Move a period of `days` days into the window, shortening it only if it cannot fit."""
        days = max(1, min(days, (self.last - self.first).days + 1))
        start = min(max(start, self.first), self.last - timedelta(days=days - 1))
        return start, start + timedelta(days=days - 1)


def _duration(rng: random.Random, method: Method) -> int:
    """A typical length in days: meetings are often a single day, a council meets over weeks."""
    if method is Method.DIALOGUE_MEETING and rng.random() < 0.6:
        return 1
    if method is Method.FOCUS_GROUP and rng.random() < 0.3:
        return 1
    low, high = {
        Method.SURVEY: (14, 35),
        Method.PANEL_SURVEY: (14, 21),
        Method.DIALOGUE_MEETING: (7, 21),
        Method.FOCUS_GROUP: (7, 28),
        Method.WORKING_GROUP: (60, 150),
        Method.COUNCIL: (30, 90),
        Method.INTERVIEW: (14, 42),
        Method.SOCIAL_MEDIA: (14, 35),
        Method.OTHER: (1, 45),
    }[method]
    return rng.randint(low, high)


def _random_day(rng: random.Random, first: date, last: date, slot: int = 0, slots: int = 1) -> date:
    """A day in [first, last], within the `slot`-th of `slots` equal parts of it.

    Drawing each item from its own part spreads a handful of dates over the whole period,
    where independent draws can bunch them up in one month.
    """
    span = max(0, (last - first).days) + 1
    fraction = (slot + rng.random()) / slots
    return first + timedelta(days=min(span - 1, int(fraction * span)))


# --- scheduling -----------------------------------------------------------------------------------


def _cluster_anchor(spec: dict[str, Any], today: date) -> date:
    anchor = spec.get("anchor", "today")
    if anchor == "next_month":
        base = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    elif anchor == "next_quarter":
        quarter_month = (today.month - 1) // 3 * 3 + 4
        base = date(today.year + (quarter_month > 12), (quarter_month - 1) % 12 + 1, 1)
    else:
        base = today
    return base + timedelta(days=int(spec.get("offset_days", 0)))


def _schedule_clusters(rng: random.Random, vocab: dict[str, Any], window: _Window) -> list[_Draft]:
    """Place the themes of each cluster close together, so that the demo has overlaps to show."""
    drafts: list[_Draft] = []
    for name, spec in vocab.get("cluster", {}).items():
        members = [t for t in vocab["theme"] if t.get("cluster") == name]
        start = _cluster_anchor(spec, window.today)
        for theme in members:
            days = max(_duration(rng, Method(theme["method"])), int(spec.get("min_days", 1)))
            begin, end = window.fit(start, days)
            drafts.append(_Draft(theme, theme["title"], begin, end, cluster=name))
            if "gap_days" in spec:
                start = end + timedelta(days=int(spec["gap_days"]))
            else:
                start = start + timedelta(days=int(spec.get("spacing_days", 7)))
    return drafts


def _schedule_free(
    rng: random.Random, themes: list[dict[str, Any]], window: _Window
) -> list[_Draft]:
    """Spread the other themes over the past, the present and the future of the window."""
    today = window.today
    order = list(themes)
    rng.shuffle(order)
    past_days = (today - window.first).days  # days strictly before today
    window_days = (window.last - window.first).days + 1
    n_past = 0
    if past_days > 0:
        # In proportion to the time gone by, a little more so that follow-ups have work; never so
        # few that a stage of the process goes missing early in the year.
        n_past = max(MIN_PAST, round(len(order) * past_days / window_days * PAST_WEIGHT))
    n_future = len(order) - n_past - RUNNING_COUNT
    drafts: list[_Draft] = []
    for index, theme in enumerate(order):
        days = _duration(rng, Method(theme["method"]))
        if index < n_past:
            days = min(days, past_days)
            latest_start = today - timedelta(days=days)
            start = _random_day(rng, window.first, latest_start, index, n_past)
        elif index < n_past + RUNNING_COUNT:
            earliest = max(window.first, today - timedelta(days=days - 1))
            start = _random_day(rng, earliest, today)
        else:
            slot = index - n_past - RUNNING_COUNT
            latest_start = window.last - timedelta(days=days - 1)
            start = _random_day(rng, today + timedelta(days=1), latest_start, slot, n_future)
        begin, end = window.fit(start, days)
        drafts.append(_Draft(theme, theme["title"], begin, end))
    return drafts


def _schedule_repeats(rng: random.Random, originals: list[_Draft], window: _Window) -> list[_Draft]:
    """Add follow-up rounds of some themes, each well after its first round."""
    candidates: list[tuple[_Draft, int]] = []
    for draft in originals:
        if draft.cluster is not None:
            continue
        days = _duration(rng, draft.method)
        earliest = draft.end + timedelta(days=REPEAT_PAUSE_DAYS)
        if earliest + timedelta(days=days - 1) <= window.last:
            candidates.append((draft, days))
    repeats: list[_Draft] = []
    for draft, days in rng.sample(candidates, min(REPEAT_COUNT, len(candidates))):
        earliest = draft.end + timedelta(days=REPEAT_PAUSE_DAYS)
        start = _random_day(rng, earliest, window.last - timedelta(days=days - 1))
        begin, end = window.fit(start, days)
        suffix = "omgång 2" if draft.method.is_survey else "uppföljning"
        repeats.append(_Draft(draft.theme, f"{draft.title} – {suffix}", begin, end))
    return repeats


def _assign_stages(rng: random.Random, drafts: list[_Draft], today: date) -> None:
    """Give each initiative the stage its dates suggest, making sure every stage occurs."""
    live = [d for d in drafts if not d.cancelled]
    for draft in drafts:
        if draft.cancelled:
            draft.stage = Stage.CANCELLED
    past = sorted((d for d in live if d.end < today), key=lambda d: (d.end, d.start, d.title))
    future = sorted((d for d in live if d.start > today), key=lambda d: (d.start, d.title))
    for draft in live:
        if draft.start <= today <= draft.end:
            draft.stage = Stage.RUNNING

    after = [Stage.RESULTS, Stage.FEEDBACK, Stage.EVALUATION, Stage.CLOSED]
    for draft in past:
        since = (today - draft.end).days + rng.randint(-7, 7)
        step = 0 if since <= 14 else 1 if since <= 30 else 2 if since <= 60 else 3
        if step and rng.random() < 0.15:
            step -= 1  # some dialogues lag behind in the process
        draft.stage = after[step]
    if len(past) >= len(after):
        _cover_stages(past, after)

    for draft in future:
        near = (draft.start - today).days <= 45
        draft.stage = Stage.PLANNING if near or rng.random() < 0.15 else Stage.REGISTERED
    if future and all(d.stage is not Stage.PLANNING for d in future):
        future[0].stage = Stage.PLANNING
    if len(future) > 1 and all(d.stage is not Stage.REGISTERED for d in future):
        future[-1].stage = Stage.REGISTERED


def _cover_stages(past: list[_Draft], stages: list[Stage]) -> None:
    """Move single initiatives into missing stages, taking them from stages held by several.

    The one moved is the one nearest the missing stage, so the order by end date is kept as
    far as possible: the most recently ended goes back in the process, the oldest forward.
    """
    rank = {stage: index for index, stage in enumerate(stages)}
    for stage in stages:
        counts = Counter(d.stage for d in past)
        if counts[stage]:
            continue
        donors = [d for d in past if counts[d.stage] > 1]

        def closeness(draft: _Draft, target: int = rank[stage]) -> tuple[int, int]:
            distance = rank[draft.stage] - target
            day = draft.end.toordinal()
            return abs(distance), -day if distance > 0 else day

        min(donors, key=closeness).stage = stage


def _choose_cancelled(rng: random.Random, drafts: list[_Draft], today: date) -> None:
    """Cancel a few initiatives: one that has ended, one yet to start, one anywhere."""
    free = [d for d in drafts if d.cluster is None]
    pools = [
        [d for d in free if d.end < today],
        [d for d in free if d.start > today],
        free,
    ]
    chosen = 0
    for pool in pools:
        options = [d for d in pool if not d.cancelled]
        if options and chosen < CANCELLED_COUNT:
            rng.choice(options).cancelled = True
            chosen += 1


# --- initiative details ---------------------------------------------------------------------------


def _person(rng: random.Random, vocab: dict[str, Any]) -> str:
    return f"{rng.choice(vocab['first_names'])} {rng.choice(vocab['last_names'])}"


def _owner(rng: random.Random, vocab: dict[str, Any], unit: str) -> str:
    school = unit.endswith(("gymnasiet", "folkhögskola"))
    roles = [r for r in vocab["owner_roles"] if (r == "rektor") == school] or vocab["owner_roles"]
    return f"{_person(rng, vocab)}, {rng.choice(roles)}"


def _sample_size(rng: random.Random, method: Method) -> int | None:
    """How many are invited: thousands for a survey, a handful for a working group."""
    if method is Method.SOCIAL_MEDIA:
        return None
    if method is Method.OTHER:
        return rng.randrange(30, 110, 10) if rng.random() < 0.5 else None
    low, high, step = {
        Method.SURVEY: (400, 3000, 100),
        Method.PANEL_SURVEY: (800, 2500, 50),
        Method.DIALOGUE_MEETING: (60, 200, 10),
        Method.FOCUS_GROUP: (12, 40, 2),
        Method.WORKING_GROUP: (8, 14, 1),
        Method.COUNCIL: (10, 16, 1),
        Method.INTERVIEW: (10, 30, 1),
    }[method]
    return rng.randrange(low, high + 1, step)


def _uses_panel(rng: random.Random, method: Method) -> bool:
    if method is Method.PANEL_SURVEY:
        return True
    meets = method in (Method.DIALOGUE_MEETING, Method.FOCUS_GROUP, Method.INTERVIEW)
    return meets and rng.random() < 0.2


def _health_care(unit: str) -> bool:
    found = units.find(unit)
    return found is not None and found.health_care


def _compensation(rng: random.Random, method: Method, unit: str) -> Compensation | None:
    """Only health care may pay participants at dialogue meetings (seed 000 line 29)."""
    if method not in (Method.DIALOGUE_MEETING, Method.FOCUS_GROUP):
        return None
    chance = 0.6 if _health_care(unit) else 0.2
    if rng.random() >= chance:
        return None
    amount = rng.choice(_COMPENSATION_SEK)
    if not _health_care(unit):
        return None  # drawn all the same, so that the rest of the demo stays as it was
    return Compensation(amount_sek=amount, payer=unit)


def _guideline_texts(seed: int, title: str, method: Method, uses_panel: bool) -> dict[str, Any]:
    """The fields the guideline asks for beyond planning, and whether Invånartjänster is ordered.

    Drawn from a generator of their own, so that the rest of the demo is as it always was.
    """
    rng = random.Random(f"{seed}:{title}")
    texts = catalog.demo_vocabulary()["guideline_text"]
    meets = method.is_meeting or method.is_survey
    return {
        "orders_invanartjanster": not uses_panel and meets and rng.random() < 0.6,
        "conditions": rng.choice(texts["conditions"]) if rng.random() < 0.8 else "",
        "personal_data": rng.choice(texts["personal_data"]) if rng.random() < 0.7 else "",
        "feedback_description": (
            rng.choice(texts["feedback_description"]) if rng.random() < 0.7 else ""
        ),
    }


def _initiative(
    rng: random.Random, vocab: dict[str, Any], draft: _Draft, seed: int = DEMO_SEED
) -> Initiative:
    theme = draft.theme
    method = draft.method
    unit = theme["unit"]
    uses_panel = _uses_panel(rng, method)
    texts = vocab["method_text"][method.value]
    reach = rng.choice(texts["reach"])
    if uses_panel:
        reach = texts.get("panel_reach", reach)
    deadline = None
    if method.is_survey:
        deadline = draft.start + timedelta(days=round((draft.end - draft.start).days * 0.75))
    return Initiative(
        title=draft.title,
        unit=unit,
        contact=_person(rng, vocab),
        owner=_owner(rng, vocab, unit),
        method=method,
        influence=InfluenceLevel(theme["influence"]),
        uses_panel=uses_panel,
        purpose=theme["purpose"],
        context=theme["context"],
        questions="\n".join(theme["questions"]),
        use_of_answers=theme["use_of_answers"],
        reach=reach,
        marketing=rng.choice(texts["marketing"]),
        representativeness=rng.choice(vocab["shared_text"]["representativeness"]),
        start=draft.start,
        end=draft.end,
        deadline=deadline,
        stage=draft.stage,
        target_groups=[TargetGroup(**group) for group in theme.get("target_group", [])],
        sample_size=_sample_size(rng, method),
        compensation=_compensation(rng, method, unit),
        **_guideline_texts(seed, draft.title, method, uses_panel),
    )


# --- checklist, evaluation, feedback --------------------------------------------------------------

_LATE_STAGES = (Stage.RESULTS, Stage.FEEDBACK, Stage.EVALUATION, Stage.CLOSED)


def _checklist(
    rng: random.Random,
    vocab: dict[str, Any],
    initiative: Initiative,
    in_cluster: bool,
    evaluated: bool,
    promises: list[FeedbackPromise],
) -> list[ChecklistEntry]:
    """Tick the checklist as far as the initiative has come; untouched items stay absent."""
    stage = initiative.stage
    reasons: dict[str, str] = vocab["not_applicable"]
    items = [
        item
        for item in catalog.checklist_template()
        if item.applies_to(initiative.method.value, initiative.uses_panel)
    ]
    fore = [item.id for item in items if item.phase == "fore"]
    under = [item.id for item in items if item.phase == "under"]
    after = [item.id for item in items if item.phase == "efter"]

    if stage is Stage.REGISTERED:
        share = rng.uniform(0.0, 0.35)
    elif stage is Stage.PLANNING:
        share = rng.uniform(0.4, 0.9)
    elif stage is Stage.CANCELLED:
        share = rng.uniform(0.1, 0.5)
    else:
        share = 1.0
    ticked = set(rng.sample(fore, round(len(fore) * share)))
    ticked.add("F-anmald")  # being in the coordinator's register is the registration
    if stage is Stage.RUNNING and rng.random() < 0.3:
        loose = [item_id for item_id in fore if item_id != "F-anmald"]
        ticked.discard(rng.choice(loose))  # one loose end while the dialogue runs
    if in_cluster and stage in (Stage.REGISTERED, Stage.PLANNING, Stage.RUNNING):
        ticked.discard("F-samordning")  # the demo's overlaps are not yet coordinated

    if stage is Stage.RUNNING:
        ticked.update(item for item in under if rng.random() < 0.6)
    elif stage in _LATE_STAGES:
        ticked.update(under)
        done_after = {
            Stage.RESULTS: 2,
            Stage.FEEDBACK: 3,
            Stage.EVALUATION: 4,
            Stage.CLOSED: 5,
        }[stage]
        ordered = ["E-material", "E-resultat", "E-aterkoppling", "E-allmanhet", "E-utvardering"]
        ticked.update(i for i in ordered[:done_after] if i in after)
        if not evaluated:
            ticked.discard("E-utvardering")
        # Feedback is only ticked as given when every promise to that audience is kept.
        for item_id, audience in (
            ("E-aterkoppling", Audience.PARTICIPANTS),
            ("E-allmanhet", Audience.PUBLIC),
        ):
            if any(p.audience is audience and p.done is None for p in promises):
                ticked.discard(item_id)

    entries: list[ChecklistEntry] = []
    for item_id in fore + under + after:
        if item_id not in ticked:
            continue
        reason = reasons.get(item_id, "")
        not_applicable = (
            (item_id == "F-ersattning" and initiative.compensation is None)
            or (item_id == "F-kommunikation" and rng.random() < 0.3)
            or (
                item_id == "F-marknadsforing"
                and initiative.method in (Method.COUNCIL, Method.INTERVIEW, Method.WORKING_GROUP)
            )
        )
        if not_applicable and reason:
            entries.append(
                ChecklistEntry(item_id=item_id, state=ChecklistState.NOT_APPLICABLE, reason=reason)
            )
        else:
            entries.append(ChecklistEntry(item_id=item_id, state=ChecklistState.DONE))
    return entries


def _evaluation(
    rng: random.Random, vocab: dict[str, Any], initiative: Initiative, complete: bool
) -> Evaluation:
    """The follow-up; a draft in progress has counts and a lesson but no verdict yet."""
    words = vocab["evaluation"]
    invited = initiative.sample_size
    low, high = _TURNOUT[initiative.method]
    if invited is None:
        participants = rng.randint(40, 1500)
    else:
        participants = max(1, round(invited * rng.uniform(low, high)))
        participants = min(participants, invited)
    if not complete:
        return Evaluation(
            method=initiative.method,
            participants=participants,
            invited=invited,
            lesson=rng.choice(words["lessons"]),
        )
    achieved = rng.choices([Achieved.YES, Achieved.PARTLY, Achieved.NO], weights=[5, 4, 1])[0]
    return Evaluation(
        method=initiative.method,
        participants=participants,
        invited=invited,
        effect=rng.choice(words["effects"]),
        lesson=rng.choice(words["lessons"]),
        achieved=achieved,
        achieved_comment=rng.choice(words[f"achieved_{achieved.value}"]),
        unspoken=rng.choice(words["unspoken"]),
        went_well=rng.choice(words["went_well"]),
        improve=rng.choice(words["improve"]),
    )


def _promise_plan(method: Method) -> list[tuple[Audience, tuple[str, ...], int, int]]:
    """Who is promised feedback, through which channels, and how many days after the end.

    Surveys: Invånartjänster delivers results to the orderer and feeds back to participants and
    the public. Meetings: the orderer feeds back to participants, Invånartjänster to the public.
    """
    public = (Audience.PUBLIC, ("halland.se", "1177.se"), 45, 90)
    if method.is_survey:
        return [
            (Audience.ORDERER, ("rapport", "möte"), 10, 21),
            (Audience.PARTICIPANTS, ("nyhetsbrev", "e-post", "1177.se"), 30, 60),
            public,
        ]
    if method is Method.SOCIAL_MEDIA:
        return [public]
    if method is Method.COUNCIL:
        return [(Audience.PARTICIPANTS, ("möte",), 7, 21), public]
    return [(Audience.PARTICIPANTS, ("brev", "möte", "e-post"), 21, 45), public]


def _promises(
    rng: random.Random, vocab: dict[str, Any], initiative: Initiative, today: date
) -> list[FeedbackPromise]:
    """Promises made while planning, kept as far as the stage says; some slip past their date."""
    stage = initiative.stage
    if stage in (Stage.REGISTERED, Stage.CANCELLED):
        return []
    if stage is Stage.PLANNING and rng.random() < 0.5:
        return []
    promises: list[FeedbackPromise] = []
    for audience, channels, low, high in _promise_plan(initiative.method):
        due = initiative.end + timedelta(days=rng.randint(low, high))
        done: date | None = None
        if stage in _LATE_STAGES:
            kept = {
                Stage.RESULTS: audience is Audience.ORDERER,
                Stage.FEEDBACK: audience is not Audience.PUBLIC or rng.random() < 0.5,
                Stage.EVALUATION: rng.random() < 0.9,
                Stage.CLOSED: True,
            }[stage]
            if kept:
                done = min(today, due - timedelta(days=rng.randint(0, 7)))
                done = max(done, initiative.end)
        promises.append(
            FeedbackPromise(
                audience=audience,
                what=rng.choice(vocab["feedback_what"][audience.value]),
                channel=rng.choice(channels),
                due=due,
                done=done,
            )
        )
    return promises


def _ensure_overdue(initiatives: list[Initiative], extras: list[_Extras], today: date) -> None:
    """Make sure a few promises are overdue, so that the to-do view has something to chase."""
    wanted = 3
    overdue = sum(p.is_overdue(today) for e in extras for p in e.promises)
    # Late feedback belongs first to dialogues still in the results or feedback stage.
    order = (Stage.RESULTS, Stage.FEEDBACK, Stage.EVALUATION)
    pairs = [
        (initiative, extra)
        for initiative, extra in zip(initiatives, extras, strict=True)
        if initiative.stage in order
    ]
    pairs.sort(key=lambda pair: order.index(pair[0].stage))
    for initiative, extra in pairs:
        if overdue >= wanted:
            return
        days_since = (today - initiative.end).days
        open_promises = [p for p in extra.promises if p.done is None and not p.is_overdue(today)]
        if days_since < 3 or not open_promises:
            continue
        promise = open_promises[0]
        index = extra.promises.index(promise)
        extra.promises[index] = promise.model_copy(
            update={"due": initiative.end + timedelta(days=days_since // 2)}
        )
        overdue += 1


# --- entry points ---------------------------------------------------------------------------------


def override_notes(initiatives: list[Initiative], plans: list[_Extras], today: date) -> list[str]:
    """Each demo dialogue's note for its history: the reason its stage gate was passed, where
    the gate (`process.stage_problems`, from "anmäld") stands in the way; else nothing."""
    notes: list[str] = []
    for initiative, plan in zip(initiatives, plans, strict=True):
        answers = {entry.item_id: entry for entry in plan.checklist}
        problems = stage_problems(
            initiative,
            initiative.stage,
            answers,
            plan.evaluation,
            plan.promises,
            origin=Stage.REGISTERED,
            today=today,
        )
        if not problems:
            notes.append("")
        else:
            closed = initiative.stage is Stage.CLOSED
            notes.append(_OVERRIDE_CLOSED if closed else _OVERRIDE_STARTED)
    return notes


def build_demo(seed: int, today: date) -> tuple[list[Initiative], Extras]:
    """Compose the demo initiatives, and a callback that adds their checklists and follow-ups."""
    rng = random.Random(seed)
    vocab = catalog.demo_vocabulary()
    window = _Window(today)

    clustered = _schedule_clusters(rng, vocab, window)
    free = _schedule_free(rng, [t for t in vocab["theme"] if not t.get("cluster")], window)
    repeats = _schedule_repeats(rng, free, window)
    drafts = clustered + free + repeats
    drafts.sort(key=lambda d: (d.start, d.end, d.title))
    _choose_cancelled(rng, drafts, today)
    _assign_stages(rng, drafts, today)

    initiatives = [_initiative(rng, vocab, draft, seed) for draft in drafts]
    _ensure_compensation(initiatives)

    plans: list[_Extras] = []
    for draft, initiative in zip(drafts, initiatives, strict=True):
        stage = initiative.stage
        evaluation: Evaluation | None = None
        if stage is Stage.CLOSED and rng.random() < 0.85:
            evaluation = _evaluation(rng, vocab, initiative, complete=True)
        elif stage is Stage.EVALUATION and rng.random() < 0.6:
            evaluation = _evaluation(rng, vocab, initiative, complete=rng.random() < 0.5)
        promises = _promises(rng, vocab, initiative, today)
        checklist = _checklist(
            rng,
            vocab,
            initiative,
            draft.cluster is not None,
            evaluated=evaluation is not None,
            promises=promises,
        )
        plans.append(_Extras(checklist, evaluation, promises))
    _ensure_overdue(initiatives, plans, today)
    return initiatives, Extras(plans, override_notes(initiatives, plans, today))


@dataclass(frozen=True, slots=True)
class Extras:
    """What the demo writes once its initiatives have ids: checklists, evaluations, promises;
    and each initiative's note for its history, to go with its creation (`notes`)."""

    plans: list[_Extras]
    notes: list[str]

    def __call__(self, store: Store, ids: list[int]) -> None:
        for initiative_id, plan in zip(ids, self.plans, strict=True):
            for entry in plan.checklist:
                if entry.item_id not in AUTOMATIC_ITEMS:  # the data ticks those itself
                    store.set_checklist_entry(initiative_id, entry)
            if plan.evaluation is not None:
                store.save_evaluation(
                    plan.evaluation.model_copy(update={"initiative_id": initiative_id})
                )
            for promise in plan.promises:
                store.save_feedback_promise(
                    promise.model_copy(update={"initiative_id": initiative_id})
                )


def _ensure_compensation(initiatives: list[Initiative]) -> None:
    """Keep at least one paid dialogue meeting in the demo, whatever the seed drew."""
    if any(i.compensation for i in initiatives):
        return
    for index, initiative in enumerate(initiatives):
        if initiative.method in (Method.DIALOGUE_MEETING, Method.FOCUS_GROUP) and _health_care(
            initiative.unit
        ):
            initiatives[index] = initiative.model_copy(
                update={"compensation": Compensation(amount_sek=500, payer=initiative.unit)}
            )
            return


DEMO_SEED_KEY = "demo_seed"


def is_demo(store: Store) -> bool:
    return store.setting(DEMO_SEED_KEY) is not None


def fill(store: Store, today: date, seed: int = DEMO_SEED) -> bool:
    """Fill an empty database with the demo; False when it already holds the demo.

    Refuses a database that holds other data, so that demo rows never mix with real ones. All
    of it is one transaction: a second process filling the same new file waits, then sees it.
    """
    if is_demo(store):
        return False
    initiatives, extras = build_demo(seed, today)
    with store.write():
        if is_demo(store):
            return False
        if store.count_initiatives():
            raise DemoRefusedError(
                f"Databasen {store.path} innehåller redan riktiga initiativ; demodata blandas "
                "aldrig in i den. Ange en annan fil med --db eller DIALOGTUI_DB."
            )
        extras(store, store.create_initiatives(initiatives, notes=extras.notes))
        store.set_setting(DEMO_SEED_KEY, str(seed))
    return True
