"""The registration template ("Anmälan av invånardialog"): an .xlsx a unit fills in, and its reader.

One registration per file, laid out as a form: a label, an input cell and a hint per field, in
the guideline's order. Every input cell has a defined name (`dt_title`, `dt_mg2_age_min`, …), so
the reader finds it wherever it has moved: a unit that inserts a row, or LibreOffice re-saving
the file, changes the names' addresses, not the names. The drop-down lists live on a hidden
sheet of the same file, which therefore carries its own segment list.

A filled template is read into what the registration form holds and goes through the form's own
reading (`registration.build`), so that both accept and refuse the same things with the same
Swedish words; every problem also names its cell.

Pure: no Textual, no SQLite. openpyxl is imported inside the functions that use it.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from dialogtui.domain import (
    AGE_MAX,
    AGE_MIN,
    COUNT_MAX,
    TEXT_MAX,
    TITLE_MAX,
    YEAR_MAX,
    YEAR_MIN,
    InfluenceLevel,
    Method,
    Municipality,
)
from dialogtui.errors import UserError
from dialogtui.registration import LABELS, Problem, build

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from dialogtui.models import Initiative

TITLE = "Anmälan av invånardialog"
FORM_SHEET = "Anmälan"
INSTRUCTIONS_SHEET = "Instruktioner"
LISTS_SHEET = "Listor"
# The marker that tells a template from any other workbook, and the layout's version.
MARK = "dialogtui-anmälan"
VERSION = 1
PREFIX = "dt_"
GROUPS = 3
TICK = "x"
DEFAULT_SEND_TO = "koordinatören för invånardialog i Region Halland"

# A registration is a few kilobytes; anything far larger is not one, and is not opened.
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024


class WorkbookError(UserError):
    """A file that cannot be read as a workbook at all; the message is Swedish."""


# --- the fields ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Field:
    """One input cell of the form sheet."""

    key: str  # the registration form's field name
    hint: str
    kind: str  # line, text, method, influence, unit, yesno, date, count
    required: bool = False
    default: str = ""

    @property
    def label(self) -> str:
        return LABELS[self.key] + (" *" if self.required else "")


SECTION = "section"
TARGET_GROUPS = "target_groups"

# The guideline's questions in its order (seed 002 "Detta behöver göras inför dialog"), with the
# facts the coordinator needs before and after them. A str is a section heading.
LAYOUT: tuple[str | Field, ...] = (
    "Om dialogen",
    Field("title", f"Ett kort namn på dialogen, högst {TITLE_MAX} tecken.", "line", True),
    Field(
        "unit",
        "Förvaltningen eller verksamheten som beställer och bekostar dialogen. Välj i listan; "
        "finns ni inte med, skriv ert namn.",
        "unit",
        True,
    ),
    Field("contact", "Namn, e-post och telefon till den som kan svara på frågor.", "line"),
    Field("owner", "Projektägare eller linjechef som dialogen är förankrad hos.", "line"),
    Field(
        "method",
        f"Välj i listan: {Method.choices()}.",
        "method",
        True,
    ),
    Field(
        "influence",
        "Hur mycket deltagarna kan påverka, från information till medbestämmande.",
        "influence",
        default=InfluenceLevel.CONSULT.label,
    ),
    Field(
        "uses_panel",
        "ja om dialogen använder invånarpanelen (beställs hos Invånartjänster e-hälsa).",
        "yesno",
        default="nej",
    ),
    "Tid",
    Field("start", "Första dagen, t.ex. 2027-03-14.", "date", True),
    Field("end", "Sista dagen (samma som startdatum för en enda dag).", "date", True),
    Field("deadline", "Sista svarsdag för en enkät; tomt om ingen.", "date"),
    "Syfte och planering (riktlinjens frågor)",
    Field("purpose", "Syftet med dialogen behöver vara tydligt: vad vill ni uppnå?", "text"),
    Field(
        "context",
        "Vilket är sammanhanget? Aktuell fråga, strategi eller prioritering som mynnar ut i "
        "dialogen.",
        "text",
    ),
    Field("questions", "Vilken eller vilka frågor behöver svar från invånarna?", "text"),
    Field("use_of_answers", "Hur ska svaren användas?", "text"),
    TARGET_GROUPS,
    Field("reach", "Var och hur når ni målgruppen?", "text"),
    Field("marketing", "Hur kan ni marknadsföra dialogen?", "text"),
    Field(
        "representativeness",
        "Hur säkerställer ni att ni får ett relevant underlag i målgruppen?",
        "text",
    ),
    "Urval och ersättning",
    Field("sample_size", "Hur många som bjuds in: ett antal, inga namn. Tomt om okänt.", "count"),
    Field(
        "amount_sek",
        "Ersättning per deltagare i kronor, vid dialogmöten. Tomt om ingen ersättning.",
        "count",
    ),
    Field("payer", "Beställaren står för kostnaden; skriv vem som betalar.", "line"),
)
FIELDS: dict[str, Field] = {item.key: item for item in LAYOUT if isinstance(item, Field)}
GROUP_FIELDS = ("name", "age_min", "age_max")
GROUP_LABELS = {"name": "Namn (valfritt)", "age_min": "Ålder från", "age_max": "Ålder till"}


def cell_name(key: str, group: int | None = None, member: str | int | None = None) -> str:
    """The defined name of an input cell: dt_title, dt_mg2_age_min, dt_mg1_kommun_Hylte."""
    if group is None:
        return f"{PREFIX}{key}"
    if member is None:
        return f"{PREFIX}mg{group}_{key}"
    return f"{PREFIX}mg{group}_{key}_{member}"


# --- writing -------------------------------------------------------------------------------------

_INPUT_FILL = "FFF2CC"
_SECTION_FILL = "DDEBF7"
_HINT_COLOUR = "595959"
_LIST_COLUMNS = {
    "method": ("A", "Metod"),
    "influence": ("B", "Påverkansnivå"),
    "unit": ("C", "Beställare"),
    "yesno": ("D", "Ja/nej"),
    "tick": ("E", "Kryss"),
    "segment": ("F", "Segment"),
    "municipality": ("G", "Kommun"),
}


def _excel_serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


def write_template(
    units: Sequence[str],
    segments: Sequence[str],
    send_to: str = DEFAULT_SEND_TO,
) -> bytes:
    """The empty template, with `units` in the unit drop-down and `segments` to tick."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.properties.creator = "dialogtui"
    workbook.properties.title = TITLE
    form = workbook.active
    assert form is not None
    form.title = FORM_SHEET
    instructions = workbook.create_sheet(INSTRUCTIONS_SHEET)
    lists = workbook.create_sheet(LISTS_SHEET)
    ranges = _write_lists(workbook, lists, units, segments)
    _write_form(workbook, form, ranges, segments)
    _write_instructions(instructions, send_to)
    workbook.active = 0
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _ref(sheet: str, coordinate: str) -> str:
    column, row = re.match(r"([A-Z]+)(\d+)", coordinate).groups()  # type: ignore[union-attr]
    return f"'{sheet}'!${column}${row}"


def _define(workbook: Workbook, name: str, reference: str) -> None:
    from openpyxl.workbook.defined_name import DefinedName

    workbook.defined_names[name] = DefinedName(name, attr_text=reference)


def _write_lists(
    workbook: Workbook, sheet: Worksheet, units: Sequence[str], segments: Sequence[str]
) -> dict[str, str]:
    """The hidden sheet of drop-down values; returns each list's range."""
    values = {
        "method": [m.label for m in Method],
        "influence": [i.label for i in InfluenceLevel],
        "unit": list(units),
        "yesno": ["ja", "nej"],
        "tick": [TICK],
        "segment": list(segments),
        "municipality": [m.value for m in Municipality],
    }
    ranges: dict[str, str] = {}
    for key, (column, heading) in _LIST_COLUMNS.items():
        sheet[f"{column}1"] = heading
        items = values[key] or [""]
        for row, value in enumerate(items, start=2):
            cell = sheet[f"{column}{row}"]
            cell.value = value
            cell.data_type = "s"
        last = len(items) + 1
        ranges[key] = f"'{LISTS_SHEET}'!${column}$2:${column}${last}"
        _define(workbook, f"{PREFIX}lista_{key}", ranges[key])
    sheet["I1"], sheet["I2"] = MARK, VERSION
    _define(workbook, f"{PREFIX}mall", _ref(LISTS_SHEET, "I1"))
    _define(workbook, f"{PREFIX}version", _ref(LISTS_SHEET, "I2"))
    sheet.sheet_state = "hidden"
    sheet.protection.sheet = True
    return ranges


def _write_form(
    workbook: Workbook, sheet: Worksheet, ranges: dict[str, str], segments: Sequence[str]
) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    thin = Side(style="thin", color="A6A6A6")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    input_fill = PatternFill("solid", fgColor=_INPUT_FILL)
    section_fill = PatternFill("solid", fgColor=_SECTION_FILL)
    unlocked = Protection(locked=False)
    wrap = Alignment(wrap_text=True, vertical="top")
    hint_font = Font(italic=True, color=_HINT_COLOUR)

    validations: dict[str, DataValidation] = {}

    def validation(kind: str, title: str) -> DataValidation:
        """One validation per kind of cell; `title` is the error box's title."""
        if kind not in validations:
            made = _validation(kind, ranges)
            made.errorTitle = title
            validations[kind] = made
            sheet.add_data_validation(made)
        return validations[kind]

    def input_cell(coordinate: str, name: str, kind: str, merge_to: str | None = None) -> None:
        cell = sheet[coordinate]
        cell.fill, cell.border, cell.protection = input_fill, box, unlocked
        cell.alignment = Alignment(
            wrap_text=kind == "text",
            vertical="top",
            horizontal="center" if kind == "tick" else None,
        )
        if kind in ("date",):
            cell.number_format = "yyyy-mm-dd"
        elif kind in ("line", "text", "unit", "method", "influence", "yesno"):
            cell.number_format = "@"  # text: a phone number or "0700…" stays as typed
        if merge_to is not None:
            sheet.merge_cells(f"{coordinate}:{merge_to}")
            row = cell.row
            for column in "CD":
                other = sheet[f"{column}{row}"]
                other.fill, other.border, other.protection = input_fill, box, unlocked
        _define(workbook, name, _ref(FORM_SHEET, coordinate))
        if kind in _VALIDATED:
            validation(kind, _VALIDATED[kind]).add(coordinate)

    def hint(row: int, text: str) -> None:
        cell = sheet[f"E{row}"]
        cell.value = text
        cell.font, cell.alignment = hint_font, wrap

    def heading(row: int, text: str) -> None:
        sheet[f"A{row}"] = text
        for column in "ABCDE":
            sheet[f"{column}{row}"].fill = section_fill
        sheet[f"A{row}"].font = Font(bold=True, size=12)

    for column, width in zip("ABCDE", (34, 18, 18, 18, 60), strict=True):
        sheet.column_dimensions[column].width = width
    sheet["A1"] = TITLE
    sheet["A1"].font = Font(bold=True, size=16)
    sheet["A2"] = (
        "Fyll i de gula cellerna; fält med * måste fyllas i. Fliken Instruktioner säger hur "
        "och vart du skickar anmälan."
    )
    sheet["A2"].alignment = wrap
    sheet.merge_cells("A2:E2")
    sheet.row_dimensions[2].height = 30
    row = 4
    for item in LAYOUT:
        if item == TARGET_GROUPS:
            row = _write_groups(sheet, row, segments, input_cell, hint, heading)
            continue
        if isinstance(item, str):
            heading(row, item)
            row += 1
            continue
        sheet[f"A{row}"] = item.label
        sheet[f"A{row}"].alignment = wrap
        sheet[f"A{row}"].font = Font(bold=item.required)
        input_cell(f"B{row}", cell_name(item.key), item.kind, merge_to=f"D{row}")
        if item.default:
            sheet[f"B{row}"] = item.default
        hint(row, item.hint)
        lines = 4 if item.kind == "text" else max(1, -(-len(item.hint) // 58))
        sheet.row_dimensions[row].height = 15 * lines + 2
        row += 1
    sheet.protection.sheet = True
    # A unit may add rows for notes and widen columns; the names keep the input cells found.
    sheet.protection.insertRows = False
    sheet.protection.formatRows = False
    sheet.protection.formatColumns = False
    sheet.page_setup.orientation = "portrait"
    if sheet.sheet_properties.pageSetUpPr is not None:
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0


_VALIDATED = {
    "unit": "Beställare",
    "method": "Metod",
    "influence": "Påverkansnivå",
    "yesno": "Ja eller nej",
    "date": "Datum",
    "count": "Antal",
    "age": "Ålder",
    "line": "Text",
    "text": "Text",
    "tick": "Kryss",
}


def _validation(kind: str, ranges: dict[str, str]) -> Any:
    from openpyxl.worksheet.datavalidation import DataValidation

    def listed(source: str, message: str, stop: bool = True) -> DataValidation:
        return DataValidation(
            type="list",
            formula1=ranges[source],
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="stop" if stop else "warning",
            error=message,
        )

    if kind == "unit":
        # A unit that is not in the list may still write its name; the coordinator asks.
        return listed(
            "unit",
            "Beställaren finns inte i listan. Välj Ja för att behålla det du skrev; "
            "koordinatören hör av sig.",
            stop=False,
        )
    if kind == "method":
        return listed("method", "Välj en metod i listan.")
    if kind == "influence":
        return listed("influence", "Välj en påverkansnivå i listan.")
    if kind == "yesno":
        return listed("yesno", "Skriv ja eller nej.")
    if kind == "tick":
        return listed("tick", f"Kryssa med {TICK}, eller lämna tomt.")
    if kind == "date":
        return DataValidation(
            type="date",
            operator="between",
            formula1=str(_excel_serial(date(YEAR_MIN, 1, 1))),
            formula2=str(_excel_serial(date(YEAR_MAX, 12, 31))),
            allow_blank=True,
            showErrorMessage=True,
            error=f"Skriv ett datum mellan {YEAR_MIN} och {YEAR_MAX}, t.ex. 2027-03-14.",
        )
    if kind in ("count", "age"):
        top = AGE_MAX if kind == "age" else COUNT_MAX
        return DataValidation(
            type="whole",
            operator="between",
            formula1=str(AGE_MIN),
            formula2=str(top),
            allow_blank=True,
            showErrorMessage=True,
            error=f"Skriv ett heltal från {AGE_MIN} till {top}.",
        )
    limit = TEXT_MAX if kind == "text" else TITLE_MAX
    return DataValidation(
        type="textLength",
        operator="lessThanOrEqual",
        formula1=str(limit),
        allow_blank=True,
        showErrorMessage=True,
        error=f"Högst {limit} tecken.",
    )


def _write_groups(
    sheet: Worksheet,
    row: int,
    segments: Sequence[str],
    input_cell: Any,
    hint: Any,
    heading: Any,
) -> int:
    """The target groups: one column per group, ticks for municipalities and segments."""
    from openpyxl.styles import Alignment, Font

    columns = "BCD"[:GROUPS]
    heading(row, "Målgrupper: vilken är målgruppen?")
    for number, column in enumerate(columns, start=1):
        sheet[f"{column}{row}"] = f"Målgrupp {number}"
        sheet[f"{column}{row}"].alignment = Alignment(horizontal="center")
    hint(row, "Upp till tre målgrupper, en kolumn var. En tom kolumn räknas inte.")
    row += 1
    for key in GROUP_FIELDS:
        sheet[f"A{row}"] = GROUP_LABELS[key]
        for number, column in enumerate(columns, start=1):
            kind = "line" if key == "name" else "age"
            input_cell(f"{column}{row}", cell_name(key, number), kind)
        hint(
            row,
            {
                "name": "Annars beskrivs gruppen av kryssen nedan, t.ex. unga 13–19 i Halmstad.",
                "age_min": f"Hela år. Tomt = {AGE_MIN}.",
                "age_max": f"Hela år. Tomt = {AGE_MAX}.",
            }[key],
        )
        row += 1
    blocks: tuple[tuple[str, str, str, Sequence[str]], ...] = (
        ("kommun", "Kommuner", "Kryssa (x) där gruppen bor. Inga kryss = hela Halland.",
         [m.value for m in Municipality]),
        ("segment", "Segment", "Kryssa (x) vilka invånare. Inga kryss = alla invånare.",
         segments),
    )  # fmt: skip
    for key, title, text, members in blocks:
        sheet[f"A{row}"] = title
        sheet[f"A{row}"].font = Font(bold=True)
        hint(row, text)
        row += 1
        for index, member in enumerate(members, start=1):
            sheet[f"A{row}"] = f"    {member}"
            tag = member if key == "kommun" else index
            for number, column in enumerate(columns, start=1):
                input_cell(f"{column}{row}", cell_name(key, number, tag), "tick")
            row += 1
    return row


def _write_instructions(sheet: Worksheet, send_to: str) -> None:
    from openpyxl.styles import Alignment, Font

    lines = [
        (f"{TITLE}: så fyller du i", True),
        ("", False),
        (
            "Riktlinjerna för invånardialog i Region Halland säger: anmäl de dialoger som "
            "planeras till koordinatören för invånardialog, så att initiativen samlas och kan "
            "samordnas i tid. Den här filen är anmälan.",
            False,
        ),
        ("", False),
        (
            "1. Fyll i fliken Anmälan: en dialog per fil. Bara de gula cellerna går att ändra.",
            False,
        ),
        (
            "2. Fält med * måste fyllas i: titel, beställare, metod, startdatum och slutdatum.",
            False,
        ),
        (
            "3. Välj beställare, metod, påverkansnivå och ja eller nej i listorna: klicka i "
            "cellen och på pilen.",
            False,
        ),
        ("4. Skriv datum som 2027-03-14.", False),
        (
            "5. Målgrupper: upp till tre, en kolumn var. Kryssa kommuner och segment med x. Inga "
            "kryss betyder hela Halland eller alla invånare.",
            False,
        ),
        (
            "6. Svara på riktlinjens frågor om syfte, sammanhang, frågor, hur svaren ska "
            "användas, hur ni når målgruppen och hur ni marknadsför dialogen. Det går bra att "
            "skriva flera rader i en cell (Alt+Enter).",
            False,
        ),
        (
            "7. Spara som Excel-arbetsbok (.xlsx), gärna med ett namn som säger vad det är, "
            "t.ex. beställare-titel.xlsx.",
            False,
        ),
        (f"8. Skicka filen till {send_to}.", True),
        ("", False),
        (
            "Ni får besked när anmälan är inlagd. Saknas något, eller krockar dialogen med "
            "andra som når samma invånare samtidigt, hör koordinatören av sig.",
            False,
        ),
        (
            "Byt inte namn på flikarna och ta inte bort rader. Ni kan lägga till rader för egna "
            "anteckningar; de läses inte.",
            False,
        ),
    ]
    sheet.column_dimensions["A"].width = 100
    for row, (text, bold) in enumerate(lines, start=1):
        cell = sheet[f"A{row}"]
        cell.value = text
        cell.font = Font(bold=bold, size=14 if row == 1 else 11)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.protection.sheet = True


# --- filling, as a unit would (the demo, tests and benchmarks) --------------------------------


def cell_values(initiative: Initiative, segments: Sequence[str]) -> dict[str, Any]:
    """The cells a unit fills in for this registration, by name without the prefix.

    Choices are written as the drop-down lists offer them, dates as dates, ticks as x.
    Raises ValueError for more target groups than the template has.
    """
    if len(initiative.target_groups) > GROUPS:
        raise ValueError(f"mallen har plats för {GROUPS} målgrupper")
    comp = initiative.compensation
    values: dict[str, Any] = {
        "title": initiative.title,
        "unit": initiative.unit,
        "contact": initiative.contact,
        "owner": initiative.owner,
        "method": initiative.method.label,
        "influence": initiative.influence.label,
        "uses_panel": "ja" if initiative.uses_panel else "nej",
        "start": initiative.start,
        "end": initiative.end,
        "deadline": initiative.deadline,
        **{key: getattr(initiative, key) for key, spec in FIELDS.items() if spec.kind == "text"},
        "sample_size": initiative.sample_size,
        "amount_sek": comp.amount_sek if comp else None,
        "payer": comp.payer if comp else None,
    }
    for number, group in enumerate(initiative.target_groups, start=1):
        values[f"mg{number}_name"] = group.name
        values[f"mg{number}_age_min"] = group.age_min
        values[f"mg{number}_age_max"] = group.age_max
        for municipality in group.municipalities:
            values[f"mg{number}_kommun_{municipality.value}"] = TICK
        for tag in group.segments:
            values[f"mg{number}_segment_{list(segments).index(tag) + 1}"] = TICK
    return {key: value for key, value in values.items() if value not in (None, "")}


def fill(data: bytes, values: dict[str, Any]) -> bytes:
    """The template `data` with named input cells filled (names without the dt_ prefix)."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data))
    names = _names(workbook)
    for key, value in values.items():
        sheet, coordinate = names[f"{PREFIX}{key}".lower()]
        cell = workbook[sheet][coordinate]
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # a text is a text, even one that starts with "="
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- opening a workbook --------------------------------------------------------------------------


def open_workbook(data: bytes) -> Workbook:
    """Open an .xlsx for reading values, or raise WorkbookError saying why it cannot be."""
    if len(data) > MAX_FILE_BYTES:
        raise WorkbookError(
            f"Filen är {len(data) // (1024 * 1024)} MB; en anmälan är några kB. Den öppnas inte."
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise WorkbookError(
            "Filen är ingen Excel-arbetsbok (.xlsx), eller så är den skadad eller inte "
            "färdigskriven."
        ) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise WorkbookError("Filen blir orimligt stor när den packas upp; den öppnas inte.")
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            # LibreOffice and Excel write extensions openpyxl does not keep; we only read values.
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except Exception:  # openpyxl raises many kinds for a broken file; all mean the same here
        raise WorkbookError(
            "Filen går inte att läsa som Excel-arbetsbok; den är skadad eller i ett annat format."
        ) from None


# "'Anmälan'!$B$5", "Anmälan!$B$5:$D$5": most references; anything else goes to openpyxl.
_SIMPLE_REFERENCE = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]{1,3})\$?(\d+)(?::.*)?$")


def _destination(defined: Any) -> tuple[str, str] | None:
    match = _SIMPLE_REFERENCE.match(str(defined.attr_text or ""))
    if match is not None:
        sheet = (match.group(1) or "").replace("''", "'") or match.group(2)
        return sheet, f"{match.group(3)}{match.group(4)}"
    try:
        destinations = list(defined.destinations)
    except Exception:  # a reference to a deleted row (#REF!) has no destination
        return None
    if not destinations:
        return None
    sheet, coordinate = destinations[0]
    return sheet, coordinate.replace("$", "").split(":")[0]


def _names(workbook: Workbook) -> dict[str, tuple[str, str]]:
    """Our defined names (lower-cased) and the sheet and cell each points at."""
    found: dict[str, tuple[str, str]] = {}
    scopes: list[Iterable[Any]] = [workbook.defined_names.values()]
    for sheet in workbook.worksheets:
        local = getattr(sheet, "defined_names", None)
        if local:
            scopes.append(local.values())
    for scope in scopes:
        for defined in scope:
            name = str(defined.name or "").lower()
            if name.startswith(PREFIX):
                place = _destination(defined)
                if place is not None:
                    found[name] = place
    return found


def is_template(workbook: Workbook) -> bool:
    """Whether the workbook is a registration template, filled or not."""
    mark = f"{PREFIX}mall"
    return any(str(name).lower() == mark for name in workbook.defined_names) or mark in _names(
        workbook
    )


# --- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CellProblem:
    """A problem of a filled template, at the cell to fix."""

    problem: Problem
    label: str
    cell: str

    @property
    def key(self) -> str:
        return self.problem.key

    @property
    def message(self) -> str:
        return self.problem.message

    def __str__(self) -> str:
        if self.cell:
            where = f" (cell {self.cell})"
        elif self.key in FIELDS:
            where = " (cellen finns inte längre; raden har tagits bort ur mallen)"
        else:
            where = ""
        return f"{self.label}{where}: {self.message}"


@dataclass
class TemplateRead:
    """What a filled template says: the form's fields, and the initiative or the problems."""

    raw: dict[str, Any]
    initiative: Initiative | None
    problems: list[CellProblem]
    cells: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return str(self.raw.get("title", ""))

    @property
    def unit(self) -> str:
        return str(self.raw.get("unit", ""))

    @property
    def period(self) -> str:
        """The dates as filled in, even when they are not valid."""
        start, end = str(self.raw.get("start", "")), str(self.raw.get("end", ""))
        return f"{start or '?'} – {end or '?'}" if start or end else ""


class _Values:
    """The values of the cells the names point at, each sheet read once, and only the block of
    rows and columns that holds them (a read-only sheet is parsed row by row from its start)."""

    def __init__(self, workbook: Workbook, places: Iterable[tuple[str, str]]) -> None:
        self.workbook = workbook
        self._wanted: dict[str, list[tuple[int, int]]] = {}
        for sheet, coordinate in places:
            match = re.fullmatch(r"([A-Z]+)(\d+)", coordinate)
            if match is not None:
                self._wanted.setdefault(sheet, []).append(
                    (int(match.group(2)), _column_number(match.group(1)))
                )
        self._sheets: dict[str, dict[tuple[int, int], Any]] = {}

    def get(self, sheet: str, coordinate: str) -> Any:
        if sheet not in self._sheets:
            self._sheets[sheet] = self._read(sheet)
        match = re.fullmatch(r"([A-Z]+)(\d+)", coordinate)
        if match is None:
            return None
        return self._sheets[sheet].get((int(match.group(2)), _column_number(match.group(1))))

    def _read(self, sheet: str) -> dict[tuple[int, int], Any]:
        wanted = self._wanted.get(sheet)
        if not wanted or sheet not in self.workbook.sheetnames:
            return {}
        top, bottom = min(r for r, _ in wanted), max(r for r, _ in wanted)
        left, right = min(c for _, c in wanted), max(c for _, c in wanted)
        values: dict[tuple[int, int], Any] = {}
        rows = self.workbook[sheet].iter_rows(
            min_row=top, max_row=bottom, min_col=left, max_col=right, values_only=True
        )
        for row_number, row in enumerate(rows, start=top):
            for column, value in enumerate(row, start=left):
                if value is not None:
                    values[(row_number, column)] = value
        return values


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _text(value: Any) -> str:
    """A cell as the text a form field would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _date_text(value: Any) -> str:
    """A date cell as text: a real date, or a day number that lost its date format, or text."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        low, high = _excel_serial(date(YEAR_MIN, 1, 1)), _excel_serial(date(YEAR_MAX, 12, 31))
        if float(value).is_integer() and low <= value <= high:
            from openpyxl.utils.datetime import from_excel

            day = from_excel(value)
            if isinstance(day, datetime):
                return day.date().isoformat()
    return _text(value)


_NOT_TICKED = {"", "nej", "n", "0", "false", "falskt"}


def _ticked(value: Any) -> bool:
    return _text(value).strip().casefold() not in _NOT_TICKED


def _choice(value: Any, enum: type[Method] | type[InfluenceLevel]) -> Any:
    text = _text(value).strip()
    if not text:
        return None
    try:
        return enum.parse(text)
    except ValueError:
        return text  # the model names the choices


def _yes_no(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    text = _text(value).strip()
    if text.casefold() in ("", "nej", "n"):
        return False
    if text.casefold() in ("ja", "j"):
        return True
    return text  # the model says "måste vara ja eller nej"


def read_template(workbook: Workbook, today: date) -> TemplateRead:
    """Read a filled template: what the form would hold, and the initiative or every problem."""
    names = _names(workbook)
    values = _Values(workbook, names.values())
    cells: dict[str, str] = {}

    def value(name: str) -> Any:
        place = names.get(name.lower())
        if place is None:
            return None
        cells[name] = place[1]
        return values.get(*place)

    version = value(f"{PREFIX}version")
    if isinstance(version, (int, float)) and version > VERSION:
        raise WorkbookError(
            f"Mallen är av en nyare version ({_text(version)}) än denna dialogtui läser "
            f"({VERSION}); uppdatera dialogtui."
        )
    raw: dict[str, Any] = {}
    for key, spec in FIELDS.items():
        cell = value(cell_name(key))
        if spec.kind == "date":
            raw[key] = _date_text(cell)
        elif spec.kind == "method":
            raw[key] = _choice(cell, Method)
        elif spec.kind == "influence":
            raw[key] = _choice(cell, InfluenceLevel) or InfluenceLevel.CONSULT
        elif spec.kind == "yesno":
            raw[key] = _yes_no(cell)
        else:
            raw[key] = _text(cell)
    segments = _segment_list(workbook)
    groups: list[dict[str, Any]] = []
    numbers: list[int] = []
    for number in range(1, GROUPS + 1):
        group: dict[str, Any] = {
            key: _text(value(cell_name(key, number))).strip() for key in GROUP_FIELDS
        }
        group["municipalities"] = [
            m.value for m in Municipality if _ticked(value(cell_name("kommun", number, m.value)))
        ]
        group["segments"] = [
            tag
            for index, tag in enumerate(segments, start=1)
            if _ticked(value(cell_name("segment", number, index)))
        ]
        if not any(group.values()):
            continue
        group["name"] = _text(value(cell_name("name", number)))
        group["age_min"] = group["age_min"] or str(AGE_MIN)
        group["age_max"] = group["age_max"] or str(AGE_MAX)
        group["number"] = number  # the template's column, which its problems name
        groups.append(group)
        numbers.append(number)
    raw["target_groups"] = groups
    initiative, problems = build(raw, today)
    located = sorted((_locate(problem, numbers, names) for problem in problems), key=_cell_order)
    return TemplateRead(raw=raw, initiative=initiative, problems=located, cells=cells)


_RANGE = re.compile(
    r"^(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]{1,3})\$?(\d+):\$?([A-Z]{1,3})\$?(\d+)$"
)


def _segment_list(workbook: Workbook) -> list[str]:
    """The segments this file offers to tick, from its own hidden list (a named range)."""
    wanted = f"{PREFIX}lista_segment"
    defined = next((d for n, d in workbook.defined_names.items() if n.lower() == wanted), None)
    match = _RANGE.match(str(getattr(defined, "attr_text", "") or ""))
    if match is None:
        return []
    sheet = (match.group(1) or "").replace("''", "'") or match.group(2)
    if sheet not in workbook.sheetnames:
        return []
    column = _column_number(match.group(3))
    rows = workbook[sheet].iter_rows(
        min_row=int(match.group(4)),
        max_row=int(match.group(6)),
        min_col=column,
        max_col=column,
        values_only=True,
    )
    return [
        str(row[0]).strip() for row in rows if row and row[0] is not None and str(row[0]).strip()
    ]


def _cell_order(problem: CellProblem) -> tuple[int, int]:
    """Problems in the order the sheet shows their cells; those without a cell last."""
    match = re.fullmatch(r"([A-Z]+)(\d+)", problem.cell)
    if match is None:
        return (1 << 30, 0)
    column = 0
    for letter in match.group(1):
        column = column * 26 + ord(letter) - 64
    return (int(match.group(2)), column)


def _locate(problem: Problem, numbers: list[int], names: dict[str, tuple[str, str]]) -> CellProblem:
    """Attach the cell to fix, and number a target group as the template does."""
    loc = problem.loc

    def cell(name: str) -> str:
        return names.get(name.lower(), ("", ""))[1]

    if loc and loc[0] == "target_groups" and len(loc) > 1 and isinstance(loc[1], int):
        number = numbers[loc[1]] if loc[1] < len(numbers) else loc[1] + 1
        part = next((p for p in reversed(loc[2:]) if isinstance(p, str)), "")
        label = re.sub(r"^Målgrupp \d+", f"Målgrupp {number}", problem.label)
        if part in GROUP_FIELDS:
            return CellProblem(problem, label, cell(cell_name(part, number)))
        if part == "municipalities":
            first = cell(cell_name("kommun", number, Municipality.KUNGSBACKA.value))
            return CellProblem(problem, label, first)
        if part == "segments":
            return CellProblem(problem, label, cell(cell_name("segment", number, 1)))
        return CellProblem(problem, label, cell(cell_name("name", number)))
    key = problem.key if problem.key in FIELDS else ""
    return CellProblem(problem, problem.label, cell(cell_name(key)) if key else "")
