"""The year report: what it counts, how it renders, and the screen that shows it."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from html import unescape
from typing import Any

import pytest
from textual.containers import VerticalScroll

from dialogtui.models import Evaluation, FeedbackPromise, Initiative
from dialogtui.reports import (
    CSV_HEADERS,
    YearReport,
    bar,
    to_csv,
    to_markdown,
    to_xlsx,
    year_report,
)
from dialogtui.store import Store
from tests.factories import make_initiative
from tests.ui import make_app, settle, widget_text


def initiative(ident: int, **overrides: Any) -> Initiative:
    data: dict[str, Any] = {"start": "2027-03-01", "end": "2027-03-31"} | overrides
    return make_initiative(id=ident, **data)


def promise(ident: int, due: str, done: str | None = None) -> FeedbackPromise:
    return FeedbackPromise(initiative_id=ident, audience="participants", due=due, done=done)


# The free-text answers that, with participants and achieved, make an evaluation complete.
ANSWERS = {"effect": "E", "lesson": "L", "unspoken": "U", "went_well": "W", "improve": "I"}


@pytest.fixture
def report() -> YearReport:
    initiatives = [
        initiative(1, unit="Psykiatrin Halland", compensation={"amount_sek": 500}),
        initiative(2, unit="Psykiatrin Halland", method="survey", influence="dialogue"),
        initiative(3, unit="Ambulanssjukvården", method="dialogue_meeting"),
        initiative(4, unit="Inställda enheten", stage="cancelled"),
        initiative(5, unit="Förra året", start="2026-01-01", end="2026-12-31"),
        initiative(6, unit="Nästa år", start="2028-01-01", end="2028-01-31"),
        # Touches the year by one day on either side of the boundary.
        initiative(7, unit="Över nyår", start="2026-12-01", end="2027-01-01"),
        initiative(8, unit="Över nyår", start="2027-12-31", end="2028-02-01"),
    ]
    evaluations = {
        1: Evaluation(initiative_id=1, participants=12, invited=40, achieved="yes", **ANSWERS),
        2: Evaluation(initiative_id=2, participants=300, achieved="partly", **ANSWERS),
        # 3 and 7 are partial: they do not count as evaluated.
        3: Evaluation(initiative_id=3, achieved="no", method="focus_group"),
        4: Evaluation(initiative_id=4, participants=99, achieved="yes"),
        7: Evaluation(initiative_id=7),
    }
    promises = [
        promise(1, "2027-04-30", "2027-04-30"),  # kept on the day
        promise(1, "2027-04-30", "2027-05-02"),  # late
        promise(2, "2027-06-01"),  # broken: due, never done
        promise(2, "2028-01-15"),  # not due within the year: not counted
        promise(3, "2028-01-15", "2027-12-01"),  # done early though due next year: counted
        promise(4, "2027-04-30", "2027-04-01"),  # cancelled initiative: not counted
    ]
    return year_report(2027, initiatives, evaluations, promises)


def test_counts_the_dialogues_that_touch_the_year_and_are_not_cancelled(
    report: YearReport,
) -> None:
    assert report.total.dialogues == 5
    units = {row.label: row.dialogues for row in report.by_unit}
    assert units == {"Psykiatrin Halland": 2, "Över nyår": 2, "Ambulanssjukvården": 1}
    assert [row.label for row in report.by_unit] == [
        "Psykiatrin Halland",
        "Över nyår",
        "Ambulanssjukvården",
    ]


def test_participants_evaluations_and_achievement(report: YearReport) -> None:
    total = report.total
    assert total.participants == 312
    assert total.evaluated == 2
    # Of the four that have ended (8 runs into 2028), two have a complete evaluation; the
    # partial ones (3 and 7) count their participants and verdicts, not as evaluated.
    assert (total.ended, total.evaluated_share) == (4, pytest.approx(0.5))
    assert (total.achieved_yes, total.achieved_partly, total.achieved_no) == (1, 1, 1)
    psykiatrin = report.by_unit[0]
    assert (psykiatrin.participants, psykiatrin.evaluated) == (312, 2)


def test_promises_on_time_count_those_due_by_the_end_or_done(report: YearReport) -> None:
    assert (report.total.promises, report.total.promises_kept) == (4, 2)
    assert report.total.promises_kept_share == pytest.approx(0.5)
    ambulans = next(row for row in report.by_unit if row.label == "Ambulanssjukvården")
    assert (ambulans.promises, ambulans.promises_kept) == (1, 1)


def test_as_of_leaves_out_promises_not_yet_due() -> None:
    initiatives = [initiative(1)]
    promises = [promise(1, "2027-04-01", "2027-03-30"), promise(1, "2027-12-01")]
    assert year_report(2027, initiatives, {}, promises).total.promises == 2
    early = year_report(2027, initiatives, {}, promises, as_of=date(2027, 6, 1))
    assert (early.total.promises, early.total.promises_kept) == (1, 1)


def test_compensation_paid_is_amount_times_participants(report: YearReport) -> None:
    assert report.total.compensation_sek == 6000
    # Without an evaluation's participants nothing is known to be paid.
    unknown = year_report(
        2027, [initiative(1, compensation={"amount_sek": 500})], {1: Evaluation()}, []
    )
    assert unknown.total.compensation_sek == 0


def test_method_is_the_one_carried_out_and_labels_are_swedish(report: YearReport) -> None:
    methods = {row.label: row.dialogues for row in report.by_method}
    assert methods == {"fokusgrupp": 4, "enkätundersökning": 1}
    influences = {row.label: row.dialogues for row in report.by_influence}
    assert influences == {"konsultation": 4, "dialog": 1}


def test_an_empty_year() -> None:
    empty = year_report(2030, [initiative(1)], {}, [])
    assert empty.total.dialogues == 0
    assert empty.total.evaluated_share is None
    assert empty.by_unit == []
    assert "Inga invånardialoger under 2030." in to_markdown(empty)


def test_bar() -> None:
    assert bar(10, 10, 20) == "█" * 20
    assert bar(5, 10, 20) == "█" * 10
    assert bar(1, 1000, 20) == "█"  # never empty above zero
    assert bar(0, 10, 20) == ""
    assert bar(3, 0, 20) == ""


def test_markdown_has_headings_numbers_and_bars(report: YearReport) -> None:
    text = to_markdown(report)
    assert text.startswith("# Årsrapport 2027\n")
    assert "## Per beställare" in text and "## Per påverkansnivå" in text
    assert "- Beräknad ersättning: 6 000 kr (belopp per deltagare × deltagare)" in text
    assert "Utbetald" not in text
    assert "| Psykiatrin Halland | 2 | " + "█" * 20 + " | 312 | 2 (100 %) | 1 av 3 (33 %)" in text
    assert "| Ambulanssjukvården | 1 | " + "█" * 10 + " |" in text


def test_markdown_reads_unit_names_literally() -> None:
    text = to_markdown(year_report(2027, [initiative(1, unit="A|B *fet*")], {}, []))
    assert "| A\\|B \\*fet\\* | 1 |" in text


def test_csv_parses_back_with_swedish_headers(report: YearReport) -> None:
    text = to_csv(report)
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert tuple(rows[0]) == CSV_HEADERS
    assert {row["Indelning"] for row in rows} == {"Beställare", "Metod", "Påverkansnivå", "Totalt"}
    psykiatrin = next(r for r in rows if r["Grupp"] == "Psykiatrin Halland")
    assert psykiatrin["Dialoger"] == "2"
    assert psykiatrin["Andel i tid (%)"] == "33,3"
    total = rows[-1]
    assert (total["Indelning"], total["Deltagare"], total["Beräknad ersättning (kr)"]) == (
        "Totalt",
        "312",
        "6000",
    )


def test_csv_keeps_formulas_inert() -> None:
    text = to_csv(year_report(2027, [initiative(1, unit="=1+1")], {}, []))
    assert ";'=1+1;" in text


def test_xlsx_has_a_sheet_per_dimension_with_numbers_and_percentages(report: YearReport) -> None:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(to_xlsx(report)))
    assert workbook.sheetnames == ["Beställare", "Metod", "Påverkansnivå"]
    sheet = workbook["Beställare"]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:3] == ["Beställare", "Dialoger", "Deltagare"]
    share = headers.index("Andel utvärderade") + 1
    assert sheet.cell(2, 1).value == "Psykiatrin Halland"
    assert sheet.cell(2, 2).value == 2
    assert sheet.cell(2, share).value == 1
    assert sheet.cell(2, share).number_format == "0%"
    last = sheet.max_row
    assert sheet.cell(last, 1).value == "Totalt"
    assert sheet.cell(last, share).value == pytest.approx(0.5)


def test_xlsx_keeps_a_formula_like_unit_as_text() -> None:
    from openpyxl import load_workbook

    data = to_xlsx(year_report(2027, [initiative(1, unit="=1+1")], {}, []))
    cell = load_workbook(io.BytesIO(data))["Beställare"]["A2"]
    assert (cell.value, cell.data_type) == ("=1+1", "s")


async def test_report_screen_shows_the_year_and_switches(store: Store) -> None:
    from dialogtui.screens.report import ReportScreen

    first = store.create_initiative(
        make_initiative(start="2026-09-01", end="2026-09-30", compensation={"amount_sek": 250})
    )
    store.create_initiative(
        make_initiative(unit="[b]Psykiatrin[/b] Halland", start="2026-09-01", end="2026-09-30")
    )
    store.create_initiative(
        make_initiative(unit="Nästa års enhet", start="2027-02-01", end="2027-02-28")
    )
    assert first.id is not None
    store.save_evaluation(
        Evaluation(initiative_id=first.id, participants=37, invited=50, achieved="yes", **ANSWERS)
    )
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        await app.push_screen(ReportScreen())
        await settle(pilot)
        table = app.screen.query_one("#report-table")
        text = widget_text(table)
        assert "[b]Psykiatrin[/b] Halland" in text
        assert "37" in text and "9 250" in text and "1 (100 %)" in text and "1 (50 %)" in text
        assert "Årsrapport 2026" in widget_text(app.screen.query_one("#report-heading"))

        await pilot.press("2")
        await pilot.pause()
        assert "fokusgrupp" in widget_text(table)

        await pilot.press("right")
        await settle(pilot)
        assert "Årsrapport 2027" in widget_text(app.screen.query_one("#report-heading"))
        await pilot.press("1")
        await pilot.pause()
        text = widget_text(table)
        assert "Nästa års enhet" in text and "Psykiatrin" not in text

        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ReportScreen)


async def test_report_screen_fits_80_by_24(store: Store) -> None:
    from dialogtui.screens.report import ReportScreen

    for n in range(30):
        store.create_initiative(
            make_initiative(
                unit=f"Enhet nummer {n:02} med ett långt namn", start="2026-05-01", end="2026-05-09"
            )
        )
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await app.push_screen(ReportScreen())
        await settle(pilot)
        text = widget_text(app.screen.query_one("#report-table"))
        assert "Enhet nummer 00" in text and "Ber. kr" in text and "Totalt" in text
        scroll = app.screen.query_one("#report-scroll", VerticalScroll)
        assert scroll.max_scroll_y > 0
        await pilot.press("end")
        await pilot.pause()
        assert scroll.scroll_y == scroll.max_scroll_y > 0


@pytest.mark.parametrize("unit", ["=1+1", "+46 35 13 10 00", "-tal", "@SUM(A1)"])
def test_xlsx_cells_that_start_like_a_formula_carry_excels_quote_prefix(unit: str) -> None:
    import zipfile

    from openpyxl import load_workbook

    data = to_xlsx(
        year_report(2027, [initiative(1, unit=unit), initiative(2, unit="Vanlig")], {}, [])
    )
    sheet = load_workbook(io.BytesIO(data))["Beställare"]
    cells = {sheet.cell(row, 1).value: sheet.cell(row, 1) for row in range(2, sheet.max_row + 1)}
    # Excel keeps such a cell a text even when someone edits it and presses Enter.
    assert cells[unit].quotePrefix and cells[unit].data_type == "s"
    assert not cells["Vanlig"].quotePrefix
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert 'quotePrefix="1"' in package.read("xl/styles.xml").decode()


@pytest.mark.parametrize(
    "unit",
    [
        "~~struken~~ enhet",
        "Se https://example.org/x",
        "www.example.org",
        "anna@example.se",
        "regionhalland.se",
        "A|B *fet* _kursiv_ `kod` <b>html</b> [länk](http://x.se)",
    ],
)
def test_markdown_user_text_is_neither_formatting_nor_a_link(unit: str) -> None:
    from markdown_it import MarkdownIt

    text = to_markdown(year_report(2027, [initiative(1, unit=unit)], {}, []))
    # GitHub-flavoured rendering, with the link finder on: what a reader of the report gets.
    html = MarkdownIt("gfm-like").render(text)
    cell = re.search(r"<tbody>\s*<tr>\s*<td>(.*?)</td>", html)
    assert cell is not None
    assert "<a " not in html and "<s>" not in html and "<em>" not in html
    assert "<strong>" not in cell[1] and "<code>" not in cell[1] and "<b>" not in cell[1]
    assert unescape(cell[1]) == unit
