"""No English where a user looks (issue 14): every screen, as reached by its keys, with Textual's
own texts (the footer's keys, an open list, the palette, Ctrl+C), and the command line's help
and errors, are read for the words in `english_words.txt` beside this file."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandList

from dialogtui.cli import build_parser, main
from dialogtui.store import Store
from dialogtui.widgets.swedish import NO_MATCHES
from tests.ui import make_app, record_notifications, screen_text, settle, wait_for

WORDS = [
    line.strip()
    for line in (Path(__file__).parent / "english_words.txt").read_text("utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]
ENGLISH = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, WORDS)) + r")(?![\w-])", re.I)


def english_in(text: str) -> list[str]:
    return sorted({m.group(0) for m in ENGLISH.finditer(text)})


def test_the_list_finds_what_it_should_and_not_swedish() -> None:
    assert english_in("Press ctrl+q to quit; No matches found") == [
        "No matches",
        "Press",
        "found",
        "quit",
    ]
    assert english_in("Anmäl dialog, andra träffar, i morgon, topp, hemma, nästa") == []


# Numbers that disagree with their nouns, days said as numbers, and quote marks that are not
# Swedish: none may be seen anywhere (issue 14). "1" stands alone, not in "11" or "2,1".
DISAGREEMENT = re.compile(
    r"(?<![\d,.\-–])1 (dagar|träffar|löften|före-punkter|efter-punkter|punkter|dialoger|filer"
    r"|anmälningar|utvärderingar|grupper|saker|rader|gånger|panelenkäter|öppna|hållna|nya"
    r"|registrerade|samordnade|försenade)(?!\w)"
    r"|\bom [01] dag(ar)?\b|\bdagar sen\b|[«»]"
)


def disagreements_in(text: str) -> list[str]:
    return sorted({m.group(0) for m in DISAGREEMENT.finditer(text)})


def test_the_disagreements_are_found() -> None:
    assert disagreements_in("1 dialoger · om 0 dagar · 3 dagar sen · «x»") == [
        "1 dialoger",
        "dagar sen",
        "om 0 dagar",
        "«",
        "»",
    ]
    assert disagreements_in("11 dialoger, 2,1 dagar, 1 dialog, 2 dagar försenad, i dag") == []


# In a list of keys: wait until the inbox has read its folder.
INBOX_READ = "<inbox read>"


async def press(pilot: Any, keys: tuple[str, ...]) -> None:
    from dialogtui.screens.inbox import InboxRows

    for key in keys:
        if key == INBOX_READ:
            rows = pilot.app.screen.query_one(InboxRows)
            await wait_for(pilot, lambda rows=rows: rows.row_count > 0, what="the inbox's files")
        else:
            await pilot.press(key)


# Each place, reached from the calendar with a user's keys; "?" after the keys shows the help
# of the place. The demo's list ends with a registered dialogue, and begins with a cancelled one.
PLACES: dict[str, tuple[str, ...]] = {
    "month": (),
    "timeline": ("2",),
    "list": ("3",),
    "page": ("3", "end", "enter"),
    "checklist": ("3", "enter", "k"),
    "not applicable": ("3", "enter", "k", "down", "down", "n"),
    "promise": ("3", "enter", "k", "p"),
    "evaluation": ("3", "enter", "u"),
    "public feedback": ("3", "enter", "a"),
    "edit": ("3", "end", "enter", "e"),
    "next stage": ("3", "end", "enter", "s"),
    "cancel": ("3", "end", "enter", "i"),
    "overlaps": ("o",),
    "overlap": ("o", "enter"),
    "settings": ("v",),
    "blocked period": ("v", "ctrl+n"),
    "report": ("r",),
    "report by method": ("r", "s"),
    "lessons": ("l", *"unga", "enter"),
    "to-do": ("ctrl+t",),
    "inbox": ("a",),
    "inbox entry": ("a", INBOX_READ, "down", "down", "down", "enter"),
    "filter": ("slash",),
    "open list": ("slash", "tab", "enter"),
    "registration": ("n",),
    "Ctrl+C": ("ctrl+c",),
}
# The dialogs' help is the screen's beneath and a few keys: read once, beneath.
NO_HELP = {"not applicable", "cancel", "next stage", "edit", "report by method", "open list"}
NO_HELP |= {"Ctrl+C", "blocked period", "public feedback"}
# What each place must be, so that a key that leads elsewhere is noticed.
REACHED = {
    "not applicable": "TextPromptScreen",
    "promise": "PromiseScreen",
    "public feedback": "PublicFeedbackScreen",
    "edit": "InitiativeFormScreen",
    "cancel": "ConfirmScreen",
    "blocked period": "BlockedPeriodScreen",
    "inbox entry": "InboxEntryScreen",
    "open list": "FilterScreen",
}
# Three groups, so that parallel test processes share the walk.
GROUPS = [list(PLACES)[n::3] for n in range(3)]


def _readable(app: Any, text: str) -> str:
    """What a user reads: in the help, the keys' own names (home, end) are left out."""
    from dialogtui.screens.help import HelpScreen

    if not isinstance(app.screen, HelpScreen):
        return text
    return "\n".join(re.sub(r"^\s*\S+(?: / \S+)?\s{2,}", "", line) for line in text.splitlines())


@pytest.mark.parametrize("group", GROUPS, ids=lambda group: group[0])
async def test_no_english_and_no_disagreement_on_any_screen(
    group: list[str], demo_store: Store
) -> None:
    from tests.test_inbox_screen import fill_inbox

    fill_inbox(demo_store.path.parent / "inkorg")
    app = make_app(demo_store)
    said = record_notifications(app)
    found: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    async with app.run_test(notifications=True, size=(120, 40)) as pilot:
        await settle(pilot)
        calendar = app.screen
        for name in group:
            for with_help in (False, True)[: 1 if name in NO_HELP else 2]:
                keys = PLACES[name] + (("question_mark",) if with_help else ())
                await press(pilot, keys)
                await settle(pilot)
                if keys and name != "Ctrl+C" and keys[0] not in "23":
                    assert app.screen is not calendar, f"{name}: the keys led nowhere"
                if not with_help:
                    seen[name] = type(app.screen).__name__
                text = _readable(app, screen_text(app)) + "\n" + "\n".join(said)
                wrong = english_in(text) + disagreements_in(text)
                if wrong:
                    found[name + (" ?" if with_help else "")] = wrong
                while app.screen is not calendar:
                    await app.pop_screen()
                await pilot.press("1")
                said.clear()
    for name, kind in REACHED.items():
        assert name not in seen or seen[name] == kind, f"{name}: {seen[name]}, not {kind}"
    assert not found, f"English or disagreement on screen: {found}"


async def test_the_palette_is_swedish_finding_all_and_nothing(demo_store: Store) -> None:
    app = make_app(demo_store)
    found: dict[str, list[str]] = {}
    async with app.run_test(notifications=True, size=(120, 40)) as pilot:
        await settle(pilot)
        # Every command, as the palette lists them before anything is typed.
        await pilot.press("ctrl+p", "down")
        commands = app.screen.query_one(CommandList)
        await wait_for(pilot, lambda: commands.option_count > 10, what="the palette's commands")
        listed = "\n".join(
            str(commands.get_option_at_index(n).prompt) for n in range(commands.option_count)
        )
        if english_in(listed):
            found["all"] = english_in(listed)
        await pilot.press("escape")
        await settle(pilot)
        # Finding nothing, it says so in Swedish.
        await pilot.press("ctrl+p", *"qqqzzz")
        await wait_for(
            pilot,
            lambda: NO_MATCHES in screen_text(app),
            what="the palette's no-match line",
        )
        palette_text = screen_text(app)
        if english_in(palette_text):
            found["none"] = english_in(palette_text)
    assert not found, f"English in the palette: {found}"


async def test_the_dialogs_pushed_by_a_save_are_swedish(demo_store: Store) -> None:
    from dialogtui.screens.dialogs import ConflictScreen
    from dialogtui.screens.initiative import InitiativeScreen
    from dialogtui.screens.overlaps import OverlapWarningScreen

    app = make_app(demo_store)
    async with app.run_test(notifications=True, size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "enter")
        await settle(pilot)
        page = app.screen
        assert isinstance(page, InitiativeScreen) and page.initiative is not None
        theirs = page.initiative
        # Another user's save that came first, as the form shows it.
        mine = theirs.model_copy(update={"title": theirs.title + " (min)", "sample_size": 1})
        app.push_screen(ConflictScreen("Någon annan sparade först.", theirs, mine))
        await wait_for(pilot, lambda: isinstance(app.screen, ConflictScreen))
        await settle(pilot)
        conflict = screen_text(app)
        await app.pop_screen()
        # A second registration of the same dialogue: what the form's Ctrl+S asks first.
        twin = theirs.model_copy(update={"id": None, "version": 0})
        app.confirm_before_save(twin, lambda initiative: None)
        await wait_for(pilot, lambda: isinstance(app.screen, OverlapWarningScreen))
        await settle(pilot)
        warning = screen_text(app)
    for text in (conflict, warning):
        assert english_in(text) + disagreements_in(text) == [], text


async def test_ctrl_c_says_how_to_quit_in_swedish(demo_store: Store) -> None:
    app = make_app(demo_store)
    said = record_notifications(app)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: said, what="the Ctrl+C notice")
    assert said and "Ctrl+Q" in said[0] and not english_in(said[0]) and "[" not in said[0]


def _commands() -> list[str]:
    # Read from the parser, so that a command added later cannot escape the check.
    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return sorted(sub.choices)


COMMANDS = _commands()


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        *[[command, "--help"] for command in COMMANDS],
    ],
    ids=lambda argv: " ".join(argv),
)
def test_the_command_lines_help_is_swedish(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as ended:
        main(argv)
    assert ended.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("användning: dialogtui")
    assert "flaggor:" in out and "visa den här hjälpen och avsluta" in out
    # Option names and metavars are code, not words: --include-coordinated, {json,csv} …
    prose = re.sub(r"--?[\w-]+|\{[^}]*\}|\$\w+|\S*/\S*", " ", out)
    assert english_in(prose) == []


WRONG: list[tuple[list[str], str]] = [
    (["frobnicate"], "KOMMANDO"),
    (["export"], "--format"),
    (["export", "--format", "pdf"], "--format"),
    (["report", "--year", "27"], "--year"),
    (["report", "--year", "tjugo"], "--year"),
    (["overlaps", "--rest-days", "x"], "--rest-days"),
    (["todo", "--bogus"], "--bogus"),
    (["--db"], "--db"),
    (["restore"], "FIL"),
    # Every command's door: one wrong thing each.
    (["import"], "FIL"),
    (["template", "--bogus"], "--bogus"),
    (["backup", "--bogus"], "--bogus"),
    (["check", "--bogus"], "--bogus"),
    (["demo", "--seed", "x"], "--seed"),
    (["overlaps", "--format", "pdf"], "pdf"),
    (["restore", "a", "b"], "b"),
    (["init", "--bogus"], "--bogus"),
]


def test_every_command_is_given_a_wrong_argument() -> None:
    assert {argv[0] for argv, _ in WRONG} >= set(COMMANDS)


@pytest.mark.parametrize(
    ("argv", "named"),
    WRONG,
    ids=lambda value: " ".join(value) if isinstance(value, list) else value,
)
def test_the_command_lines_errors_are_swedish_and_name_the_option(
    argv: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as ended:
        main(argv)
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("användning: dialogtui")
    message = err.splitlines()[-1]
    assert ": fel: " in message and named in message
    prose = re.sub(r"--?[\w-]+|\{[^}]*\}", " ", message)
    assert english_in(prose) == [], message


def test_argparse_s_lists_are_said_as_swedish_lists() -> None:
    from dialogtui.argparse_sv import translate

    # All of them are wrong, or needed: "och", not "eller"; and the noun agrees.
    assert translate("unrecognized arguments: --a x") == "okända argument: --a och x (se --help)"
    assert translate("unrecognized arguments: --a") == "okänt argument: --a (se --help)"
    assert translate("the following arguments are required: FIL, --format") == (
        "ange FIL och --format"
    )
    assert translate("expected 1 argument") == "ska följas av 1 värde"
    assert translate("expected 2 arguments") == "ska följas av 2 värden"
    assert translate("invalid choice: 'x' (choose from 'a', 'b', 'c')") == (
        "”x” går inte; välj a, b eller c"
    )


def test_report_year_names_the_allowed_range(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["report", "--year", "27"])
    err = capsys.readouterr().err
    assert "--year" in err and "2000" in err and "2099" in err


def test_os_errors_are_explained_in_swedish(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "d.db"
    Store(db, create=True).close()
    inside_a_file = db / "ut.json"  # "Not a directory"
    assert main(["export", "--db", str(db), "--format", "json", "-o", str(inside_a_file)]) == 1
    assert main(["import", str(tmp_path / "saknas.json"), "--db", str(db)]) == 1  # "No such file"
    assert main(["backup", str(inside_a_file), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) >= 3
    assert err and english_in(err.replace(str(tmp_path), "")) == [], err


def test_the_conflict_view_shows_labels_not_codes() -> None:
    from rich.console import Console

    from dialogtui.models import Compensation, Method, Stage
    from dialogtui.screens.dialogs import conflict_table
    from tests.factories import make_initiative

    theirs = make_initiative(method=Method.FOCUS_GROUP, stage=Stage.PLANNING, uses_panel=False)
    mine = make_initiative(
        method=Method.DIALOGUE_MEETING,
        stage=Stage.REGISTERED,
        uses_panel=True,
        compensation=Compensation(amount_sek=500, payer=""),
    )
    console = Console(width=160, record=True)
    console.print(conflict_table(theirs, mine))
    shown = console.export_text()
    for label in ("fokusgrupp", "dialogmöte", "planering", "anmäld", "ja", "nej", "500 kr"):
        assert label in shown
    assert english_in(shown) == [] and "amount_sek" not in shown, shown


async def test_an_open_list_says_how_to_close_it_in_swedish(demo_store: Store) -> None:
    from textual.widgets import Select

    app = make_app(demo_store)
    async with app.run_test(notifications=True, size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3", "enter", "u")
        await settle(pilot)
        chooser = app.screen.query_one("#achieved", Select)
        chooser.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: chooser.expanded, what="the list to open")
        await settle(pilot)
        text = screen_text(app)
        assert "Stäng listan" in text and english_in(text) == [], english_in(text)
