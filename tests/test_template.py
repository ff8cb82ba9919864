"""The registration template: what a unit gets, and what a filled one turns into."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from dialogtui import catalog, demo, units
from dialogtui.domain import Method
from dialogtui.models import Initiative
from dialogtui.store import Store
from dialogtui.template import (
    FORM_SHEET,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    MAX_FILE_BYTES,
    TemplateRead,
    WorkbookError,
    cell_values,
    fill,
    is_template,
    open_workbook,
    read_template,
    write_template,
)
from tests.templates import (
    TODAY,
    blank,
    fill_by_label,
    insert_rows,
    libreoffice,
    resave_with_libreoffice,
    restyle,
)

FILLED: dict[str, Any] = {
    "Titel": "Ungas psykiska hälsa",
    "Beställare": "Psykiatrin Halland",
    "Kontaktperson": "Anna Svensson, 035-13 00 00",
    "Projektägare/linjechef": "Per Nilsson, verksamhetschef",
    "Metod": "fokusgrupp",
    "Påverkansnivå": "dialog",
    "Invånarpanelen": "nej",
    "Startdatum": date(2027, 3, 2),
    "Slutdatum": date(2027, 3, 20),
    "Syfte": "Förstå vad unga behöver.\nOch varför.",
    "Var och hur målgruppen nås": "Via skolorna.",
    "Urval": 40,
    "Ersättning per deltagare (kr)": 300,
    "Betalas av": "Psykiatrin Halland",
}
GROUPS = [
    {"Ålder från": 13, "Ålder till": 19, "kommuner": ["Halmstad"], "segment": ["unga"]},
    {"Namn (valfritt)": "Föräldrar", "segment": ["föräldrar"]},
]


def read(data: bytes) -> TemplateRead:
    workbook = open_workbook(data)
    try:
        assert is_template(workbook)
        return read_template(workbook, TODAY)
    finally:
        workbook.close()


def expected() -> Initiative:
    return Initiative.model_validate(
        {
            "title": "Ungas psykiska hälsa",
            "unit": "Psykiatrin Halland",
            "contact": "Anna Svensson, 035-13 00 00",
            "owner": "Per Nilsson, verksamhetschef",
            "method": "focus_group",
            "influence": "dialogue",
            "start": "2027-03-02",
            "end": "2027-03-20",
            "purpose": "Förstå vad unga behöver.\nOch varför.",
            "reach": "Via skolorna.",
            "sample_size": 40,
            "compensation": {"amount_sek": 300, "payer": "Psykiatrin Halland"},
            "target_groups": [
                {
                    "age_min": 13,
                    "age_max": 19,
                    "municipalities": ["Halmstad"],
                    "segments": ["unga"],
                },
                {"name": "Föräldrar", "segments": ["föräldrar"]},
            ],
        }
    )


# --- what a unit gets ----------------------------------------------------------------------------


def test_the_template_is_a_form_with_instructions_and_hidden_lists() -> None:
    workbook = load_workbook(io.BytesIO(write_template(["Enhet A"], ["unga"], "dialog@x.se")))
    assert workbook.sheetnames == [FORM_SHEET, INSTRUCTIONS_SHEET, LISTS_SHEET]
    form, instructions, lists = (workbook[name] for name in workbook.sheetnames)
    assert workbook.active is form
    assert form["A1"].value == "Anmälan av invånardialog"
    assert lists.sheet_state == "hidden"
    instructions_text = "\n".join(str(c.value) for c in instructions["A"] if c.value)
    assert "dialog@x.se" in instructions_text
    assert "Fält med *" in instructions_text
    # Labels and hints are protected; input cells are not, and rows may be inserted.
    assert form.protection.sheet and not form.protection.insertRows
    labels = [c for c in form["A"] if isinstance(c.value, str) and c.value.startswith("Titel")]
    assert labels and labels[0].protection.locked
    title_input = form.cell(row=labels[0].row, column=2)
    assert not title_input.protection.locked
    hint = form.cell(row=labels[0].row, column=5)
    assert "200 tecken" in hint.value and hint.protection.locked


def test_drop_downs_offer_the_units_methods_and_yes_no_from_the_hidden_sheet() -> None:
    workbook = load_workbook(io.BytesIO(blank()))
    form = workbook[FORM_SHEET]
    lists = workbook[LISTS_SHEET]
    by_formula = {dv.formula1: dv for dv in form.data_validations.dataValidation}
    unit_list = [c.value for c in lists["C"][1:] if c.value]
    assert unit_list == list(units.offered_names())
    assert "Område Psykiatri" not in unit_list  # an old name, kept known but not offered
    methods = [c.value for c in lists["A"][1:] if c.value]
    assert methods == [m.label for m in Method]
    assert f"'{LISTS_SHEET}'!$A$2:$A$10" in by_formula
    unit_check = by_formula[f"'{LISTS_SHEET}'!$C$2:$C${len(unit_list) + 1}"]
    # A unit that is not in the list may keep what it wrote (and is asked about it).
    assert unit_check.errorStyle == "warning"
    kinds = {dv.type for dv in form.data_validations.dataValidation}
    assert {"list", "date", "whole", "textLength"} <= kinds


def test_every_input_cell_has_a_name_beside_its_label() -> None:
    workbook = load_workbook(io.BytesIO(blank()))
    form = workbook[FORM_SHEET]
    names = {name: d.attr_text for name, d in workbook.defined_names.items()}
    assert names["dt_title"].endswith("$B$" + str(_row_of(form, "Titel *")))
    assert names["dt_start"].endswith("$B$" + str(_row_of(form, "Startdatum *")))
    assert "dt_mg3_kommun_Laholm" in names
    assert f"dt_mg1_segment_{len(catalog.segments())}" in names


def test_the_guideline_s_questions_come_in_its_order() -> None:
    # Seed 002, "Detta behöver göras inför dialog": purpose, context, questions, use of the
    # answers, target group, reach, marketing, relevant material; the unit reads them as listed.
    form = load_workbook(io.BytesIO(blank()))[FORM_SHEET]
    labels = [
        "Syfte",
        "Sammanhang",
        "Frågor",
        "Användning av svaren",
        "Målgrupper: vilken är målgruppen?",
        "Var och hur målgruppen nås",
        "Marknadsföring",
        "Relevant underlag",
    ]
    rows = [_row_of(form, label) for label in labels]
    assert rows == sorted(rows)
    # The rest of what a registration holds is on the sheet too, each with its hint beside it.
    for label in ("Titel *", "Beställare *", "Kontaktperson", "Projektägare/linjechef", "Metod *",
                  "Påverkansnivå", "Invånarpanelen", "Startdatum *", "Slutdatum *", "Tidsfrist",
                  "Urval", "Ersättning per deltagare (kr)", "Villkor för påverkan",
                  "Personuppgifter och svar", "Återkoppling till de svarande",
                  "Beställning till Invånartjänster"):  # fmt: skip
        assert form.cell(row=_row_of(form, label), column=5).value, label


def _row_of(sheet: Any, label: str) -> int:
    return next(c.row for c in sheet["A"] if c.value == label)


# --- filled in -----------------------------------------------------------------------------------


def test_a_template_filled_as_a_unit_would_gives_the_initiative() -> None:
    result = read(fill_by_label(blank(), FILLED, GROUPS))
    assert result.problems == []
    assert result.initiative == expected()


def test_a_typed_date_and_labels_in_any_case_are_read_as_the_form_reads_them() -> None:
    fields = FILLED | {"Startdatum": "2/3 2027", "Slutdatum": "20 mars 2027", "Metod": "FOKUSGRUPP"}
    result = read(fill_by_label(blank(), fields, GROUPS))
    assert result.initiative == expected()


def test_an_inserted_row_and_other_styles_change_nothing() -> None:
    data = insert_rows(blank(), 3, 2)  # a unit's own notes above the form
    data = restyle(fill_by_label(data, FILLED, GROUPS))
    workbook = load_workbook(io.BytesIO(data))
    assert workbook[FORM_SHEET]["B7"].value == FILLED["Titel"]  # moved down two rows
    result = read(data)
    assert result.problems == []
    assert result.initiative == expected()


MISSING_DATES = {"Titel": "Utan datum", "Metod": "fokusgrupp", "Beställare": "Regionservice"}


@pytest.fixture(scope="module")
def resaved() -> list[bytes]:
    """Two filled templates, opened and saved by LibreOffice in one run (it takes seconds)."""
    if libreoffice() is None:
        pytest.skip("LibreOffice is not installed")
    return resave_with_libreoffice(
        fill_by_label(blank(), FILLED, GROUPS),
        fill_by_label(insert_rows(blank(), 3), MISSING_DATES),
    )


def test_a_template_resaved_by_libreoffice_gives_the_same_initiative(
    resaved: list[bytes],
) -> None:
    data = resaved[0]
    assert b"LibreOffice" in zipfile.ZipFile(io.BytesIO(data)).read("docProps/app.xml")
    result = read(data)
    assert result.problems == []
    assert result.initiative == expected()


def test_problems_of_a_libreoffice_file_name_their_cells(resaved: list[bytes]) -> None:
    result = read(resaved[1])
    assert [str(p) for p in result.problems] == [
        "Startdatum (cell B14): måste anges",
        "Slutdatum (cell B15): måste anges",
    ]


def test_problems_name_field_cell_and_what_is_allowed_in_sheet_order() -> None:
    fields = FILLED | {
        "Metod": "enkät",
        "Slutdatum": date(2027, 2, 1),
        "Urval": "fyrtio",
        "Beställare": None,
    }
    groups = [{}, {"Ålder från": 30, "Ålder till": 20, "segment": ["unga"]}]
    result = read(fill_by_label(blank(), fields, groups))
    assert result.initiative is None
    assert [str(p) for p in result.problems] == [
        "Beställare (cell B6): måste anges",
        "Metod (cell B9): måste vara en av: enkätundersökning, panelenkät, dialogmöte, "
        "fokusgrupp, arbetsgrupp, råd, intervju, sociala medier, övrigt",
        "Slutdatum (cell B14): slutdatum (2027-02-01) får inte vara före startdatum (2027-03-02)",
        # The empty first group is left out; the second keeps its number and its column.
        "Målgrupp 2: Ålder från (cell C24): ålder från (30) får inte vara större än "
        "ålder till (20)",
        "Urval (cell B51): måste vara ett heltal, t.ex. 40",
    ]


def test_an_empty_template_asks_for_the_required_fields() -> None:
    result = read(blank())
    assert {p.key for p in result.problems} == {"title", "unit", "method", "start", "end"}
    assert result.raw["influence"].value == "consult"  # the form's default, filled in
    assert result.raw["uses_panel"] is False


@pytest.mark.parametrize("everything", [False, pytest.param(True, marks=pytest.mark.slow)])
def test_demo_initiatives_survive_the_template(everything: bool, db_path: Path) -> None:
    """A registration (up to three groups) goes through a filled template unchanged: every
    field, label, date, number and tick. One of each method by default, all under -m slow."""
    with Store(db_path) as store:
        demo.fill(store, TODAY)
        initiatives = [i for i in store.initiatives() if len(i.target_groups) <= 3]
    if not everything:
        initiatives = list({i.method: i for i in initiatives}.values())
    empty = blank()
    for initiative in initiatives:
        data = fill(empty, cell_values(initiative, catalog.segments()))
        result = read(data)
        assert result.problems == [], initiative.title
        kept = {"id", "version", "stage", "updated_at", "updated_by"}
        got = result.initiative
        assert got is not None
        assert got.model_dump(exclude=kept) == initiative.model_dump(exclude=kept)


# --- files that are not (whole) templates --------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "ingen Excel-arbetsbok"),
        (b"hello, this is text", "ingen Excel-arbetsbok"),
        (b"PK\x03\x04" + b"\x00" * 100, "ingen Excel-arbetsbok"),
        (b"x" * (MAX_FILE_BYTES + 1), "en anmälan är några kB"),
    ],
)
def test_what_is_not_a_workbook_is_told_in_swedish(data: bytes, message: str) -> None:
    with pytest.raises(WorkbookError, match=message):
        open_workbook(data)


def test_a_half_written_template_is_told_not_crashed() -> None:
    with pytest.raises(WorkbookError):
        open_workbook(blank()[:4000])


def test_a_zip_that_unpacks_to_far_too_much_is_not_opened() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (60 * 1024 * 1024))
    with pytest.raises(WorkbookError, match="orimligt stor"):
        open_workbook(buffer.getvalue())


def test_another_workbook_is_not_a_template() -> None:
    from openpyxl import Workbook

    other = Workbook()
    other.active["A1"] = "Budget"  # type: ignore[index]
    buffer = io.BytesIO()
    other.save(buffer)
    assert not is_template(open_workbook(buffer.getvalue()))


def test_a_template_of_a_newer_version_asks_for_a_newer_dialogtui() -> None:
    workbook = load_workbook(io.BytesIO(blank()))
    workbook[LISTS_SHEET]["I2"] = 2
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(WorkbookError, match="nyare version"):
        read(buffer.getvalue())


def test_a_deleted_row_is_told_as_such() -> None:
    from openpyxl.workbook.defined_name import DefinedName

    workbook = load_workbook(io.BytesIO(fill_by_label(blank(), FILLED, GROUPS)))
    # What Excel leaves of a name whose row was deleted.
    workbook.defined_names["dt_title"] = DefinedName("dt_title", attr_text=f"'{FORM_SHEET}'!#REF!")
    buffer = io.BytesIO()
    workbook.save(buffer)
    (problem,) = read(buffer.getvalue()).problems
    assert str(problem) == (
        "Titel (cellen finns inte längre; raden har tagits bort ur mallen): måste anges"
    )
