"""Imports, cell by cell: numbers, dates, lists, flags and header spellings."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from handlers.imports import FileProblem, RowProblem, cells
from handlers.imports.columns import Column, bind, normalise_header
from models import AuditEvent
from tests.support.imports import (
    run,
    write_csv,
)

# ---- cells and headers ------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    (98000, Decimal(98000)), (98000.0, Decimal(98000)), (Decimal("1.5"), Decimal("1.5")), ("98,000", Decimal(98000)),
    ("¥98,000", Decimal(98000)), ("￥1,200", Decimal(1200)), ("50万", Decimal(500000)), ("1.5万", Decimal(15000)),
    ("98000元", Decimal(98000)), ("0.8亿", Decimal(80000000)), (" 12 ", Decimal(12)), ("", None), (None, None),
    (0.1, Decimal("0.1")),
])
def test_numbers_as_cells_deliver_them(raw, expected):
    assert cells.number(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "1.2.3", "万", True, float("nan"), "12万元万"])
def test_not_numbers(raw):
    with pytest.raises(RowProblem, match="not a number"):
        cells.number(raw)


@pytest.mark.parametrize("raw, expected", [
    (datetime(2026, 12, 5, 0, 0), date(2026, 12, 5)), (date(2026, 12, 5), date(2026, 12, 5)),
    ("2026-12-05", date(2026, 12, 5)), ("2026/12/5", date(2026, 12, 5)), ("2026.12.5", date(2026, 12, 5)),
    ("2026年12月5日", date(2026, 12, 5)), ("20261205", date(2026, 12, 5)), ("2026-12-05T09:00:00", date(2026, 12, 5)),
    (46361, date(2026, 12, 5)), ("", None),
])
def test_dates(raw, expected):
    assert cells.day(raw) == expected


@pytest.mark.parametrize("raw, why", [("2026-02-30", "no such date"), ("12月5日", "not a date"),
                                      ("soon", "not a date"), ("0001-01-01", "must lie in 1900–2100"),
                                      ("9999-12-31", "must lie in 1900–2100"),
                                      (date(9999, 12, 31), "must lie in 1900–2100")])
def test_bad_dates(raw, why):
    with pytest.raises(RowProblem, match=why):
        cells.day(raw)


@pytest.mark.parametrize("raw", ["北京|河北", "北京、河北", "北京,河北", "北京，河北", "北京;河北", "北京；河北",
                                 " 北京 | 河北 | 北京 ", "北京||河北"])
def test_list_separators(raw):
    assert cells.items(raw) == ["北京", "河北"]


@pytest.mark.parametrize("raw, expected", [("是", True), ("否", False), ("yes", True), ("NO", False), ("1", True),
                                           (0, False), ("true", True), ("False", False), (True, True), ("", None)])
def test_flags(raw, expected):
    assert cells.flag(raw) is expected


@pytest.mark.parametrize("header", ["credit_limit", "Credit_Limit", " credit limit ", "信用额度", "信用额度（元）",
                                    "信用额度(元)*", "信用额度*", "＊信用额度", "授信额度", "Credit-Limit (yuan)"])
def test_header_variants_match_the_column(header):
    cols = (Column("credit_limit", "信用额度", aliases=("授信额度",)),)
    assert bind([header], cols).positions == {"credit_limit": 0}
    assert normalise_header(header) in cols[0].names()


def test_missing_required_columns_are_one_error_naming_all_of_them(empty_db, tmp_path):
    path = write_csv(tmp_path / "p.csv", [["经销商编码", "地址"], ["P1", "x"]])
    with pytest.raises(FileProblem) as exc:
        run(empty_db, "products", path)
    for what in ("产品编码", "产品名称", "产品线", "目录价", "sku", "name", "line", "list_price"):
        assert what in str(exc.value)
    assert empty_db.count(AuditEvent) == 0
