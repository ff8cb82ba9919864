"""Text that a spreadsheet must keep as text: one rule for every CSV and Excel file we write.

A cell that begins with "=", "+", "-" or "@" is run as a formula (or, in CSV, as DDE) by Excel
and LibreOffice. CSV cells get a leading apostrophe, as Excel writes such text itself; a text that
already begins with an apostrophe gets one more, so that import can give back exactly what was
written. Excel cells are marked as text with Excel's quote prefix, which survives editing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell

FORMULA_STARTS = ("=", "+", "-", "@")
_ESCAPED = (*FORMULA_STARTS, "'")


def inert(value: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula; `revive` undoes it."""
    return "'" + value if value.startswith(_ESCAPED) else value


def revive(value: str) -> str:
    """The text `inert` was given."""
    return value[1:] if value.startswith("'") and value[1:].startswith(_ESCAPED) else value


def keep_text(cell: Cell) -> None:
    """Make an Excel cell holding a text stay a text, whatever it begins with."""
    # openpyxl makes every text starting with "=" a formula; a text stays a text.
    cell.data_type = "s"
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True  # Excel keeps it a text even when edited
