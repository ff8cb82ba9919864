"""The guideline's rules for one dialogue, each decided here once, whatever door it comes through.

The form, the edit, the stage key, every import and the command line call these functions; the
validated model (`models.Initiative`) calls the refusing ones, so that nothing that breaks them
is ever built. Pure: no Textual, no SQLite, no user files (the units list is reference data).

Sources, quoted where a rule is decided: seed 000 is the dialogue process of Invånartjänster
e-hälsa ("Dialogprocess", `000_ce25a31241eab4ff.txt`), seed 002 the region's guideline
("Riktlinjer för invånardialog", `002_80f91760775bb5b1.txt`). The README's rules section lists
them with their lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from dialogtui.domain import Audience, Method

EVALUATION_QUESTIONS = 8
UNITS_FILE = "data/units.toml"


# --- deadline ("Tidsfrist fastställs för varje undersökning", seed 000 line 20) ------------------


def needs_deadline(method: Method) -> bool:
    """Every survey, on paper or through the panel, has a deadline."""
    return method.is_survey


def deadline_missing(method: Method, deadline: date | None) -> str | None:
    """The Swedish note when a survey has no deadline yet; None when none is needed or it is set."""
    if needs_deadline(method) and deadline is None:
        return (
            f"Tidsfrist saknas: varje undersökning ska ha en tidsfrist ({method.label}); "
            "utan den kan dialogen inte gå till genomförande."
        )
    return None


# --- the residents' panel (seed 000 line 10) ------------------------------------------------------


def panel_by_method(method: Method) -> bool:
    """A panel survey is a survey to the panel: the method alone says that the panel is used."""
    return method is Method.PANEL_SURVEY


def invanartjanster_engaged(uses_panel: bool, orders_invanartjanster: bool) -> bool:
    """Whether Invånartjänster e-hälsa does its part of the process (seed 000 lines 10-27).

    They run the panel, so a dialogue that uses it engages them; without the panel, only an
    order to them (data collection for a survey, a sample for a meeting) does. A unit's own
    survey or meeting leaves Invånartjänster's tasks to the orderer.
    """
    return uses_panel or orders_invanartjanster


# --- compensation (seed 000 line 29) --------------------------------------------------------------
# "Konsultationer och dialogmöten genomförs utan ersättning. Vid dialogmöten kan hälso- och
# sjukvård erbjuda ersättning. Beställaren står för kostnaden."


def may_compensate(method: Method) -> bool:
    """Only dialogue meetings, focus groups and working groups (grouped on seed 000 line 22)."""
    return method.is_meeting


def compensation_problem(method: Method, unit: str) -> str | None:
    """Why this dialogue may not offer participants compensation; None when it may.

    A unit that the units list does not know is asked about, never guessed from its name.
    """
    if not may_compensate(method):
        return (
            "erbjuds bara vid dialogmöten, fokusgrupper och arbetsgrupper, inte vid metoden "
            f"{method.label}: konsultationer genomförs utan ersättning (Dialogprocess)"
        )
    from dialogtui import units
    from dialogtui.units import UnitsFileError

    try:
        found = units.find(unit)
    except UnitsFileError as exc:
        return f"enhetslistan går inte att läsa, så ersättning kan inte prövas: {exc}"
    if found is None:
        return (
            f"”{unit}” finns inte i enhetslistan ({UNITS_FILE}), så det går inte att se om "
            "beställaren hör till hälso- och sjukvården, som ensam får erbjuda ersättning vid "
            "dialogmöten; välj en enhet ur listan, be koordinatören lägga till enheten, eller "
            "ta bort ersättningen"
        )
    if not found.health_care:
        return (
            "bara hälso- och sjukvården får erbjuda ersättning vid dialogmöten, och "
            f"”{found.name}” hör inte dit enligt enhetslistan ({UNITS_FILE}); ta bort ersättningen"
        )
    return None


def same_unit(first: str, second: str) -> bool:
    """Two spellings of one unit: case and spacing aside."""
    return " ".join(first.split()).casefold() == " ".join(second.split()).casefold()


def payer_note(unit: str, payer: str) -> str | None:
    """Point out a payer other than the orderer, who bears the cost by default."""
    if not payer.strip() or same_unit(unit, payer) or same_unit(payer, "beställaren"):
        return None
    return (
        f"Ersättningen betalas av ”{payer}”, inte av beställaren ”{unit}”: enligt "
        "dialogprocessen står beställaren för kostnaden."
    )


def unit_note(unit: str) -> str | None:
    """Ask about a unit that the units list does not know, rather than guess what it is."""
    from dialogtui import units
    from dialogtui.units import UnitsFileError

    if not unit.strip():
        return None
    try:
        if units.find(unit) is not None:
            return None
    except UnitsFileError:
        return None  # the file's own fault is told where compensation is judged
    return (
        f"”{unit}” finns inte i enhetslistan ({UNITS_FILE}): stämmer stavningen? "
        "Koordinatören lägger till nya enheter i listan."
    )


class Registration(Protocol):
    """What the advice needs of an initiative, saved or not."""

    @property
    def method(self) -> Method: ...

    @property
    def unit(self) -> str: ...

    @property
    def deadline(self) -> date | None: ...


@dataclass(frozen=True, slots=True)
class Advice:
    """Something to point out that does not stop a save: the field it is about, and why."""

    field: str
    message: str


def advice(initiative: Registration, payer: str = "") -> list[Advice]:
    """What the form, the page and an import point out without refusing, in the form's order."""
    found: list[Advice] = []
    note = unit_note(initiative.unit)
    if note:
        found.append(Advice("unit", note))
    note = deadline_missing(initiative.method, initiative.deadline)
    if note:
        found.append(Advice("deadline", note))
    note = payer_note(initiative.unit, payer)
    if note:
        found.append(Advice("payer", note))
    return found


# --- feedback ("Deltagare och allmänhet ska erbjudas fortlöpande återkoppling", seed 000 line 15) -


class Promise(Protocol):
    @property
    def audience(self) -> Audience: ...


def public_feedback_planned(promises: Iterable[Promise]) -> bool:
    """Feedback to the public is planned: a feedback promise to "allmänheten"."""
    return any(p.audience is Audience.PUBLIC for p in promises)


def public_feedback_missing(promises: Iterable[Promise]) -> str | None:
    """The note when no feedback to the public is planned; None when some is."""
    if public_feedback_planned(promises):
        return None
    return (
        "Ingen återkoppling till allmänheten är planerad: deltagare och allmänhet ska erbjudas "
        "fortlöpande återkoppling."
    )


# --- evaluation (seed 000 lines 31-39) ------------------------------------------------------------


class Answers(Protocol):
    """An evaluation's answers; question 1 (the method) defaults to the planned one."""

    @property
    def participants(self) -> int | None: ...

    @property
    def effect(self) -> str: ...

    @property
    def lesson(self) -> str: ...

    @property
    def achieved(self) -> object | None: ...

    @property
    def unspoken(self) -> str: ...

    @property
    def went_well(self) -> str: ...

    @property
    def improve(self) -> str: ...


def evaluation_answered(evaluation: Answers | None) -> int:
    """How many of the eight questions are answered; question 1 always is (it may default)."""
    if evaluation is None:
        return 0
    answered = [
        True,  # 1. Vilken typ av dialog genomfördes? – the method, or the planned one
        evaluation.participants is not None,  # 2. Hur många deltog i dialogen
        bool(evaluation.effect.strip()),  # 3. Hur påverkade dialogen beslut eller utveckling?
        bool(evaluation.lesson.strip()),  # 4. Vad är det viktigaste vi har lärt oss?
        evaluation.achieved is not None,  # 5. Har syfte och mål uppnåtts?
        bool(evaluation.unspoken.strip()),  # 6. Uppdagades några outtalade syften …?
        bool(evaluation.went_well.strip()),  # 7. Vad gjordes bra?
        bool(evaluation.improve.strip()),  # 8. Vad kunde gjorts bättre?
    ]
    return sum(answered)


def evaluation_complete(evaluation: Answers | None) -> bool:
    """Done, for the to-do, the report and the gate to "avslutad": all eight questions answered."""
    return evaluation_answered(evaluation) == EVALUATION_QUESTIONS


def evaluation_status(evaluation: Answers | None) -> str:
    """'Utvärdering saknas', 'Utvärdering ofullständig (5 av 8)' or 'Utvärdering klar'."""
    if evaluation is None:
        return "Utvärdering saknas"
    answered = evaluation_answered(evaluation)
    if answered < EVALUATION_QUESTIONS:
        return f"Utvärdering ofullständig ({answered} av {EVALUATION_QUESTIONS})"
    return "Utvärdering klar"


# --- the panel cap: the region's own rule, not the guideline's ------------------------------------
# Hallandspanelen promises its members about four mailings with questions a year. The cap
# counts panel surveys (surveys sent to the panel) over a rolling twelve months, so that four in
# December and four more in January are seen as what the members get: eight in two months.


def counts_toward_panel_cap(method: Method, uses_panel: bool) -> bool:
    """A survey sent to the panel; a meeting that recruits from it sends no questions."""
    return method.is_survey and uses_panel


def year_before(day: date) -> date:
    """The same day a year earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True, slots=True)
class PanelPeak:
    """A panel survey that goes over the cap: the `count`-th within the twelve months to `start`."""

    initiative_id: int
    start: date
    count: int
    since: date


def panel_peaks(surveys: Sequence[tuple[int, date]], cap: int) -> list[PanelPeak]:
    """Each panel survey (id, start) that is more than the cap-th in the twelve months up to its
    start, counting itself; in order of start."""
    ordered = sorted(surveys, key=lambda s: (s[1], s[0]))
    peaks: list[PanelPeak] = []
    first = 0
    for index, (ident, start) in enumerate(ordered):
        floor = year_before(start)
        while ordered[first][1] <= floor:
            first += 1
        count = index - first + 1
        if count > cap:
            peaks.append(PanelPeak(ident, start, count, ordered[first][1]))
    return peaks


def ordinal(number: int) -> str:
    """'1:a', '2:a', '3:e', '11:e', '21:a': Swedish ordinals in digits."""
    last_two = number % 100
    return f"{number}:a" if last_two % 10 in (1, 2) and last_two not in (11, 12) else f"{number}:e"


def peak_text(peak: PanelPeak) -> str:
    """'börjar 2027-03-01, den 5:e panelenkäten på 12 månader (sedan 2026-04-02)'."""
    return (
        f"börjar {peak.start.isoformat()}, den {ordinal(peak.count)} panelenkäten på 12 månader"
        f" (sedan {peak.since.isoformat()})"
    )
