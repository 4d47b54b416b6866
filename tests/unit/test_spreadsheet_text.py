"""Text people typed never runs as a formula in an exported CSV or workbook."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from domain.spreadsheet import csv_text, no_formulas, xlsx_text

EVIL = '=HYPERLINK("http://evil.example","点我")'


@pytest.mark.parametrize("said, written", [(EVIL, "'" + EVIL), ("+1+2", "'+1+2"), ("-2+3", "'-2+3"),
                                           ("@SUM(1)", "'@SUM(1)"), ("\t=1", "'\t=1"),
                                           ("北京协和医院", "北京协和医院"), ("-", "-"), ("+", "+"), ("", ""),
                                           (12, 12), (None, None)])
def test_csv_text_marks_what_excel_would_run(said, written):
    assert csv_text(said) == written


def _reloaded(wb: Workbook):
    out = io.BytesIO()
    wb.save(out)
    return load_workbook(io.BytesIO(out.getvalue())).active


def test_a_write_only_sheet_keeps_formula_text_as_text():
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("x")
    ws.append([xlsx_text(ws, EVIL), xlsx_text(ws, "北京"), xlsx_text(ws, 5)])
    sheet = _reloaded(wb)
    assert [(c.value, c.data_type) for c in sheet[1]] == [(EVIL, "s"), ("北京", "s"), (5, "n")]


def test_no_formulas_turns_every_formula_of_a_sheet_into_text():
    wb = Workbook()
    wb.active.append([EVIL, "=1+1", "北京"])
    no_formulas(wb.active)
    assert [(c.value, c.data_type) for c in _reloaded(wb)[1]] == [(EVIL, "s"), ("=1+1", "s"), ("北京", "s")]
