"""The command palette: on every screen, every command it lists runs and does what it says.

Each place is reached with the keys a user presses. There the palette is opened with Ctrl+P and
what it lists is compared with what the place should offer; then each command is typed by name,
chosen with Enter, and its effect checked, with the app still running afterwards. A command
that leaves the place (Tillbaka, Spara …) is followed by the same keys back to it.

A palette round trip costs Textual most of a second of CPU, so the default suite runs the
commands that many places share (the app's own, the calendar's, the row keys) on a few places
only; every place still lists them, and `-m slow` runs every command everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Select, TextArea

from dialogtui.app import DialogApp
from dialogtui.domain import Stage
from dialogtui.models import BlockedPeriod, Initiative, Method
from dialogtui.screens.calendar import CalendarScreen, DayList
from dialogtui.screens.checklist import ChecklistScreen, PromiseScreen
from dialogtui.screens.dialogs import ConfirmScreen, ConflictScreen, TextPromptScreen
from dialogtui.screens.evaluation import EvaluationScreen
from dialogtui.screens.filter import FilterScreen
from dialogtui.screens.form import InitiativeFormScreen, TargetGroupEditor
from dialogtui.screens.help import HelpScreen
from dialogtui.screens.inbox import InboxScreen
from dialogtui.screens.initiative import InitiativeScreen
from dialogtui.screens.lessons import LessonsScreen
from dialogtui.screens.overlaps import OverlapDetailScreen, OverlapScreen, OverlapWarningScreen
from dialogtui.screens.public_feedback import PublicFeedbackScreen
from dialogtui.screens.report import ReportScreen
from dialogtui.screens.settings import BlockedPeriodScreen, SettingsScreen
from dialogtui.screens.todo import TodoScreen
from dialogtui.store import Store
from dialogtui.widgets.initiative_table import SORTS
from dialogtui.widgets.month import MonthView
from dialogtui.widgets.paged_rows import PagedRows
from dialogtui.widgets.timeline import GROUPINGS
from tests.conftest import TODAY
from tests.ui import (
    make_app,
    record_notifications,
    settle,
    type_text,
    wait_for,
)

# A check is armed just before its command runs (to note what it compares with), then polled
# until it holds. A step of a route or a preparation is a key, or something done by others.
Check = Callable[[], bool]
Arm = Callable[[DialogApp], Check]
Step = str | Callable[[DialogApp], None]


@dataclass(frozen=True)
class Effect:
    """What a command must do. `prepare` makes it visible first (Upp needs a row above);
    `rebuild` says that the place must be entered anew afterwards (the form was changed)."""

    arm: Arm
    prepare: tuple[Step, ...] = ()
    rebuild: bool = False


@dataclass(frozen=True)
class Place:
    """A screen, in one state, that offers commands; the keys to it; what each command does."""

    name: str
    route: tuple[Step, ...]
    screen: type[Screen[Any]]
    effects: dict[str, Effect]
    # What must be as it was for the place to be the same (the calendar's view).
    state: Callable[[DialogApp], object] = field(default=lambda app: None)
    # Which of the SHARED commands the default suite runs here.
    runs_shared: frozenset[str] = frozenset()
    # How many of the route's last steps lead back to the place from the screen they start
    # on, when a command has left the place but not that screen (a dialog closed).
    again: int = 1

    def to_run(self, listed: list[str], everything: bool) -> list[str]:
        """The commands to run, Avsluta last (it ends the app)."""
        chosen = [t for t in listed if everything or t not in SHARED or t in self.runs_shared]
        return sorted(chosen, key=lambda title: title == "Avsluta")


# -- what a command can do --------------------------------------------------------------------


def pushed(
    kind: type[Screen[Any]], test: Callable[[Any], bool] = lambda screen: True, **kw: Any
) -> Effect:
    """A new screen of `kind` lies on top of the place."""

    def arm(app: DialogApp) -> Check:
        place = app.screen
        return lambda: (
            isinstance(app.screen, kind)
            and len(app.screen_stack) > 1
            and app.screen_stack[-2] is place
            and test(app.screen)
        )

    return Effect(arm, **kw)


def left(then: Callable[[DialogApp], bool] = lambda app: True, **kw: Any) -> Effect:
    """The place is gone and the screen beneath it is on top again."""

    def arm(app: DialogApp) -> Check:
        place, beneath = app.screen, app.screen_stack[-2]
        return lambda: place not in app.screen_stack and app.screen is beneath and then(app)

    return Effect(arm, **kw)


def unchanged(read: Callable[[DialogApp], object], *prepare: Step) -> Effect:
    """The place is gone, the screen beneath is on top, and what `read` gives is as it was."""

    def arm(app: DialogApp) -> Check:
        place, beneath, before = app.screen, app.screen_stack[-2], read(app)
        return lambda: (
            place not in app.screen_stack and app.screen is beneath and read(app) == before
        )

    return Effect(arm, prepare)


def stays(test: Callable[[DialogApp], bool], *prepare: Step, **kw: Any) -> Effect:
    """The place is still on top, and `test` holds."""

    def arm(app: DialogApp) -> Check:
        place = app.screen
        return lambda: app.screen is place and test(app)

    return Effect(arm, prepare, **kw)


def becomes(
    read: Callable[[DialogApp], object], expect: Callable[[Any], object], *prepare: Step
) -> Effect:
    """The place stays, and what `read` gives changes from its value v before to expect(v)."""

    def arm(app: DialogApp) -> Check:
        place, expected = app.screen, expect(read(app))
        return lambda: app.screen is place and read(app) == expected

    return Effect(arm, prepare)


# What each app has notified, kept past the toasts' timeouts (see `record_notifications`).
NOTIFIED: dict[int, list[str]] = {}


def notified(words: str, **kw: Any) -> Effect:
    """The place stays and says `words` in a new notification."""

    def said(app: DialogApp) -> int:
        return sum(words in message for message in NOTIFIED[id(app)])

    def arm(app: DialogApp) -> Check:
        place, before = app.screen, said(app)
        return lambda: app.screen is place and said(app) > before

    return Effect(arm, **kw)


def moves(
    read: Callable[[DialogApp], float], direction: int, *prepare: Step, by: float = 1
) -> Effect:
    """The place stays; what `read` gives grows (direction 1) or shrinks (-1), by `by` or more."""

    def arm(app: DialogApp) -> Check:
        place, before = app.screen, read(app)
        return lambda: app.screen is place and (read(app) - before) * direction >= by

    return Effect(arm, prepare)


def next_field() -> Effect:
    def arm(app: DialogApp) -> Check:
        place, before = app.screen, app.focused
        return lambda: app.screen is place and app.focused not in (None, before)

    return Effect(arm)


def quits() -> Effect:
    return Effect(lambda app: lambda: app.return_code == 0)


def theme_picker() -> Effect:
    def swedish(palette: CommandPalette) -> bool:
        return str(palette.query_one(Input).placeholder) == "Sök bland färgteman …"

    return pushed(CommandPalette, swedish)


# -- reading the app --------------------------------------------------------------------------


def calendar(app: DialogApp) -> CalendarScreen:
    return next(s for s in app.screen_stack if isinstance(s, CalendarScreen))


def selected(app: DialogApp) -> date:
    return calendar(app).query_one(MonthView).selected


def month_of(day: date, months: int = 0) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def cursor(app: DialogApp) -> int:
    focused = app.focused
    assert isinstance(focused, PagedRows), focused
    return focused.cursor


def last_row(app: DialogApp) -> int:
    focused = app.focused
    assert isinstance(focused, PagedRows), focused
    return focused.row_count - 1


def scroll_y(app: DialogApp) -> float:
    return app.screen.query_one("#report-scroll").scroll_y


def max_scroll_y(app: DialogApp) -> float:
    return app.screen.query_one("#report-scroll").max_scroll_y


def opened_id(app: DialogApp) -> int:
    """The initiative of the topmost screen that shows one."""
    for screen in reversed(app.screen_stack):
        ident = getattr(screen, "initiative_id", None)
        if isinstance(ident, int):
            return ident
    raise AssertionError("no initiative is open")


def rows_cursor(app: DialogApp) -> tuple[int, ...]:
    """Where the cursors of the screen's lists are: some commands apply to one line only."""
    return tuple(rows.cursor for rows in app.screen.query(PagedRows))


def stored(app: DialogApp) -> Initiative:
    return app.store.initiative(opened_id(app))


APP_WIDE = frozenset({"Att göra", "Hjälp", "Tema", "Avsluta"})
CALENDAR_WIDE = frozenset(
    {
        *("Månad", "Tidslinje", "Lista", "Filter", "Anmäl dialog", "I dag"),
        *("Överlapp", "Lärdomar", "Årsrapport", "Anmälningar", "Vilotid och spärrar"),
        "Exportera",
    }
)
ROW_KEYS = frozenset({"Upp", "Ned", "Sida upp", "Sida ned", "Först", "Sist"})
SHARED = APP_WIDE | CALENDAR_WIDE | ROW_KEYS


def cursor_effects() -> dict[str, Effect]:
    """The keys of every list of rows."""
    return {
        "Upp": becomes(cursor, lambda c: c - 1, "down", "down"),
        "Ned": becomes(cursor, lambda c: c + 1),
        "Sida upp": moves(cursor, -1, "end", by=2),
        "Sida ned": moves(cursor, 1, "home", by=2),
        "Först": stays(lambda app: cursor(app) == 0, "down", "down"),
        "Sist": stays(lambda app: cursor(app) == last_row(app) > 0, "home"),
    }


def places(*without: str) -> dict[str, Effect]:
    """The app's places, which the palette finds from every screen but its dialogs (issue 14),
    except the screen's own and those it offers under another name."""
    effects = {
        "Överlapp": pushed(OverlapScreen),
        "Lärdomar": pushed(LessonsScreen),
        "Årsrapport": pushed(ReportScreen),
        "Anmälningar": pushed(InboxScreen),
        "Vilotid och spärrar": pushed(SettingsScreen),
        "Exportera": pushed(TextPromptScreen, lambda asked: "Exportera" in asked.question),
    }
    return {title: effect for title, effect in effects.items() if title not in without}


def app_wide(*, help_key: bool = True, without: tuple[str, ...] = ()) -> dict[str, Effect]:
    """What the app offers on every screen but its dialogs (a text field takes the `?`)."""
    effects = {"Att göra": pushed(TodoScreen), "Tema": theme_picker(), "Avsluta": quits()}
    effects |= places(*without)
    if help_key:
        effects["Hjälp"] = pushed(HelpScreen, lambda shown: shown.beneath is not None)
    return effects


def in_dialog() -> dict[str, Effect]:
    """A dialog hides the app's keys; the palette still changes the theme and quits."""
    return {"Tema": theme_picker(), "Avsluta": quits()}


def calendar_effects() -> dict[str, Effect]:
    def view(name: str, away: str) -> Effect:
        """The calendar shows the view `name`, having shown another (pressed first)."""
        return stays(lambda app: calendar(app).view == name, away)

    def far_away(app: DialogApp) -> None:
        # In the list view no key moves the day or the year; "I dag" must still bring both back.
        calendar(app).query_one(MonthView).selected = TODAY + timedelta(days=40)
        calendar(app).year = TODAY.year + 2

    def today_again(app: DialogApp) -> bool:
        return selected(app) == TODAY and calendar(app).year == TODAY.year

    return {
        "Månad": view("month", "3"),
        "Tidslinje": view("timeline", "1"),
        "Lista": view("list", "1"),
        "Filter": pushed(FilterScreen),
        "Anmäl dialog": pushed(InitiativeFormScreen, lambda form: form.is_new),
        "I dag": stays(today_again, far_away),
        "Överlapp": pushed(OverlapScreen),
        "Lärdomar": pushed(LessonsScreen),
        "Årsrapport": pushed(ReportScreen),
        **app_wide(),
    }


# -- what others do meanwhile, and what is typed ----------------------------------------------


def fresh_calendar(app: DialogApp) -> None:
    """The calendar as it opens (month, today, unfiltered), before a view key is pressed."""
    screen = calendar(app)
    screen.grouping, screen.sort, screen.view = "initiative", "start", "month"
    screen.year = TODAY.year
    screen.query_one(MonthView).selected = TODAY
    screen.query_one(MonthView).focus()


def someone_else_saves(app: DialogApp) -> None:
    """Another user saves the initiative that this session has open in its form."""
    with Store(app.store.path, user="bo") as bo:
        current = bo.initiative(opened_id(app))
        purpose = f"Bos syfte, version {current.version + 1}"
        bo.update_initiative(current.model_copy(update={"purpose": purpose}))


CHRISTMAS = (date(2026, 12, 21), date(2027, 1, 6))
CANDIDATE = "Julenkät"


def christmas_is_blocked(app: DialogApp) -> None:
    """The coordinator has blocked the holidays (in an earlier session)."""
    if not app.store.blocked_periods():
        app.store.save_blocked_period(
            BlockedPeriod(name="Jul", start=CHRISTMAS[0], end=CHRISTMAS[1])
        )


def fill_candidate(app: DialogApp) -> None:
    """A registration that falls in the blocked holidays: its save is warned of."""
    form = app.screen
    assert isinstance(form, InitiativeFormScreen)
    for name, value in (("unit", "Region Halland"), ("start", "2026-12-28"), ("end", "2027-01-04")):
        form.query_one(f"#{name}", Input).value = value
    form.query_one("#method", Select).value = Method.SURVEY


def candidates(app: DialogApp) -> list[Initiative]:
    return [i for i in app.store.initiatives() if i.title == CANDIDATE]


def type_into(widget_id: str, text: str) -> Callable[[DialogApp], None]:
    def fill(app: DialogApp) -> None:
        widget = app.screen.query_one(f"#{widget_id}")
        if isinstance(widget, TextArea):
            widget.text = text
        else:
            assert isinstance(widget, Input)
            widget.value = text

    return fill


def promises(app: DialogApp) -> int:
    return len(app.store.feedback_promises(opened_id(app)))


def form_of(app: DialogApp) -> InitiativeFormScreen:
    return next(s for s in app.screen_stack if isinstance(s, InitiativeFormScreen))


def registered(window: Callable[[OverlapWarningScreen], tuple[date, date]]) -> Effect:
    """One more candidate is stored, in the given window, and its page is shown."""

    def arm(app: DialogApp) -> Check:
        warning = app.screen
        assert isinstance(warning, OverlapWarningScreen)
        before, expected = len(candidates(app)), window(warning)
        return lambda: (
            isinstance(app.screen, InitiativeScreen)
            and len(candidates(app)) == before + 1
            and newest_window(app) == expected
        )

    return Effect(arm)


def newest_window(app: DialogApp) -> tuple[date, date]:
    newest = max(candidates(app), key=lambda i: i.id or 0)
    return newest.start, newest.end


def suggested(warning: OverlapWarningScreen) -> tuple[date, date]:
    suggestion = warning.check.suggestion
    assert suggestion is not None
    return suggestion.start, suggestion.end


def next_evaluation(app: DialogApp) -> Check:
    """#1 is saved, and the evaluation of the next ended dialogue without one is open."""
    place = app.screen
    return lambda: (
        isinstance(app.screen, EvaluationScreen)
        and app.screen is not place
        and app.screen.initiative_id != 1
        and app.store.evaluation(1) is not None
    )


def left_the_form(app: DialogApp) -> Check:
    return lambda: isinstance(app.screen, CalendarScreen) and len(app.screen_stack) == 2


# -- the places -------------------------------------------------------------------------------

# The demo's list starts with "Tillgänglig kultur" (cancelled, so no stage keys) and ends with
# one not yet started (every key of the page). The overlap list starts with #26 and #31.
FIRST = ("3", "enter")
LAST = ("3", "end", "enter")
OVERLAP = ("o", "enter")
WARNED = (christmas_is_blocked, "n", *CANDIDATE, fill_candidate, "ctrl+s")

PLACES: list[Place] = [
    Place(
        "calendar-month",
        (fresh_calendar,),
        CalendarScreen,
        {
            "Föregående dag": becomes(selected, lambda d: d - timedelta(1)),
            "Nästa dag": becomes(selected, lambda d: d + timedelta(1)),
            "Föregående vecka": becomes(selected, lambda d: d - timedelta(7)),
            "Nästa vecka": becomes(selected, lambda d: d + timedelta(7)),
            "Föregående månad": becomes(
                lambda app: month_of(selected(app)), lambda ym: month_of(date(*ym, 1), -1)
            ),
            "Nästa månad": becomes(
                lambda app: month_of(selected(app)), lambda ym: month_of(date(*ym, 1), 1)
            ),
            # On the demo's today several initiatives run; Enter moves to their list.
            "Dagens initiativ": stays(lambda app: isinstance(app.focused, DayList), "t"),
            **calendar_effects(),
        },
        state=lambda app: calendar(app).view,
        runs_shared=APP_WIDE | CALENDAR_WIDE,
    ),
    Place(
        "calendar-timeline",
        (fresh_calendar, "2"),
        CalendarScreen,
        {
            **cursor_effects(),
            "Öppna": pushed(InitiativeScreen),
            "Gruppera": becomes(
                lambda app: calendar(app).grouping,
                lambda g: GROUPINGS[(GROUPINGS.index(g) + 1) % len(GROUPINGS)],
            ),
            "Föregående år": becomes(lambda app: calendar(app).year, lambda y: y - 1),
            "Nästa år": becomes(lambda app: calendar(app).year, lambda y: y + 1),
            **calendar_effects(),
        },
        state=lambda app: (calendar(app).view, calendar(app).grouping),
        runs_shared=ROW_KEYS,
        again=2,
    ),
    Place(
        "calendar-list",
        (fresh_calendar, "3"),
        CalendarScreen,
        {
            **cursor_effects(),
            "Öppna": pushed(InitiativeScreen),
            "Sortera": becomes(
                lambda app: calendar(app).sort, lambda s: SORTS[(SORTS.index(s) + 1) % len(SORTS)]
            ),
            **calendar_effects(),
        },
        state=lambda app: (calendar(app).view, calendar(app).sort),
        again=2,
    ),
    Place(
        "initiative",
        LAST,
        InitiativeScreen,
        {
            "Tillbaka": left(),
            "Redigera": pushed(InitiativeFormScreen, lambda form: not form.is_new),
            "Nästa skede": stays(lambda app: stored(app).stage is Stage.PLANNING, rebuild=True),
            "Checklista": pushed(ChecklistScreen),
            "Utvärdering": pushed(EvaluationScreen),
            "Vi frågade–ni svarade–vi gjorde": pushed(PublicFeedbackScreen),
            # Both ask where to write, suggesting a documents folder beside the database.
            "Återkoppling som Markdown": pushed(TextPromptScreen),
            "Sammanfattning som Markdown": pushed(TextPromptScreen),
            "Ställ in": pushed(ConfirmScreen),
            "Alla överlapp": pushed(OverlapScreen),
            **app_wide(without=("Överlapp",)),
        },
    ),
    Place(
        "checklist",
        (*FIRST, "k"),
        ChecklistScreen,
        {
            **cursor_effects(),
            "Klar/ej klar": becomes(
                lambda app: len(app.store.checklist(opened_id(app))), lambda n: n + 1
            ),
            "Ej aktuell": pushed(TextPromptScreen),
            "Nytt löfte": pushed(PromiseScreen),
            "Tillbaka": left(),
            **app_wide(),
        },
        state=rows_cursor,
    ),
    Place(
        "evaluation",
        (*FIRST, "u"),
        EvaluationScreen,
        {
            "Nästa fält": next_field(),
            "Spara": left(
                lambda app: app.store.evaluation(1) is not None,
                prepare=(type_into("participants", "12"),),
            ),
            # #1 is done; the next ended dialogue without an evaluation opens.
            "Spara, nästa utan utvärdering": Effect(
                next_evaluation, (type_into("participants", "12"),)
            ),
            "Tillbaka (utkastet sparas)": left(),
            **app_wide(help_key=False),
        },
    ),
    Place(
        "registration",
        ("n",),
        InitiativeFormScreen,
        {
            "Nästa fält": next_field(),
            "Spara": notified("Inget sparades"),
            "Tillbaka": left(),
            "Ny målgrupp": Effect(
                becomes(lambda app: len(app.screen.query(TargetGroupEditor)), lambda n: n + 1).arm,
                rebuild=True,  # a changed form asks before Tillbaka
            ),
            **app_wide(help_key=False),
        },
    ),
    Place(
        "overlaps",
        ("o",),
        OverlapScreen,
        {
            **cursor_effects(),
            "Öppna": pushed(OverlapDetailScreen),
            "Tillbaka": left(),
            "Samordnat": pushed(TextPromptScreen),
            **app_wide(without=("Överlapp",)),
        },
        state=rows_cursor,
    ),
    Place(
        "overlap-detail",
        OVERLAP,
        OverlapDetailScreen,
        {
            "Tillbaka": left(),
            "Samordnat": pushed(TextPromptScreen),
            "Öppna vänster": pushed(InitiativeScreen, lambda page: page.initiative_id == 26),
            "Öppna höger": pushed(InitiativeScreen, lambda page: page.initiative_id == 31),
            **app_wide(),
        },
    ),
    Place(
        "settings",
        ("o", "v"),
        SettingsScreen,
        {
            "Nästa fält": next_field(),
            "Tillbaka": left(),
            "Ny spärrad period": pushed(BlockedPeriodScreen),
            **app_wide(help_key=False, without=("Vilotid och spärrar",)),
        },
    ),
    Place(
        "report",
        ("r",),
        ReportScreen,
        {
            "Rulla upp": moves(scroll_y, -1, "down", "down"),
            "Rulla ned": moves(scroll_y, 1),
            "Sida upp": stays(lambda app: scroll_y(app) == 0, "pagedown"),
            "Sida ned": stays(lambda app: scroll_y(app) > 1),
            "Början": stays(lambda app: scroll_y(app) == 0, "pagedown"),
            "Slutet": stays(lambda app: scroll_y(app) == max_scroll_y(app) > 0),
            "Tillbaka": left(),
            "Föregående år": becomes(lambda app: app.screen.year, lambda y: y - 1),
            "Nästa år": becomes(lambda app: app.screen.year, lambda y: y + 1),
            "Per beställare": stays(lambda app: app.screen.dimension == "unit", "2"),
            "Per metod": stays(lambda app: app.screen.dimension == "method"),
            "Per påverkansnivå": stays(lambda app: app.screen.dimension == "influence"),
            "I år": stays(lambda app: app.screen.year == TODAY.year, "left"),
            **app_wide(without=("Årsrapport",)),
        },
        # Another year or table has another length: the scroll keys need this year's by unit.
        state=lambda app: (app.screen.year, app.screen.dimension),
    ),
    Place(
        "lessons",
        ("l",),
        LessonsScreen,
        {"Tillbaka": left(), **app_wide(help_key=False, without=("Lärdomar",))},
    ),
    Place(
        "to-do",
        ("ctrl+t",),
        TodoScreen,
        {
            **cursor_effects(),
            "Öppna": pushed(Screen),
            "Tillbaka": left(),
            # Ctrl+T on the to-do list itself opens no second one.
            "Att göra": stays(lambda app: len(app.screen_stack) == 3),
            "Hjälp": pushed(HelpScreen),
            "Tema": theme_picker(),
            "Avsluta": quits(),
            **places(),
        },
        state=rows_cursor,
        runs_shared=frozenset({"Att göra"}),  # which opens no second to-do list here
    ),
    Place(
        "filter",
        ("slash",),
        FilterScreen,
        {
            "Avbryt": unchanged(lambda app: calendar(app).where, *"unga"),
            "Använd": left(lambda app: calendar(app).where.text == "unga", prepare=(*"unga",)),
            "Rensa allt": left(lambda app: calendar(app).where.is_empty, prepare=(*"unga",)),
            **in_dialog(),
        },
        runs_shared=frozenset({"Tema", "Avsluta"}),
    ),
    Place("help", ("question_mark",), HelpScreen, {"Stäng": left(), **in_dialog()}),
    Place(
        "public feedback",
        (*FIRST, "a"),
        PublicFeedbackScreen,
        {
            "Avbryt": left(
                lambda app: app.store.public_feedback(1).asked == "",
                prepare=(type_into("asked", "Hur når vi fler?"),),
            ),
            "Spara": left(
                lambda app: app.store.public_feedback(1).asked == "Hur når vi fler?",
                prepare=(type_into("asked", "Hur når vi fler?"),),
            ),
            **in_dialog(),
        },
    ),
    Place(
        "new promise",
        (*FIRST, "k", "p"),
        PromiseScreen,
        {
            "Avbryt": left(lambda app: promises(app) == 0),
            "Spara": left(
                lambda app: promises(app) == 1,
                prepare=(type_into("what", "Sammanfattning"), type_into("due", "15/12")),
            ),
            **in_dialog(),
        },
    ),
    Place(
        "reason",
        (*FIRST, "k", "n"),
        TextPromptScreen,
        {"Avbryt": unchanged(lambda app: app.store.checklist(1)), **in_dialog()},
    ),
    Place(
        "leave unsaved",
        ("n", "x", "escape"),
        ConfirmScreen,
        {
            "Nej": left(lambda app: isinstance(app.screen, InitiativeFormScreen)),
            "Ja": Effect(left_the_form),
            **in_dialog(),
        },
    ),
    Place(
        "blocked period",
        ("o", "v", "ctrl+n"),
        BlockedPeriodScreen,
        {
            "Nästa fält": next_field(),
            "Avbryt": left(lambda app: app.store.blocked_periods() == []),
            "Spara": left(
                lambda app: [p.name for p in app.store.blocked_periods()] == ["Jul"],
                prepare=(
                    type_into("name", "Jul"),
                    type_into("start", "2026-12-21"),
                    type_into("end", "2027-01-06"),
                ),
            ),
            **in_dialog(),
        },
    ),
    Place(
        "overlap warning",
        WARNED,
        OverlapWarningScreen,
        {
            "Tillbaka till formuläret": left(
                lambda app: isinstance(app.screen, InitiativeFormScreen)
            ),
            "Spara ändå": registered(lambda warning: (date(2026, 12, 28), date(2027, 1, 4))),
            "Flytta": registered(suggested),
            **in_dialog(),
        },
    ),
    Place(
        "conflict",
        (*FIRST, "e", someone_else_saves, "ctrl+s"),
        ConflictScreen,
        {
            "Fortsätt redigera": left(lambda app: isinstance(app.screen, InitiativeFormScreen)),
            "Ladda om": left(
                lambda app: "Bos syfte" in form_of(app).query_one("#purpose", TextArea).text
            ),
            **in_dialog(),
        },
        again=2,  # bo saves once more, and Ctrl+S meets the conflict again
    ),
]


# -- driving ----------------------------------------------------------------------------------


async def go(pilot: Pilot[None], steps: tuple[Step, ...]) -> None:
    """Press the keys (each waits for the screen it opens) and do the deeds, in order."""
    keys: list[str] = []
    for step in (*steps, None):
        if isinstance(step, str):
            keys.append(step)
            continue
        if keys:
            await pilot.press(*keys)
            await settle(pilot)
            keys = []
        if step is not None:
            step(pilot.app)  # type: ignore[arg-type]
            await settle(pilot)


@dataclass
class Visit:
    """Where a place is in a running app: its screen, its focus, the screen its last steps
    start from."""

    screen: Screen[Any]
    focused: Widget | None
    anchor: Screen[Any] | None


async def enter(pilot: Pilot[None], place: Place, visit: Visit | None = None) -> Visit:
    """Walk to the place with its keys: from the screen its last steps start on, if that is
    still there, else from the calendar."""
    app = pilot.app
    steps = place.route
    if visit is not None and visit.anchor in app.screen_stack:
        while app.screen is not visit.anchor:
            await app.pop_screen()
        anchor, steps = visit.anchor, place.route[-place.again :]
    else:
        while len(app.screen_stack) > 2:
            await app.pop_screen()
        await go(pilot, place.route[: -place.again])
        anchor, steps = app.screen, place.route[-place.again :]
    await go(pilot, steps)
    await wait_for(pilot, lambda: isinstance(app.screen, place.screen), what=place.name)
    return Visit(app.screen, app.focused, anchor)


async def listed(pilot: Pilot[None]) -> list[str]:
    """The commands the palette lists before anything is typed."""
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: CommandPalette.is_open(pilot.app), what="the palette")
    commands = pilot.app.screen.query_one(CommandList)
    await wait_for(pilot, lambda: commands.option_count > 0, what="the palette's commands")
    titles = [commands.get_option_at_index(i).hit.text for i in range(commands.option_count)]
    await pilot.press("escape")
    await wait_for(pilot, lambda: not CommandPalette.is_open(pilot.app), what="a closed palette")
    return [str(title) for title in titles]


async def run_from_palette(pilot: Pilot[None], title: str) -> None:
    """Ctrl+P, the command's name, and Enter once it is the highlighted one."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: CommandPalette.is_open(app), what="the palette")
    commands = app.screen.query_one(CommandList)
    await type_text(pilot, title)

    def highlighted() -> str | None:
        index = commands.highlighted
        if index is None or index >= commands.option_count:
            return None
        return str(commands.get_option_at_index(index).hit.text)

    def found() -> bool:
        names = [
            str(commands.get_option_at_index(i).hit.text) for i in range(commands.option_count)
        ]
        return title in names and highlighted() is not None

    await wait_for(pilot, found, what=f"{title!r} among the palette's hits")
    for _ in range(commands.option_count):
        if highlighted() == title:
            break
        await pilot.press("down")
    assert highlighted() == title
    await pilot.press("enter")


@pytest.fixture
def palette_store(demo_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.chdir(tmp_path)  # the Markdown exports are written here
    return demo_store


@pytest.mark.parametrize(
    "everything",
    [pytest.param(False, id="own"), pytest.param(True, id="all", marks=pytest.mark.slow)],
)
@pytest.mark.parametrize("place", PLACES, ids=[p.name for p in PLACES])
async def test_every_command_of_the_palette_runs_and_does_what_it_says(
    place: Place, everything: bool, palette_store: Store
) -> None:
    app = make_app(palette_store)
    NOTIFIED[id(app)] = record_notifications(app)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await settle(pilot)
        visit = await enter(pilot, place)
        state = place.state(app)
        titles = await listed(pilot)
        assert sorted(titles) == sorted(place.effects), f"{place.name} lists {titles}"
        for title in place.to_run(titles, everything):
            effect = place.effects[title]
            await go(pilot, effect.prepare)
            check = effect.arm(app)
            await run_from_palette(pilot, title)
            await wait_for(pilot, check, what=f"{place.name}: what {title!r} does")
            if title == "Avsluta":
                break
            assert app.return_code is None, f"{place.name}: the app ended after {title!r}"
            # Back to the place as it was, for the next command.
            if not effect.rebuild and visit.screen in app.screen_stack:
                while app.screen is not visit.screen:
                    await app.pop_screen()
                focused = visit.focused
                if focused is not None and focused.is_attached and app.focused is not focused:
                    focused.focus()
                await settle(pilot)
            if effect.rebuild or app.screen is not visit.screen or place.state(app) != state:
                visit = await enter(pilot, place, None if effect.rebuild else visit)
    NOTIFIED.pop(id(app))
    assert app.return_code in (None, 0)
