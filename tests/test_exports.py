"""The calendar and spreadsheet exports and the one-page summary, read back as tools read them."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from dialogtui.documents import initiative_summary_markdown
from dialogtui.domain import Achieved, Audience, ChecklistState
from dialogtui.exports import PRODID, to_ics, to_xlsx, xlsx_headers
from dialogtui.models import ChecklistEntry, Evaluation, FeedbackPromise, Initiative
from tests.factories import make_initiative

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

STAMP = datetime(2026, 11, 24, 8, 30, tzinfo=UTC)


def initiatives() -> list[Initiative]:
    return [
        make_initiative(id=1, version=3, deadline="2026-03-13", stage="planning"),
        make_initiative(
            id=2,
            title="Vårdcentralernas tillgänglighet",
            method="panel_survey",
            uses_panel=True,
            start="2026-04-01",
            end="2026-04-30",
            stage="running",
            purpose="Ta reda på hur, när och var; invånarna söker vård",
        ),
        make_initiative(id=3, title="Inställd fokusgrupp", stage="cancelled"),
    ]


def promises() -> list[FeedbackPromise]:
    return [
        FeedbackPromise(id=10, initiative_id=1, audience=Audience.PARTICIPANTS, due="2026-04-15"),
        FeedbackPromise(
            id=11,
            initiative_id=2,
            audience=Audience.PUBLIC,
            due="2026-06-01",
            done="2026-05-28",
        ),
        FeedbackPromise(id=12, initiative_id=3, audience=Audience.PUBLIC, due="2026-05-01"),
    ]


def events(data: bytes) -> dict[str, object]:
    from icalendar import Calendar

    calendar = Calendar.from_ical(data)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


# --- iCalendar ---------------------------------------------------------------------------------


def test_ics_has_one_event_per_period_deadline_and_promise() -> None:
    from icalendar import Calendar

    data = to_ics(initiatives(), promises(), stamp=STAMP)
    calendar = Calendar.from_ical(data)
    assert str(calendar["PRODID"]) == PRODID
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-CALNAME"]) == "Invånardialog i Region Halland"
    found = events(data)
    assert sorted(found) == sorted(
        [
            "initiative-1@dialogtui.regionhalland.se",
            "deadline-1@dialogtui.regionhalland.se",
            "feedback-10@dialogtui.regionhalland.se",
            "initiative-2@dialogtui.regionhalland.se",
            "feedback-11@dialogtui.regionhalland.se",
        ]
    )
    for event in found.values():
        for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
            assert name in event
        assert event.decoded("DTSTAMP") == STAMP
        assert b"DTSTART;VALUE=DATE:" in event.to_ical()


def test_cancelled_initiative_and_its_promises_are_absent() -> None:
    data = to_ics(initiatives(), promises(), stamp=STAMP)
    assert "Inställd fokusgrupp" not in data.decode()
    assert not any("-3@" in uid or "feedback-12" in uid for uid in events(data))


def test_all_day_event_ends_the_day_after_its_last_day() -> None:
    found = events(to_ics(initiatives(), promises(), stamp=STAMP))
    event = found["initiative-1@dialogtui.regionhalland.se"]
    assert event.decoded("DTSTART") == date(2026, 3, 2)
    assert event.decoded("DTEND") == date(2026, 3, 20) + timedelta(days=1)
    deadline = found["deadline-1@dialogtui.regionhalland.se"]
    assert deadline.decoded("DTSTART") == date(2026, 3, 13)
    assert deadline.decoded("DTEND") == date(2026, 3, 14)


def test_uids_are_stable_across_exports() -> None:
    first = to_ics(initiatives(), promises(), stamp=STAMP)
    second = to_ics(initiatives(), promises(), host="dialogtui.regionhalland.se")
    assert list(events(first)) == list(events(second))


def test_event_texts_and_statuses() -> None:
    found = events(to_ics(initiatives(), promises(), host="example.org", stamp=STAMP))
    survey = found["initiative-2@example.org"]
    assert str(survey["SUMMARY"]) == "Vårdcentralernas tillgänglighet"
    description = str(survey["DESCRIPTION"])
    assert "Beställare: Psykiatrin Halland" in description
    assert "Metod: panelenkät" in description
    assert "Skede: genomförande" in description
    assert "Unga i Halmstad" in description
    assert "hur, när och var; invånarna" in description
    assert survey["CATEGORIES"].cats == ["panelenkät"]
    assert str(survey["STATUS"]) == "CONFIRMED"
    assert str(found["initiative-1@example.org"]["STATUS"]) == "TENTATIVE"
    assert found["initiative-1@example.org"]["SEQUENCE"] == 3
    assert str(found["deadline-1@example.org"]["SUMMARY"]) == "Tidsfrist: Ungas psykiska hälsa"
    owed = found["feedback-10@example.org"]
    assert str(owed["SUMMARY"]) == "Återkoppling till deltagarna: Ungas psykiska hälsa"
    assert str(owed["STATUS"]) == "TENTATIVE"
    assert str(found["feedback-11@example.org"]["STATUS"]) == "CONFIRMED"


def test_naive_stamp_counts_as_utc() -> None:
    found = events(to_ics(initiatives()[:1], [], stamp=datetime(2026, 1, 1, 12)))
    stamp = next(iter(found.values())).decoded("DTSTAMP")
    assert stamp == datetime(2026, 1, 1, 12, tzinfo=UTC)


def test_unsaved_initiative_cannot_be_exported() -> None:
    with pytest.raises(ValueError):
        to_ics([make_initiative()], [], stamp=STAMP)


# --- Excel -------------------------------------------------------------------------------------


def read_sheet(data: bytes) -> Worksheet:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Initiativ"]
    return workbook["Initiativ"]


def workbook_bytes() -> bytes:
    rows = [
        make_initiative(id=1, title="=1+1", unit="+46 Beställare", deadline="2026-03-13"),
        make_initiative(id=2, title="@SUM(A1)", unit="-Region", uses_panel=True),
    ]
    evaluation = Evaluation(
        initiative_id=1,
        participants=12,
        invited=40,
        achieved=Achieved.PARTLY,
        lesson='=HYPERLINK("http://x")',
        went_well="Bra samtal",
    )
    return to_xlsx(rows, {1: evaluation})


def test_xlsx_headers_are_bold_and_frozen() -> None:
    sheet = read_sheet(workbook_bytes())
    headers = [cell.value for cell in sheet[1]]
    assert headers == xlsx_headers(1)
    for name in ("Id", "Titel", "Svarsfrekvens", "Syfte och mål uppnådda", "Påverkan på beslut"):
        assert name in headers
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row == 3
    assert sheet.column_dimensions["B"].width > 0


def test_xlsx_dates_and_rate_are_typed() -> None:
    sheet = read_sheet(workbook_bytes())
    column = {cell.value: cell.column for cell in sheet[1]}
    start = sheet.cell(row=2, column=column["Start"])
    assert isinstance(start.value, datetime | date)
    assert start.value.date() == date(2026, 3, 2)
    assert start.number_format == "yyyy-mm-dd"
    assert sheet.cell(row=2, column=column["Tidsfrist"]).value.date() == date(2026, 3, 13)
    assert sheet.cell(row=3, column=column["Tidsfrist"]).value is None
    rate = sheet.cell(row=2, column=column["Svarsfrekvens"])
    assert rate.value == pytest.approx(0.3)
    assert rate.number_format == "0%"
    assert sheet.cell(row=2, column=column["Syfte och mål uppnådda"]).value == "delvis"
    assert sheet.cell(row=2, column=column["Deltagare"]).value == 12
    assert sheet.cell(row=3, column=column["Invånarpanelen"]).value == "ja"
    assert sheet.cell(row=3, column=column["Svarsfrekvens"]).value is None


def test_xlsx_text_never_becomes_a_formula() -> None:
    sheet = read_sheet(workbook_bytes())
    column = {cell.value: cell.column for cell in sheet[1]}
    for row, name, text in [
        (2, "Titel", "=1+1"),
        (2, "Beställare", "+46 Beställare"),
        (2, "Viktigaste lärdom", '=HYPERLINK("http://x")'),
        (3, "Titel", "@SUM(A1)"),
        (3, "Beställare", "-Region"),
    ]:
        cell = sheet.cell(row=row, column=column[name])
        assert cell.value == text
        assert cell.data_type == "s"
        assert cell.quotePrefix


# --- the one-page summary ----------------------------------------------------------------------


def test_summary_has_every_section_and_escapes_user_text() -> None:
    initiative = make_initiative(
        id=1,
        title="[bold]Unga* i fokus",
        purpose="- inte en lista\n1. inte heller\n# ingen rubrik",
        deadline="2026-03-13",
    )
    checklist = {
        "F-syfte": ChecklistEntry(item_id="F-syfte", state=ChecklistState.DONE),
        "F-marknadsforing": ChecklistEntry(
            item_id="F-marknadsforing", state=ChecklistState.NOT_APPLICABLE, reason="*Intern*"
        ),
    }
    evaluation = Evaluation(
        participants=12, invited=40, achieved=Achieved.YES, lesson="Lyssna _mer_"
    )
    owed = [FeedbackPromise(id=5, audience=Audience.PUBLIC, due="2026-04-15", what="Rapport")]
    text = initiative_summary_markdown(initiative, checklist, evaluation, owed)

    assert text.startswith("# \\[bold\\]Unga\\* i fokus\n")
    for heading in (
        "## Planering",
        "### Syfte",
        "## Målgrupper",
        "## Checklista",
        "### Före",
        "### Under",
        "### Efter",
        "## Återkoppling",
        "## Utvärdering",
        "### 1. Vilken typ av dialog genomfördes?",
        "### 8. Vad kunde gjorts bättre?",
    ):
        assert f"\n{heading}" in text
    assert "Psykiatrin Halland" in text
    assert "fokusgrupp" in text
    assert "2026-03-02 – 2026-03-20" in text
    assert "Unga i Halmstad" in text
    assert "Före 2/" in text  # done and not applicable both count as settled
    assert "\\*Intern\\*" in text
    assert "svarsfrekvens 30 %" in text
    assert "Lyssna \\_mer\\_" in text
    assert "2026-04-15 till allmänheten (ej hållet): Rapport" in text
    assert "\\- inte en lista" in text
    assert "1\\. inte heller" in text
    assert "\\# ingen rubrik" in text
    assert "[bold]" not in text


def test_summary_without_evaluation_or_promises() -> None:
    text = initiative_summary_markdown(make_initiative(id=1), {}, None, [])
    assert "Ingen utvärdering ännu." in text
    assert "Ingen återkoppling utlovad." in text
    assert "Kvar att göra:" in text
