"""Text that people typed, written into a file someone opens in Excel: never a formula.

A partner, customer or program name stored as ``=HYPERLINK("http://…","点我")`` or
``=1+1`` (an import or a chat message can carry one) would run as a formula in an
exported workbook or CSV ("CSV injection"). Workbooks keep such text as text (exact,
a cell's type says so); in a CSV meant for people, where only the first character
tells Excel, text that starts like a formula is written with a leading apostrophe,
which Excel shows as a plain text marker. A CSV fed to a machine (the ERP) is exact.
"""
from __future__ import annotations

from typing import Any

# What makes Excel read a CSV cell as a formula (a tab or CR ahead of one as well).
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: Any) -> Any:
    """A CSV cell for people: text that starts like a formula gets a leading apostrophe
    (a lone "-" or "+", a placeholder Excel shows as text, stays as it is)."""
    if isinstance(value, str) and len(value) > 1 and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value


def xlsx_text(sheet: Any, value: Any) -> Any:
    """A cell for a write-only sheet's append: text that openpyxl would write as a
    formula (it starts with '=') is written as text."""
    if isinstance(value, str) and len(value) > 1 and value.startswith("="):
        from openpyxl.cell import WriteOnlyCell
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"
        return cell
    return value


def no_formulas(sheet: Any) -> None:
    """Every cell of a (normal) sheet that openpyxl took for a formula is text: for
    sheets that hold only what people and the bot wrote, never a formula of ours."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"
