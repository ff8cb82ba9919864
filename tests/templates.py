"""Filling the registration template as a unit does: by the labels it reads, not by names.

The reader finds cells by their defined names; these helpers find them by the label beside them,
as a person does, so that a test fails when the labels and the names disagree.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

from dialogtui import catalog, units
from dialogtui.template import FORM_SHEET, write_template

TODAY = date(2026, 11, 24)


@cache
def blank() -> bytes:
    """The empty template, as `dialogtui template` writes it."""
    return write_template(units.offered_names(), catalog.segments())


def _label_row(sheet: Worksheet, label: str, after: int = 0) -> int:
    for row in range(after + 1, sheet.max_row + 1):
        value = sheet.cell(row=row, column=1).value
        if isinstance(value, str) and value.strip().rstrip(" *") == label:
            return row
    raise KeyError(label)


def _group_column(sheet: Worksheet, number: int) -> tuple[int, int]:
    """The column of target group `number`, and the row of the group headings."""
    for row in sheet.iter_rows(min_col=2, max_col=4):
        for cell in row:
            if cell.value == f"Målgrupp {number}":
                return int(cell.column), int(cell.row)
    raise KeyError(number)


def fill_by_label(
    data: bytes,
    fields: dict[str, Any],
    groups: list[dict[str, Any]] | None = None,
) -> bytes:
    """Type `fields` (label → value) into the cell right of each label, and tick target groups.

    A group is {"Namn (valfritt)": …, "Ålder från": …, "Ålder till": …, "kommuner": [...],
    "segment": [...]}; municipalities and segments are ticked with x in the group's column.
    """
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook[FORM_SHEET]
    for label, value in fields.items():
        sheet.cell(row=_label_row(sheet, label), column=2, value=value)
    for number, group in enumerate(groups or [], start=1):
        column, heading = _group_column(sheet, number)
        for label in ("Namn (valfritt)", "Ålder från", "Ålder till"):
            if label in group:
                sheet.cell(row=_label_row(sheet, label, heading), column=column, value=group[label])
        for block, key in (("Kommuner", "kommuner"), ("Segment", "segment")):
            start = _label_row(sheet, block, heading)
            for member in group.get(key, []):
                sheet.cell(row=_label_row(sheet, member, start), column=column, value="x")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def insert_rows(data: bytes, at: int, amount: int = 1) -> bytes:
    """Insert rows as Excel does: the cells below move down, and so do the names that point
    at them (openpyxl moves the cells only)."""
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook[FORM_SHEET]
    sheet.insert_rows(at, amount)
    for name, defined in list(workbook.defined_names.items()):
        text = defined.attr_text

        def moved(match: re.Match[str]) -> str:
            row = int(match.group(2))
            return f"${match.group(1)}${row + amount if row >= at else row}"

        if text.startswith(f"'{FORM_SHEET}'!"):
            workbook.defined_names[name] = DefinedName(
                name, attr_text=re.sub(r"\$([A-Z]+)\$(\d+)", moved, text)
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def restyle(data: bytes) -> bytes:
    """Another program's habits: other fonts and fills, dates typed as text, numbers as text."""
    from openpyxl.styles import Font, PatternFill

    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook[FORM_SHEET]
    for row in sheet.iter_rows():
        for cell in row:
            if hasattr(cell, "font"):
                cell.font = Font(name="Liberation Sans", size=10, italic=True)
                cell.fill = PatternFill("solid", fgColor="EEEEEE")
            if isinstance(cell.value, date):
                cell.value = cell.value.strftime("%d/%m %Y").lstrip("0")
                cell.number_format = "@"
            elif isinstance(cell.value, int) and not isinstance(cell.value, bool):
                cell.value = str(cell.value)
                cell.number_format = "@"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def libreoffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def resave_with_libreoffice(*files: bytes) -> list[bytes]:
    """The files opened and saved again by LibreOffice Calc (headless xlsx → xlsx), in one run."""
    office = libreoffice()
    assert office is not None
    with tempfile.TemporaryDirectory() as tmp:
        sources = []
        for number, data in enumerate(files, start=1):
            source = Path(tmp) / f"anmalan-{number}.xlsx"
            source.write_bytes(data)
            sources.append(source)
        out = Path(tmp) / "out"
        # A profile of its own, so that a running LibreOffice or the user's settings never meet it.
        env = {**os.environ, "HOME": tmp}
        subprocess.run(
            [
                office,
                f"-env:UserInstallation=file://{tmp}/profile",
                "--headless",
                "--norestore",
                "--convert-to",
                "xlsx:Calc MS Excel 2007 XML",
                "--outdir",
                str(out),
                *map(str, sources),
            ],
            check=True,
            capture_output=True,
            timeout=180,
            env=env,
        )
        return [(out / source.name).read_bytes() for source in sources]
