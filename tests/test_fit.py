"""Every screen fits, at 80x24 and 200x60: columns by terminal cells, a footer that keeps Help,
dialogs whose input stays in sight, and the keys a user expects in lists, fields and dialogs."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from textual.widgets import Button, Input, TextArea
from textual.widgets._footer import FooterKey

from dialogtui.calendar_math import year_weeks
from dialogtui.domain import InitiativeSummary, Stage
from dialogtui.screens.checklist import ChecklistRows, ChecklistScreen
from dialogtui.screens.dialogs import ConfirmScreen, ConflictScreen, TextPromptScreen
from dialogtui.screens.form import InitiativeFormScreen
from dialogtui.screens.initiative import gate_prompt
from dialogtui.screens.lessons import LessonRows, LessonsScreen
from dialogtui.screens.report import ReportScreen
from dialogtui.screens.todo import TodoRows, TodoScreen
from dialogtui.store import Store
from dialogtui.widgets import initiative_table, timeline
from dialogtui.widgets.cells import clean, fit
from dialogtui.widgets.footer import Footer, fitting
from dialogtui.widgets.initiative_table import InitiativeTable
from dialogtui.widgets.month import MonthView
from dialogtui.widgets.timeline import TimelineRows
from tests.conftest import TODAY
from tests.factories import make_initiative
from tests.ui import make_app, saves_settled, settle, wait_for, widget_text

# What titles typed or pasted in hold: letters, combining accents, zero-width and joining
# characters, flags (regional indicators), emoji with variation selectors, wide CJK.
TRICKY = "aåäöZ \u0301\u0308\u200b\u200d\u200c\u2060\ufe0f\ufe0e🇸🇪😀👩🏽中文ｗ…"
TITLES = [
    "Unga i Halmstad",
    "Unga\u200b i\u200d Halmstad",
    "Cafe\u0301 för a\u0308ldre",
    "🇸🇪 Sverige-dialog",
    "👩\u200d👩\u200d👧 Familjer ❤\ufe0f",
    "中文 dialog ｗｉｄｅ",
]


@given(st.text(alphabet=TRICKY, max_size=30), st.integers(min_value=1, max_value=40))
def test_fit_takes_exactly_its_columns_whatever_the_characters(value: str, width: int) -> None:
    shown = fit(value, width)
    assert cell_len(shown) == width
    # What follows it starts where it should: nothing in it joins the next column.
    assert cell_len(shown + "|x") == width + 2


def test_clean_drops_invisible_characters_and_composes() -> None:
    assert clean("a\u200bb\u200dc\ufe0f") == "abc"
    assert clean("e\u0301") == "é"
    assert clean("\u0301abc") == "abc"


def summary(title: str, ident: int) -> InitiativeSummary:
    ini = make_initiative(title=title, start="2026-11-02", end="2026-11-30")
    return InitiativeSummary(
        id=ident,
        title=ini.title,
        unit=ini.unit,
        method=ini.method,
        start=ini.start,
        end=ini.end,
        stage=Stage.PLANNING,
        deadline=None,
        uses_panel=False,
        groups="unga 13–19 i Halmstad",
    )


async def test_list_and_timeline_rows_keep_their_columns_with_any_title(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(80, 24)):
        table = InitiativeTable()
        rows = TimelineRows()
        rows.mondays = year_weeks(2026)
        await app.screen.mount(table, rows)
        for width in (80, 200):
            starts = set()
            bars = set()
            for number, title in enumerate(TITLES):
                line = table.render_row(summary(title, number), width)
                # The unit column begins at the same cell in every row.
                plain = line.plain
                starts.add(cell_len(plain[: plain.index("Psykiatrin")]))
                assert line.cell_len == sum(size + 1 for _, _, size in table_columns(width))
                bar = rows.render_row(
                    timeline.initiative_row(summary(title, number), rows.mondays), width
                )
                bars.add(cell_len(bar.plain[: bar.plain.index("█")]))
            assert len(starts) == 1, starts
            assert len(bars) == 1, bars


def table_columns(width: int) -> list[tuple[str, str, int]]:
    return initiative_table.columns(width)


def test_a_wide_terminal_gives_the_timeline_and_the_list_its_width() -> None:
    weeks = len(year_weeks(2026))
    assert timeline.week_cells(80, weeks) == 1
    assert timeline.week_cells(200, weeks) == 3
    assert timeline.label_width(200, weeks) + 1 + 3 * weeks <= 200
    unit = {key: size for key, _, size in initiative_table.columns(200)}["unit"]
    assert unit > {key: size for key, _, size in initiative_table.columns(80)}["unit"]


MONTHS = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


def test_the_month_header_names_each_month_once_and_whole() -> None:
    for year in range(2024, 2032):
        for width in (80, 120, 200):
            months = timeline.header(year, year_weeks(year), TODAY, width).plain.split("\n")[0]
            words = months.split()[1:]
            assert words == MONTHS, (year, width, months)


def test_the_footer_keeps_help_and_drops_what_does_not_fit() -> None:
    # (width, kept): the kept one is shown first in the room, the others in order while they fit.
    assert fitting([(10, False), (10, False), (8, True)], 20) == [0, 2]
    assert fitting([(10, False), (30, False), (5, False), (8, True)], 25) == [0, 2, 3]
    assert fitting([(10, False)], 5) == []


async def footer_fits(app: object, width: int) -> list[str]:
    from textual.app import App

    assert isinstance(app, App)
    footer = app.screen.query_one(Footer)
    keys = list(footer.query(FooterKey))
    assert sum(key.region.width for key in keys) <= width
    for key in keys:
        # Whole: no key's words are cut at the edge.
        assert key.region.right <= width
        assert widget_text(key).strip().endswith(key.description.strip())
    return [key.description for key in keys]


async def test_every_screen_s_footer_fits_at_80_and_keeps_help(store: Store) -> None:
    store.create_initiatives([make_initiative(start="2026-11-02", end="2026-12-20")])
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        for keys in ([], ["3"], ["enter"], ["k"], ["escape", "u"], ["escape", "escape", "r"]):
            for key in keys:
                await pilot.press(key)
            await settle(pilot)
            shown = await footer_fits(app, 80)
            # "?" is a character where a text field has the focus: no Help key there.
            if not isinstance(app.focused, Input | TextArea):
                assert "Hjälp" in shown, (type(app.screen).__name__, shown)


async def test_notifications_that_only_inform_go_after_five_seconds(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        app.notify("Sparat", timeout=8)
        app.notify("Sparades inte", severity="error", timeout=8)
        await pilot.pause()
        timeouts = {n.message: n.timeout for n in app._notifications}
        assert timeouts["Sparat"] == 5
        assert timeouts["Sparades inte"] == 8


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
async def test_the_stage_gate_keeps_its_reason_field_in_sight(
    store: Store, size: tuple[int, int]
) -> None:
    ini = make_initiative(title="Lång titel " * 4)
    problems = [f"Före ej klar: punkt nummer {n} som är ganska lång att läsa" for n in range(30)]
    app = make_app(store)
    async with app.run_test(size=size) as pilot:
        app.push_screen(gate_prompt(ini, Stage.RUNNING, problems))
        await wait_for(pilot, lambda: isinstance(app.screen, TextPromptScreen))
        await pilot.pause()
        field = app.screen.query_one(Input)
        assert field.has_focus
        assert field.region.y >= 0 and field.region.bottom <= size[1]
        await pilot.press(*"skäl", "enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, TextPromptScreen))


async def test_left_and_right_move_between_a_dialog_s_buttons(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        answers: list[bool | None] = []
        app.push_screen(ConfirmScreen("Ta bort?"), answers.append)
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.focused is app.screen.query_one("#no", Button)
        await pilot.press("right")
        assert app.focused is app.screen.query_one("#yes", Button)
        await pilot.press("right", "left")
        assert app.focused is app.screen.query_one("#no", Button)
        await pilot.press("right", "enter")
        await wait_for(pilot, lambda: answers == [True])


async def test_enter_answers_the_conflict_dialog(store: Store) -> None:
    app = make_app(store)
    theirs = make_initiative(title="Deras")
    mine = make_initiative(title="Min")
    async with app.run_test(size=(80, 24)) as pilot:
        answers: list[str | None] = []
        app.push_screen(ConflictScreen("Någon sparade först.", theirs, mine), answers.append)
        await wait_for(pilot, lambda: isinstance(app.screen, ConflictScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: answers == ["keep"])
        app.push_screen(ConflictScreen("Någon sparade först.", theirs, mine), answers.append)
        await wait_for(pilot, lambda: isinstance(app.screen, ConflictScreen))
        await pilot.press("right", "enter")
        await wait_for(pilot, lambda: answers == ["keep", "reload"])


async def test_typing_in_an_age_field_replaces_its_value(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, InitiativeFormScreen))
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: bool(app.screen.query(".age-min")))
        for _ in range(60):
            if app.focused is not None and app.focused.has_class("age-min"):
                break
            await pilot.press("tab")
        youngest = app.screen.query_one(".age-min", Input)
        assert youngest.has_focus and youngest.value == "0"
        await pilot.press("1", "3", "tab", "1", "9")
        assert youngest.value == "13"
        assert app.screen.query_one(".age-max", Input).value == "19"


async def test_typing_in_the_lessons_finds_goes_on_with_the_query(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(LessonsScreen())
        await wait_for(pilot, lambda: isinstance(app.screen, LessonsScreen))
        query = app.screen.query_one("#query", Input)
        await pilot.press("f", "o")
        rows = app.screen.query_one(LessonRows)
        rows.focus()
        await pilot.press("k", "u", "backspace", "s")
        assert query.has_focus
        assert query.value == "foks"


async def test_the_to_do_cursor_passes_over_headings(store: Store) -> None:
    store.create_initiatives(
        [
            make_initiative(title="Klar utan utvärdering", start="2026-09-01", end="2026-09-10"),
            make_initiative(
                title="Med tidsfrist",
                method="survey",
                start="2026-11-20",
                end="2026-12-20",
                deadline="2026-11-26",
            ),
        ]
    )
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, TodoScreen))
        rows = app.screen.query_one(TodoRows)
        await wait_for(pilot, lambda: rows.row_count > 3)
        headings = [i for i in range(rows.row_count) if isinstance(rows.row_at(i), str)]
        assert len(headings) >= 2
        visited = {rows.cursor}
        for _ in range(rows.row_count):
            await pilot.press("down")
            visited.add(rows.cursor)
        await pilot.press("home")
        visited.add(rows.cursor)
        for _ in range(rows.row_count):
            await pilot.press("up")
            visited.add(rows.cursor)
        assert not visited & set(headings)
        assert visited == set(range(rows.row_count)) - set(headings)


async def test_the_year_report_wraps_unit_names_between_words(store: Store) -> None:
    store.create_initiatives(
        [
            make_initiative(unit="Ambulanssjukvården", start="2026-03-02"),
            make_initiative(unit="Invånartjänster e-hälsa", start="2026-04-02", end="2026-04-20"),
        ]
    )
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ReportScreen(2026))
        await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen))
        await settle(pilot)
        text = widget_text(app.screen.query_one("#report-table"))
        assert "Ambulanssjukvården" in text and "Invånartjänster" in text
        assert "Ja/D/N" not in text and "uppnådda" in text


async def test_the_year_report_counts_one_dialogue_in_the_singular(store: Store) -> None:
    store.create_initiatives([make_initiative(unit="Regionservice", start="2026-03-02")])
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ReportScreen(2026))
        await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen))
        await settle(pilot)
        text = widget_text(app.screen.query_one("#report-table"))
        assert text.startswith("1 dialog ·"), text


async def test_a_wide_year_report_says_its_headers_in_words(store: Store) -> None:
    store.create_initiatives([make_initiative(unit="Ambulanssjukvården", start="2026-03-02")])
    for size, headers in (
        ((200, 60), ("Dialoger", "Deltagare", "Utvärderade", "Syfte och mål uppnådda")),
        ((80, 24), ("Dial.", "Delt.", "Utvärd.", "Ber. kr")),
    ):
        app = make_app(store)
        async with app.run_test(size=size) as pilot:
            app.push_screen(ReportScreen(2026))
            await wait_for(pilot, lambda app=app: isinstance(app.screen, ReportScreen))
            await settle(pilot)
            text = widget_text(app.screen.query_one("#report-table"))
            assert all(header in text for header in headers), (size, text)


async def test_the_month_grid_uses_a_tall_screen_for_titles(store: Store) -> None:
    store.create_initiatives(
        [make_initiative(title="Unga i Halmstad", start="2026-11-02", end="2026-11-30")]
    )
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        grid = app.screen.query_one(MonthView)
        assert grid.size.height == 2 + 2 * 6 + 1
        assert "Unga i" not in widget_text(grid)
    app = make_app(store)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot)
        grid = app.screen.query_one(MonthView)
        assert grid.size.height > 30
        assert "Unga i Halmstad" in widget_text(grid)
        assert date(2026, 11, 24) == grid.selected


async def test_the_not_applicable_reason_is_seen_on_its_row_at_80(store: Store) -> None:
    created = store.create_initiative(make_initiative(method="council"))
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_initiative(created.id or 0)
        await pilot.pause()
        await pilot.press("k")
        await wait_for(pilot, lambda: isinstance(app.screen, ChecklistScreen))
        # The context item is long: with who and when after it, the reason was cut off.
        await pilot.press("down", "n")
        await wait_for(pilot, lambda: isinstance(app.screen, TextPromptScreen))
        await pilot.press(*"Ingen ny strategi", "enter")
        await saves_settled(pilot)
        rows = widget_text(app.screen.query_one(ChecklistRows))
        line = next(line for line in rows.splitlines() if line.startswith("[–]"))
        assert "(Ingen ny strategi)" in line
        assert "Sammanhanget" in line


async def test_a_tick_box_says_ticked_without_colour(store: Store) -> None:
    # 16 colours and NO_COLOR cannot tell Textual's two X's apart: unticked is blank.
    from dialogtui.widgets.fields import TickBox

    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        box = app.screen.query_one("#uses_panel", TickBox)
        assert "▐ ▌" in widget_text(box) and not box.value
        box.focus()
        await pilot.press("space")
        await wait_for(pilot, lambda: box.value and "▐X▌" in widget_text(box), what="the X")
