"""Calendar (.ics) and spreadsheet (.xlsx) exports of the initiatives. Pure logic.

`icalendar` and `openpyxl` are imported inside the functions that use them, so that importing
this module (and starting the app) stays cheap.

Calendar rules (RFC 5545):

- Every initiative that is not cancelled becomes an all-day event over its inclusive period; as
  RFC 5545 wants, DTEND is the day after the last day. Registered and planned initiatives are
  TENTATIVE, later stages CONFIRMED.
- Its deadline, if set, is an all-day event of its own, "Tidsfrist: <titel>".
- Each feedback promise of an exported initiative is an all-day event on its due date,
  "Återkoppling till <mottagare>: <titel>": CONFIRMED once done, TENTATIVE while still owed.
  Promises of cancelled or absent initiatives are left out.
- UIDs come from the record ids (``initiative-7@host``, ``deadline-7@host``,
  ``feedback-12@host``), so that importing a newer export updates the events instead of
  duplicating them; SEQUENCE is the initiative's version.
- All events are TRANSPARENT: a dialogue does not make anyone busy.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from dialogtui.domain import Stage
from dialogtui.interchange import CSV_COLUMNS
from dialogtui.models import Evaluation, FeedbackPromise, Initiative
from dialogtui.rules import evaluation_status
from dialogtui.spreadsheet import keep_text
from dialogtui.words import term

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

# Every format an export of all initiatives comes in, by its file name's ending.
EXPORT_FORMATS = ("json", "csv", "ics", "xlsx")


class ExportSource(Protocol):
    """What an export reads (the store, without this pure module importing it)."""

    def initiatives(self) -> list[Initiative]: ...
    def evaluations(self) -> dict[int, Evaluation]: ...
    def feedback_promises(self) -> list[FeedbackPromise]: ...


def export_all(source: ExportSource, fmt: str) -> bytes:
    """Every initiative in `fmt`, for `dialogtui export` and the TUI's "Exportera" alike."""
    from dialogtui.interchange import export

    initiatives = source.initiatives()
    if fmt == "ics":
        return to_ics(initiatives, source.feedback_promises())
    if fmt == "xlsx":
        return to_xlsx(initiatives, source.evaluations())
    return export(initiatives, fmt).encode("utf-8")


def export_format(name: str) -> str | None:
    """The format a file name asks for by its ending, or None for one no export writes."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return suffix if suffix in EXPORT_FORMATS else None


PRODID = "-//Region Halland//dialogtui//SV"
CALENDAR_NAME = "Invånardialog i Region Halland"
DEFAULT_HOST = "dialogtui.regionhalland.se"

_TENTATIVE_STAGES = frozenset({Stage.REGISTERED, Stage.PLANNING})


# --- iCalendar -----------------------------------------------------------------------------------


def to_ics(
    initiatives: Sequence[Initiative],
    promises: Sequence[FeedbackPromise],
    host: str = DEFAULT_HOST,
    stamp: datetime | None = None,
) -> bytes:
    """Write the initiatives, their deadlines and feedback promises as an iCalendar file.

    `stamp` is every event's DTSTAMP (now, in UTC, when not given; a naive one counts as UTC).
    Raises ValueError for an initiative or promise without id, which could not get a stable UID.
    """
    from icalendar import Calendar

    stamp = _utc(stamp or datetime.now(UTC))
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", CALENDAR_NAME)

    by_initiative: dict[int, list[FeedbackPromise]] = {}
    for promise in promises:
        if promise.initiative_id is not None:
            by_initiative.setdefault(promise.initiative_id, []).append(promise)

    for initiative in initiatives:
        if initiative.stage is Stage.CANCELLED:
            continue
        if initiative.id is None:
            raise ValueError(f"initiativet ”{initiative.title}” saknar id")
        calendar.add_component(_initiative_event(initiative, host, stamp))
        if initiative.deadline is not None:
            calendar.add_component(_deadline_event(initiative, host, stamp))
        owed = sorted(by_initiative.get(initiative.id, []), key=lambda p: (p.due, p.id or 0))
        for promise in owed:
            calendar.add_component(_feedback_event(initiative, promise, host, stamp))
    return bytes(calendar.to_ical())


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _all_day_event(
    uid: str, summary: str, first: date, last: date, stamp: datetime, status: str
) -> Any:
    """An all-day VEVENT over the inclusive days first..last, with DTEND exclusive."""
    from icalendar import Event

    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", first)
    event.add("dtend", last + timedelta(days=1))
    event.add("summary", summary)
    event.add("status", status)
    event.add("transp", "TRANSPARENT")
    return event


def _initiative_event(initiative: Initiative, host: str, stamp: datetime) -> Any:
    status = "TENTATIVE" if initiative.stage in _TENTATIVE_STAGES else "CONFIRMED"
    event = _all_day_event(
        f"initiative-{initiative.id}@{host}",
        initiative.title,
        initiative.start,
        initiative.end,
        stamp,
        status,
    )
    event.add("sequence", initiative.version)
    event.add("description", _initiative_description(initiative))
    event.add("categories", [initiative.method.label])
    return event


def _initiative_description(initiative: Initiative) -> str:
    groups = "; ".join(group.label for group in initiative.target_groups) or "–"
    lines = [
        f"Beställare: {initiative.unit}",
        f"Metod: {initiative.method.label}",
        f"Skede: {initiative.stage.label}",
        f"Målgrupper: {groups}",
    ]
    if initiative.uses_panel:
        lines.append("Invånarpanelen: ja")
    if initiative.deadline is not None:
        lines.append(f"Tidsfrist: {initiative.deadline.isoformat()}")
    if initiative.purpose:
        lines += ["", f"Syfte: {initiative.purpose}"]
    return "\n".join(lines)


def _deadline_event(initiative: Initiative, host: str, stamp: datetime) -> Any:
    assert initiative.deadline is not None
    event = _all_day_event(
        f"deadline-{initiative.id}@{host}",
        f"Tidsfrist: {initiative.title}",
        initiative.deadline,
        initiative.deadline,
        stamp,
        "CONFIRMED",
    )
    event.add("sequence", initiative.version)
    event.add(
        "description",
        f"Tidsfrist för {initiative.method.label} ”{initiative.title}” ({initiative.unit}).",
    )
    event.add("categories", ["Tidsfrist"])
    return event


def _feedback_event(
    initiative: Initiative, promise: FeedbackPromise, host: str, stamp: datetime
) -> Any:
    if promise.id is None:
        raise ValueError(f"ett återkopplingslöfte för ”{initiative.title}” saknar id")
    event = _all_day_event(
        f"feedback-{promise.id}@{host}",
        f"Återkoppling till {promise.audience.label}: {initiative.title}",
        promise.due,
        promise.due,
        stamp,
        "TENTATIVE" if promise.done is None else "CONFIRMED",
    )
    lines = [f"Beställare: {initiative.unit}", f"Mottagare: {promise.audience.label}"]
    if promise.what:
        lines.append(f"Vad: {promise.what}")
    if promise.channel:
        lines.append(f"Kanal: {promise.channel}")
    lines.append(
        f"{term('kept').capitalize()}: {promise.done.isoformat()}"
        if promise.done
        else term("not_kept").capitalize()
    )
    event.add("description", "\n".join(lines))
    event.add("categories", ["Återkoppling"])
    return event


# --- Excel ---------------------------------------------------------------------------------------

# The initiative's columns are the CSV interchange's, with the same Swedish headers, so that the
# sheet imports back (`initiatives_from_xlsx`); a readable "Målgrupper" column and the evaluation
# follow, which import ignores; the target groups' column sets come last, as many as needed.
GROUPS_READABLE = "Målgrupper"
# The evaluation: its state, then the eight questions in the dialogue process's order (seed 000
# lines 32-39), with the invited and the response rate beside question 2 and the comment beside
# question 5.
EVALUATION_HEADERS: tuple[str, ...] = (
    "Utvärdering",
    "Typ av dialog (genomförd)",
    "Deltagare",
    "Inbjudna",
    "Svarsfrekvens",
    "Påverkan på beslut",
    "Viktigaste lärdom",
    term("achieved"),
    "Kommentar om måluppfyllelse",
    "Outtalade syften",
    "Vad gjordes bra",
    "Vad kunde gjorts bättre",
)
SHEET_TITLE = "Initiativ"
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0%"
_MAX_WIDTH = 50


def xlsx_headers(group_sets: int) -> list[str]:
    """The export sheet's header row for this many target-group column sets."""
    from dialogtui.interchange import csv_headers

    headers = csv_headers(group_sets)
    fixed = 1 + len(CSV_COLUMNS)  # Id and the initiative's own columns
    return [*headers[:fixed], GROUPS_READABLE, *EVALUATION_HEADERS, *headers[fixed:]]


def to_xlsx(initiatives: Sequence[Initiative], evaluations: dict[int, Evaluation]) -> bytes:
    """Write one row per initiative, with its evaluation, to an Excel workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.properties.creator = "dialogtui"
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET_TITLE
    group_sets = max((len(i.target_groups) for i in initiatives), default=0)
    sheet.append(xlsx_headers(group_sets))
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    for row, initiative in enumerate(initiatives, start=2):
        evaluation = evaluations.get(initiative.id) if initiative.id is not None else None
        _write_row(sheet, row, _row(initiative, evaluation))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    _set_widths(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _row(initiative: Initiative, evaluation: Evaluation | None) -> list[Any]:
    comp = initiative.compensation
    own: dict[str, Any] = {
        **initiative.model_dump(include={f for _, f in CSV_COLUMNS}),
        "method": initiative.method.label,
        "influence": initiative.influence.label,
        "stage": initiative.stage.label,
        "uses_panel": "ja" if initiative.uses_panel else "nej",
        "orders_invanartjanster": "ja" if initiative.orders_invanartjanster else "nej",
        "amount_sek": comp.amount_sek if comp else None,
        "payer": comp.payer if comp else None,
    }
    groups: list[Any] = []
    for group in initiative.target_groups:
        groups += [
            group.name,
            "; ".join(m.value for m in group.municipalities),
            group.age_min,
            group.age_max,
            "; ".join(group.segments),
        ]
    return [
        initiative.id,
        *(own.get(f) for _, f in CSV_COLUMNS),
        "; ".join(group.label for group in initiative.target_groups),
        *evaluation_cells(initiative, evaluation),
        *groups,
    ]


def evaluation_cells(initiative: Initiative, evaluation: Evaluation | None) -> list[Any]:
    """The cells under EVALUATION_HEADERS: the state, then the eight answers in order."""
    if evaluation is None:
        return [status(None), *([None] * (len(EVALUATION_HEADERS) - 1))]
    # Question 1 defaults to the planned method, as the evaluation form does.
    method = evaluation.method or initiative.method
    return [
        status(evaluation),
        method.label,
        evaluation.participants,
        evaluation.invited,
        evaluation.response_rate,
        evaluation.effect,
        evaluation.lesson,
        evaluation.achieved.label if evaluation.achieved else None,
        evaluation.achieved_comment,
        evaluation.unspoken,
        evaluation.went_well,
        evaluation.improve,
    ]


def status(evaluation: Evaluation | None) -> str:
    """'saknas', 'ofullständig (5 av 8)' or 'klar': the state the to-do list goes by."""
    return evaluation_status(evaluation).removeprefix("Utvärdering ")


def initiatives_from_xlsx(workbook: Any, reason: str = "") -> list[Initiative]:
    """The initiatives of an export sheet (`to_xlsx`), read with the CSV import's own rules.

    Raises InterchangeError naming the row and the field, as a CSV import does; `reason` lets
    rows past the stage gate in, as for CSV.
    """
    from dialogtui.interchange import InterchangeError, parse_table

    if SHEET_TITLE not in workbook.sheetnames:
        raise InterchangeError(f"Arbetsboken har inget blad ”{SHEET_TITLE}”.")
    rows = workbook[SHEET_TITLE].iter_rows(values_only=True)
    header = [_cell_text(value) for value in next(rows, ())]
    table = (
        (line, [_cell_text(value) for value in cells])
        for line, cells in enumerate(rows, start=2)
        if any(value not in (None, "") for value in cells)
    )
    return parse_table(header, table, reason)


def _cell_text(value: Any) -> str:
    """A cell as the text CSV would hold: dates in ISO form, whole numbers without decimals."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "ja" if value else "nej"
    return str(value)


def _write_row(sheet: Worksheet, row: int, values: list[Any]) -> None:
    """Write one row: dates and the rate formatted, and no text ever taken for a formula."""
    for column, value in enumerate(values, start=1):
        if value is None or value == "":
            continue
        cell = sheet.cell(row=row, column=column, value=value)
        if isinstance(value, str):
            keep_text(cell)
        elif isinstance(value, date):
            cell.number_format = DATE_FORMAT
        elif isinstance(value, float):
            cell.number_format = PERCENT_FORMAT


def _set_widths(sheet: Worksheet) -> None:
    from openpyxl.utils import get_column_letter

    for index, column in enumerate(sheet.iter_cols(), start=1):
        width = 0
        for cell in column:
            value = cell.value
            if value is None:
                continue
            if isinstance(value, date):
                length = 10
            else:
                length = max(len(line) for line in str(value).splitlines() or [""])
            width = max(width, length)
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, _MAX_WIDTH)
