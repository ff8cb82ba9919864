"""No English where a user looks (issue 14): every screen, as reached by its keys, with Textual's
own texts (the footer's keys, an open list, the palette, Ctrl+C), and the command line's help
and errors, are read for the words in `english_words.txt` beside this file."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

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


# Each place, reached from the calendar with a user's keys.
ROUTES: dict[str, tuple[str, ...]] = {
    "month": (),
    "timeline": ("2",),
    "list": ("3",),
    "help": ("question_mark",),
    "page": ("3", "end", "enter"),
    "page help": ("3", "end", "enter", "question_mark"),
    "checklist": ("3", "enter", "k"),
    "evaluation": ("3", "enter", "u"),
    "overlaps": ("o",),
    "overlap": ("o", "enter"),
    "settings": ("v",),
    "report": ("r",),
    "lessons": ("l",),
    "to-do": ("ctrl+t",),
    "inbox": ("a",),
    "filter": ("slash",),
    "open list": ("slash", "tab", "enter"),
    "registration": ("n",),
    "Ctrl+C": ("ctrl+c",),
}


async def test_no_english_on_any_screen(demo_store: Store) -> None:
    app = make_app(demo_store)
    said = record_notifications(app)
    found: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    async with app.run_test(notifications=True, size=(120, 40)) as pilot:
        await settle(pilot)
        calendar = app.screen
        for name, keys in ROUTES.items():
            await pilot.press(*keys)
            await settle(pilot)
            if keys and name != "Ctrl+C" and keys[0] not in "23":
                assert app.screen is not calendar, f"{name}: the keys led nowhere"
            seen[name] = type(app.screen).__name__
            text = screen_text(app) + "\n" + "\n".join(said)
            if english_in(text):
                found[name] = english_in(text)
            while app.screen is not calendar:
                await app.pop_screen()
            await pilot.press("1")
            said.clear()
        assert seen["open list"] == "FilterScreen" and seen["page help"] == "HelpScreen"
        # The palette, finding nothing, says so in Swedish.
        await pilot.press("ctrl+p", *"qqqzzz")
        await wait_for(
            pilot,
            lambda: NO_MATCHES in screen_text(app),
            what="the palette's no-match line",
        )
        palette_text = screen_text(app)
        if english_in(palette_text):
            found["palette"] = english_in(palette_text)
        assert app.screen.query_one(CommandList) is not None
    assert not found, f"English on screen: {found}"


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


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["frobnicate"], "KOMMANDO"),
        (["export"], "--format"),
        (["export", "--format", "pdf"], "--format"),
        (["report", "--year", "27"], "--year"),
        (["report", "--year", "tjugo"], "--year"),
        (["overlaps", "--rest-days", "x"], "--rest-days"),
        (["todo", "--bogus"], "--bogus"),
        (["--db"], "--db"),
        (["restore"], "FIL"),
    ],
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
