"""Master-data imports (handlers/imports, bot/cli_imports): every kind from XLSX
and CSV, bad rows with their spreadsheet row numbers, idempotent re-runs,
dry runs, the command line, the templates, and the PostgreSQL path."""
from __future__ import annotations

import csv
import json
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from bot.app import prepare_database
from bot.cli import main as cli_main
from bot.cli_imports import KIND_NAMES
from bot.db import make_engine, make_session_factory
from bot.seed import seed_demo
from handlers.imports import KINDS, FileProblem, RowProblem, kind_named, open_table, run_import
from handlers.imports import cells
from handlers.imports.columns import Column, bind, normalise_header
from handlers.imports.templates import TEMPLATE_DIR, write_csv_templates, write_template
from models import (AuditEvent, Customer, Partner, PriceListEntry, Product, StockLevel, User,
                    VisitPlan)

ROOT = Path(__file__).resolve().parent.parent


# ---- a database, with or without the demo organisation --------------------------

@dataclass
class Db:
    engine: object
    factory: object
    clock: object

    def count(self, model, *where) -> int:
        with self.factory() as s:
            return s.execute(select(func.count()).select_from(model).where(*where)).scalar()

    def one(self, stmt):
        with self.factory() as s:
            return s.execute(stmt).scalar_one()

    def all(self, stmt):
        with self.factory() as s:
            return s.execute(stmt).scalars().all()


def make_db(url, clock, settings, demo: bool) -> Db:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    prepare_database(engine, factory, clock, settings)
    if demo:
        with factory() as s, s.begin():
            seed_demo(s, clock)
    return Db(engine, factory, clock)


@pytest.fixture
def empty_db(db_url, clock, base_settings):
    db = make_db(db_url, clock, base_settings, demo=False)
    yield db
    db.engine.dispose()


@pytest.fixture
def demo_db(db_url, clock, base_settings):
    db = make_db(db_url, clock, base_settings, demo=True)
    yield db
    db.engine.dispose()


# ---- files ----------------------------------------------------------------------

def write_csv(path: Path, rows: list[list], encoding: str = "utf-8-sig") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list], sheet: str = "数据", before: tuple[str, ...] = (),
               merged: tuple[str, ...] = ()) -> Path:
    wb = Workbook()
    wb.active.title = before[0] if before else sheet
    for name in before[1:]:
        wb.create_sheet(name)
    ws = wb.create_sheet(sheet) if before else wb.active
    for row in rows:
        ws.append(row)
    for cells_range in merged:
        ws.merge_cells(cells_range)
    wb.save(path)
    return path


def run(db: Db, kind: str, path: Path, sheet: str | None = None, **kw):
    return run_import(db.factory, kind_named(kind), open_table(path, sheet), clock=db.clock, **kw)


def rows_of(report) -> list[int]:
    return [n for n, _ in report.errors]


def reason(report, row: int) -> str:
    return next(r for n, r in report.errors if n == row)


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


@pytest.mark.parametrize("raw, why", [("2026-02-30", "no such date"), ("12月5日", "not a date"), ("soon", "not a date")])
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


# ---- products -----------------------------------------------------------------------

PRODUCTS = [
    ["产品编码*", "产品名称*", "产品线*", "目录价（元）*", "最小起订量", "包装数量", "标准成本（元）", "别名", "在售"],
    ["a100", "彩超", "超声", "9.8万", 1, 1, 52000, "彩超机|B超", "是"],
    ["123", "坏编码", "超声", 100, "", "", "", "", ""],
    ["B200", "监护仪", "监护", 0, "", "", "", "", ""],
    ["B201", "监护仪二", "监护", 100, 0, "", "", "", ""],
    ["B202", "监护仪三", "监护", 100, 1, 0, "", "", ""],
    ["B203", "监护仪四", "监护", 100, "", "", "", "", "也许"],
    ["B204", "监护仪五", "监护", "¥1,200", 5, 5, "", "病人监护仪、多参数监护仪", ""],
    ["C300", "呼吸机", "呼吸", 45000, 2, 2, -5, "", ""],
    ["D400", "", "呼吸", 100, "", "", "", "", ""],
    ["CT-2000", "CT机", "影像", 2000000, "", "", "", "", "否"],
    ["E500", "麻醉机", "麻醉", "很多", "", "", "", "", ""],
]


def test_products_good_and_bad_rows(empty_db, tmp_path):
    report = run(empty_db, "products", write_csv(tmp_path / "products.csv", PRODUCTS))
    assert rows_of(report) == [3, 4, 5, 6, 7, 9, 10, 12]
    for row, why in [(3, "bad SKU"), (4, "list_price must be > 0"), (5, "moq must be ≥ 1"),
                     (6, "pack_size must be ≥ 1"), (7, "expected yes/no"), (9, "cost must be ≥ 0"),
                     (10, "name is empty"), (12, "list_price: not a number")]:
        assert why in reason(report, row), (row, reason(report, row))
    assert reason(report, 12).startswith("目录价 不是数字")           # Chinese first, the column named
    assert (report.imported, report.updated, report.unchanged) == (3, 0, 0)
    a100 = empty_db.one(select(Product).where(Product.sku == "A100"))          # upper-cased
    assert (a100.list_price, a100.cost_yuan, a100.aliases, a100.active) == (98000, 52000, ["彩超机", "B超"], True)
    b204 = empty_db.one(select(Product).where(Product.sku == "B204"))
    assert (b204.list_price, b204.moq, b204.pack_size, b204.aliases) == (1200, 5, 5, ["病人监护仪", "多参数监护仪"])
    assert empty_db.one(select(Product.active).where(Product.sku == "CT-2000")) is False


# ---- partners ------------------------------------------------------------------------

PARTNER_HEADER = ["经销商编码", "经销商名称*", "价格等级", "授权区域", "授权产品线", "地址", "信用额度（元）"]
PARTNERS = [
    PARTNER_HEADER,
    ["P001", "华北医疗有限公司", "金牌", "北京|河北省", "超声|监护", "北京市海淀区", "50万"],
    ["P002", "津门医疗有限公司", "silver", "天津", "超声", "", ""],
    ["P003", "", "gold", "北京", "", "", ""],
    ["P004", "沪上医疗有限公司", "platinum", "上海", "", "", ""],
    ["P005", "冀中医疗有限公司", "standard", "石家庄", "", "", ""],
    ["P006", "火星医疗有限公司", "standard", "火星", "", "", ""],
    ["P007", "负额医疗有限公司", "standard", "北京", "", "", "-1"],
    ["P008", "新线医疗有限公司", "standard", "北京", "核磁", "", ""],
    ["P009", "数字医疗有限公司", "标准", "北京、广西", "", "", "abc"],
    ["P010", "北京华信医疗科技有限公司", "standard", "北京", "", "", ""],     # the demo's P-BJ-HX
]


def test_partners_good_and_bad_rows(demo_db, tmp_path):
    report = run(demo_db, "partners", write_csv(tmp_path / "partners.csv", PARTNERS))
    assert rows_of(report) == [4, 5, 6, 7, 8, 9, 10, 11]
    for row, why in [(4, "name is empty"), (5, "bad tier"), (6, "use 河北省"), (7, "unknown province-level region"),
                     (8, "credit_limit must be ≥ 0"), (9, "unknown product line"), (10, "not a number"),
                     (11, "P-BJ-HX")]:
        assert why in reason(report, row), (row, reason(report, row))
    assert "石家庄 不是省级地区，应填 河北省" in reason(report, 6)
    assert report.imported == 2
    p1 = demo_db.one(select(Partner).where(Partner.code == "P001"))
    assert (p1.tier, p1.regions, p1.product_lines, p1.credit_limit_yuan) == \
           ("gold", ["北京市", "河北省"], ["超声", "监护"], 500000)
    p2 = demo_db.one(select(Partner).where(Partner.code == "P002"))
    assert (p2.tier, p2.regions, p2.credit_limit_yuan, p2.address) == ("silver", ["天津市"], None, None)


def test_partners_before_any_product_accept_lines_with_a_note(empty_db, tmp_path):
    report = run(empty_db, "partners", write_csv(tmp_path / "p.csv", [PARTNER_HEADER, PARTNERS[8]]))
    assert report.errors == [] and report.imported == 1
    assert any("no products loaded yet" in n for n in report.notes)


def test_a_repeated_file_changes_nothing_and_an_edited_one_updates_one_row(empty_db, tmp_path):
    good = [PARTNER_HEADER] + [PARTNERS[i] for i in (1, 2, 8)]
    path = write_xlsx(tmp_path / "partners.xlsx", good)
    first = run(empty_db, "partners", path)
    assert (first.imported, first.updated, first.unchanged, first.errors) == (3, 0, 0, [])
    again = run(empty_db, "partners", path)
    assert (again.imported, again.updated, again.unchanged, again.errors) == (0, 0, 3, [])
    good[2] = [*good[2][:6], "80万"]                          # P002 gets a credit limit
    edited = run(empty_db, "partners", write_xlsx(tmp_path / "partners2.xlsx", good))
    assert (edited.imported, edited.updated, edited.unchanged) == (0, 1, 2)
    assert empty_db.one(select(Partner.credit_limit_yuan).where(Partner.code == "P002")) == 800000


def test_a_column_the_file_lacks_is_left_alone_and_an_empty_cell_sets_the_default(empty_db, tmp_path):
    run(empty_db, "partners", write_csv(tmp_path / "a.csv", [PARTNER_HEADER, PARTNERS[1]]))
    # Only code + name: tier, regions, credit limit stay as they were.
    report = run(empty_db, "partners", write_csv(tmp_path / "b.csv", [["code", "name"], ["P001", "华北医疗有限公司"]]))
    assert report.unchanged == 1
    # The credit column present but empty: the limit is removed.
    report = run(empty_db, "partners", write_csv(tmp_path / "c.csv", [["code", "name", "credit_limit"],
                                                                       ["P001", "华北医疗有限公司", ""]]))
    assert report.updated == 1
    p = empty_db.one(select(Partner).where(Partner.code == "P001"))
    assert (p.tier, p.regions, p.credit_limit_yuan) == ("gold", ["北京市", "河北省"], None)


@pytest.mark.parametrize("batch", [1000, 2])
def test_a_key_repeated_in_one_file_the_later_row_wins_and_the_earlier_is_a_warning(empty_db, tmp_path, batch):
    rows = [PARTNER_HEADER, ["P001", "华北医疗有限公司", "gold", "北京", "", "", "10万"],
            ["P002", "津门医疗有限公司", "silver", "天津", "", "", ""],
            ["P003", "沪上医疗有限公司", "silver", "上海", "", "", ""],
            ["P001", "华北医疗有限公司", "silver", "河北", "", "", "20万"]]
    path = write_csv(tmp_path / "dup.csv", rows)
    report = run(empty_db, "partners", path, batch=batch)
    assert report.errors == [] and [n for n, _ in report.warnings] == [2]
    assert "第 5 行" in report.warnings[0][1] and "later row wins" in report.warnings[0][1]
    assert (report.imported, report.updated, report.unchanged) == (3, 0, 0)
    p = empty_db.one(select(Partner).where(Partner.code == "P001"))
    assert (p.tier, p.regions, p.credit_limit_yuan) == ("silver", ["河北省"], 200000)
    again = run(empty_db, "partners", path, batch=batch)
    assert (again.imported, again.updated, again.unchanged, len(again.warnings)) == (0, 0, 3, 1)


# ---- users ---------------------------------------------------------------------------

USERS = [
    ["userid", "姓名", "角色", "所属经销商", "负责区域", "职务"],
    ["rep_new", "新外勤", "外勤", "", "北京|天津", "北方区外勤"],
    ["dealer_new", "新经销商", "经销商", "P-BJ-KJ", "", ""],
    ["李明", "李明", "dealer", "P-BJ-KJ", "", ""],
    ["mgr_x", "经理X", "boss", "", "", ""],
    ["dealer_y", "经销商Y", "dealer", "", "", ""],
    ["dealer_z", "经销商Z", "dealer", "不存在的公司", "", ""],
    ["mgr_new", "新经理", "区域经理", "", "河北", "华北区域经理"],
    ["dealer_bj_li", "李明", "dealer", "北京康健医疗器械有限公司", "", ""],      # the demo's, unchanged
]


def test_users_good_and_bad_rows(demo_db, tmp_path):
    report = run(demo_db, "users", write_csv(tmp_path / "users.csv", USERS))
    assert rows_of(report) == [4, 5, 6, 7]
    for row, why in [(4, "bad WeCom userid"), (5, "bad role"), (6, "a dealer needs a partner"),
                     (7, "no partner with this code or name")]:
        assert why in reason(report, row), (row, reason(report, row))
    assert (report.imported, report.updated, report.unchanged) == (3, 0, 1)
    kangjian = demo_db.one(select(Partner.id).where(Partner.code == "P-BJ-KJ"))
    users = {u.external_id: u for u in demo_db.all(select(User))}
    assert (users["rep_new"].role, users["rep_new"].regions, users["rep_new"].title) == \
           ("rep", ["北京市", "天津市"], "北方区外勤")
    assert (users["dealer_new"].role, users["dealer_new"].partner_id) == ("dealer", kangjian)
    assert (users["mgr_new"].role, users["mgr_new"].regions) == ("manager", ["河北省"])


# ---- prices and stock ------------------------------------------------------------------

PRICES = [
    ["sku", "price", "tier", "partner"],
    ["a100", "90000", "gold", ""],
    ["A100", "85000", "", "P-BJ-KJ"],
    ["Z999", "100", "gold", ""],
    ["B200", "0", "gold", ""],
    ["B200", "100", "gold", "P-BJ-KJ"],
    ["B200", "100", "", ""],
    ["B200", "1.1万", "银牌", ""],
    ["A100", "84000", "", "北京康健医疗器械有限公司"],        # the same partner as row 3, by name
]


def test_prices_by_tier_and_by_partner(demo_db, tmp_path):
    report = run(demo_db, "prices", write_csv(tmp_path / "prices.csv", PRICES))
    assert rows_of(report) == [4, 5, 6, 7]
    for row, why in [(4, "no such SKU"), (5, "price must be > 0"), (6, "not both"), (7, "fill tier or partner")]:
        assert why in reason(report, row), (row, reason(report, row))
    assert [n for n, _ in report.warnings] == [3]
    kangjian = demo_db.one(select(Partner.id).where(Partner.code == "P-BJ-KJ"))
    prices = {(e.scope, e.sku): e.price_yuan for e in demo_db.all(select(PriceListEntry))}
    assert prices == {("tier:gold", "A100"): 90000, (f"partner:{kangjian}", "A100"): 84000,
                      ("tier:silver", "B200"): 11000}
    assert run(demo_db, "prices", write_csv(tmp_path / "prices.csv", PRICES)).imported == 0


def test_prices_need_a_tier_or_a_partner_column(demo_db, tmp_path):
    with pytest.raises(FileProblem, match="tier or a partner"):
        run(demo_db, "prices", write_csv(tmp_path / "p.csv", [["sku", "price"], ["A100", "1"]]))


def test_stock(demo_db, tmp_path):
    rows = [["产品编码", "可发货数量"], ["A100", 20], ["B200", -1], ["C300", 1.5], ["Z999", 5], ["C300", "1,200"]]
    report = run(demo_db, "stock", write_xlsx(tmp_path / "stock.xlsx", rows))
    assert rows_of(report) == [3, 4, 5]
    assert "qty must be ≥ 0" in reason(report, 3) and "not a whole number" in reason(report, 4)
    assert "no such SKU" in reason(report, 5) and report.warnings == []
    assert report.imported == 2
    assert {s.sku: s.qty_available for s in demo_db.all(select(StockLevel))} == {"A100": 20, "C300": 1200}
    rows[1] = ["A100", 25]
    report = run(demo_db, "stock", write_xlsx(tmp_path / "stock.xlsx", rows[:2]))
    assert (report.updated, report.unchanged) == (1, 0)


def test_a_bad_row_never_supersedes_a_good_one(demo_db, tmp_path):
    rows = [["sku", "qty"], ["A100", 20], ["A100", 1.5]]
    report = run(demo_db, "stock", write_csv(tmp_path / "s.csv", rows))
    assert rows_of(report) == [3] and "not a whole number" in reason(report, 3) and report.warnings == []
    assert demo_db.one(select(StockLevel.qty_available).where(StockLevel.sku == "A100")) == 20


# ---- customers and plans -----------------------------------------------------------------

def test_customers_from_xlsx_with_geofences(demo_db, tmp_path):
    rows = [["客户名称*", "地址", "纬度", "经度", "坐标系", "签到半径（米）", "别名"],
            ["北京协和医院", "", 39.9126, 116.4176, "", 300, ""],
            ["某某县人民医院", "", 30, "", "", "", ""],
            ["某某市中心医院", "", 95, 100, "", "", ""],
            ["某某区医院", "", 30, 100, "mars", "", ""],
            ["某某专科医院", "", 30, 100, "百度", 5, ""],
            ["北京新建医院", "北京市海淀区", 39.95, 116.3, "wgs84", 200, "新建医院"]]
    report = run(demo_db, "customers", write_xlsx(tmp_path / "customers.xlsx", rows))
    assert rows_of(report) == [3, 4, 5, 6]
    for row, why in [(3, "lat and lng go together"), (4, "lat within ±90"), (5, "bad coord_system"),
                     (6, "radius_m must be 10–5000")]:
        assert why in reason(report, row), (row, reason(report, row))
    assert (report.imported, report.updated, report.aliases) == (1, 1, 1)
    pumch = demo_db.one(select(Customer).where(Customer.name == "北京协和医院"))
    assert (pumch.lat, pumch.coord_system, pumch.radius_m) == (39.9126, "gcj02", 300)
    new = demo_db.one(select(Customer).where(Customer.name == "北京新建医院"))
    assert (new.region, new.coord_system, new.radius_m, new.source) == ("北京市", "wgs84", 200, "import")
    again = run(demo_db, "customers", write_xlsx(tmp_path / "customers.xlsx", rows))
    assert (again.imported, again.updated, again.unchanged, again.aliases) == (0, 0, 2, 0)


def test_plans_resolve_customers_like_a_registration(demo_db, tmp_path):
    rows = [["企业微信账号", "计划日期", "客户名称"],
            ["rep_zhang", date(2026, 12, 1), "北京协和医院"],
            ["rep_zhang", "2026/12/2", "北京市协和医院"],
            ["rep_zhang", "2026-12-02", "北京协合医院"],
            ["nobody", "2026-12-01", "北京协和医院"],
            ["rep_zhang", "2026-13-01", "北京协和医院"],
            ["rep_zhang", "2026-12-03", "北京人民医院"]]
    report = run(demo_db, "plans", write_xlsx(tmp_path / "plans.xlsx", rows))
    assert rows_of(report) == [4, 5, 6, 7]
    assert reason(report, 4) == ("客户未找到/不唯一: 北京协合医院（最接近: 北京协和医院） "
                                 "(customer not found or not unique; closest: 北京协和医院)")
    assert "no user" in reason(report, 5) and "no such date" in reason(report, 6)
    assert "最接近: 无" in reason(report, 7)
    plans = demo_db.all(select(VisitPlan).order_by(VisitPlan.plan_date))
    assert [(p.plan_date, p.source, p.created_by) for p in plans] == \
           [(date(2026, 12, 1), "import", "import"), (date(2026, 12, 2), "import", "import")]
    again = run(demo_db, "plans", write_xlsx(tmp_path / "plans.xlsx", rows))
    assert (again.imported, again.unchanged) == (0, 2)


# ---- sheets laid out for reading: units, merged cells, totals, titles ---------------------

def test_a_unit_in_the_header_bracket_scales_the_column(empty_db, tmp_path):
    header = ["经销商编码", "经销商名称*", "信用额度（万元）"]
    report = run(empty_db, "partners", write_csv(tmp_path / "p.csv", [header, ["P001", "华北医疗有限公司", 300],
                                                                       ["P002", "津门医疗有限公司", "1.5"],
                                                                       ["P003", "沪上医疗有限公司", "50万"]]))
    assert rows_of(report) == [4] and "自带单位" in reason(report, 4) and "万元" in reason(report, 4)
    assert any("信用额度（万元）" in n and "10,000" in n for n in report.notes)
    limits = {p.code: p.credit_limit_yuan for p in empty_db.all(select(Partner))}
    assert limits == {"P001": 3_000_000, "P002": 15_000}


@pytest.mark.parametrize("header", ["信用额度（美元）", "信用额度(USD)", "信用额度（单位：港币）"])
def test_a_unit_that_cannot_be_converted_refuses_the_file(empty_db, tmp_path, header):
    path = write_csv(tmp_path / "p.csv", [["经销商名称", header], ["华北医疗有限公司", 300]])
    with pytest.raises(FileProblem, match="无法换算的单位"):
        run(empty_db, "partners", path)
    assert empty_db.count(Partner) == 0


def test_a_bracket_that_is_no_unit_is_left_alone(empty_db, tmp_path):
    radius = write_csv(tmp_path / "c.csv", [["客户名称", "纬度", "经度", "签到半径（公里）"],
                                            ["北京新建医院", 39.95, 116.3, 0.3]])
    assert run(empty_db, "customers", radius).imported == 1
    assert empty_db.one(select(Customer.radius_m)) == 300
    report = run(empty_db, "partners", write_csv(tmp_path / "p.csv", [["经销商名称", "信用额度（含税）"],
                                                                       ["华北医疗有限公司", 300]]))
    assert report.errors == [] and report.notes == []
    assert empty_db.one(select(Partner.credit_limit_yuan)) == 300


def test_a_region_merged_down_over_three_dealers_reaches_each(empty_db, tmp_path):
    rows = [PARTNER_HEADER,
            ["P001", "华北医疗有限公司", "gold", "河北", "", "", ""],
            ["P002", "冀东医疗有限公司", "gold", None, "", "", ""],
            ["P003", "冀南医疗有限公司", "gold", None, "", "", ""],
            ["P004", "津门医疗有限公司", "silver", "天津", "", "", ""]]
    report = run(empty_db, "partners", write_xlsx(tmp_path / "merged.xlsx", rows, merged=("D2:D4",)))
    assert report.errors == [] and report.imported == 4
    assert {p.code: p.regions for p in empty_db.all(select(Partner))} == {
        "P001": ["河北省"], "P002": ["河北省"], "P003": ["河北省"], "P004": ["天津市"]}
    assert any("合并单元格" in n and "第 2–4 行" in n and "regions" in n for n in report.notes)


@pytest.mark.parametrize("label", ["合计", "小计", "总计", "合 计", "Total", "合计："])
def test_a_totals_row_is_skipped_and_the_report_says_so(empty_db, tmp_path, label):
    rows = [PARTNER_HEADER, PARTNERS[1], PARTNERS[2], ["", label, "", "", "", "", "50万"]]
    report = run(empty_db, "partners", write_xlsx(tmp_path / "p.xlsx", rows))
    assert report.errors == [] and report.imported == 2 and report.rows == 2
    assert [(n, "合计行" in why) for n, why in report.warnings] == [(4, True)]
    assert sorted(empty_db.all(select(Partner.name))) == ["华北医疗有限公司", "津门医疗有限公司"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_title_row_above_the_header_is_found_past(empty_db, tmp_path, fmt):
    rows = [["2026年度经销商名单"], ["制表：渠道部", None, None, "2026-01-05"], [], PARTNER_HEADER, PARTNERS[1],
            PARTNERS[4]]
    path = (write_xlsx(tmp_path / "titled.xlsx", rows, merged=("A1:G1",)) if fmt == "xlsx"
            else write_csv(tmp_path / "titled.csv", rows))
    report = run(empty_db, "partners", path)
    assert rows_of(report) == [6] and report.imported == 1          # row numbers as the sheet shows them
    assert any("表头在第 4 行" in n for n in report.notes)
    assert empty_db.one(select(Partner.code)) == "P001"


def test_a_header_lacking_a_column_is_still_named_when_titles_stand_above_it(empty_db, tmp_path):
    rows = [["2026年度经销商名单"], ["经销商编码", "地址"], ["P001", "北京"]]
    with pytest.raises(FileProblem, match="缺少必填列: 经销商名称"):
        run(empty_db, "partners", write_csv(tmp_path / "p.csv", rows))


# ---- file formats ----------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["xlsx", "utf-8-sig", "utf-8", "gb18030"])
def test_the_same_rows_from_xlsx_and_csv_in_any_encoding(empty_db, tmp_path, fmt):
    rows = [PARTNER_HEADER, PARTNERS[1], [], PARTNERS[4]]          # an empty row 3, a bad row 4
    path = (write_xlsx(tmp_path / "p.xlsx", rows) if fmt == "xlsx"
            else write_csv(tmp_path / "p.csv", rows, encoding=fmt))
    report = run(empty_db, "partners", path)
    assert rows_of(report) == [4] and report.imported == 1 and report.rows == 2
    assert (report.sheet, report.encoding) == (("数据", None) if fmt == "xlsx" else (None, fmt))
    assert empty_db.one(select(Partner.name).where(Partner.code == "P001")) == "华北医疗有限公司"


def test_sheets_are_chosen_by_name(empty_db, tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", [PARTNER_HEADER, PARTNERS[1]], sheet="经销商", before=("封面",))
    with pytest.raises(FileProblem, match="工作表 封面 是空的.*--sheet.*经销商"):
        run(empty_db, "partners", path)                           # the first sheet is the cover
    assert run(empty_db, "partners", path, sheet="经销商").imported == 1
    with pytest.raises(FileProblem, match="没有工作表 价格.*封面、经销商"):
        open_table(path, "价格")


@pytest.mark.parametrize("name, content, why", [
    ("p.xls", b"\xd0\xcf\x11\xe0", "old .xls"), ("p.json", b"{}", "use .xlsx"),
    ("p.xlsx", b"not a zip", "not a readable workbook"), ("p.csv", b"", "no header row"),
    ("p.csv", "名称\n".encode("utf-16"), "neither UTF-8 nor GB18030"),
])
def test_files_that_cannot_be_read(empty_db, tmp_path, name, content, why):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FileProblem, match=why):
        run(empty_db, "partners", path)


def test_a_dry_run_reports_everything_and_writes_nothing(empty_db, tmp_path):
    path = write_csv(tmp_path / "p.csv", PARTNERS[:4])
    report = run(empty_db, "partners", path, dry_run=True, batch=1)
    assert (report.imported, rows_of(report), report.dry_run) == (2, [4], True)
    assert empty_db.count(Partner) == 0 and empty_db.count(AuditEvent) == 0
    assert run(empty_db, "partners", path).imported == 2


def test_one_audit_event_per_run(empty_db, tmp_path):
    run(empty_db, "partners", write_csv(tmp_path / "p.csv", PARTNERS[:4]), batch=1)
    [event] = empty_db.all(select(AuditEvent))
    assert (event.action, event.entity_type, event.actor, event.entity_id) == \
           ("import.partners", "import", "import", "p.csv")
    assert (event.after["imported"], event.after["bad_rows"], event.after["rows"]) == (2, 1, 3)


def test_five_thousand_partners_from_xlsx(empty_db, tmp_path):
    provinces = ["北京", "天津", "河北", "山西", "上海", "江苏", "浙江", "广东"]
    rows = [PARTNER_HEADER] + [[f"P{i:05d}", f"测试{i:05d}医疗器械有限公司", ("gold", "silver", "standard")[i % 3],
                                "|".join(provinces[i % 8:i % 8 + 2]), "超声", f"某市某路{i}号", (i % 50) * 10000]
                               for i in range(5000)]
    path = write_xlsx(tmp_path / "5000.xlsx", rows)
    seen = []
    report = run(empty_db, "partners", path, progress=lambda phase, n: seen.append((phase, n)))
    assert (report.rows, report.imported, report.errors) == (5000, 5000, [])
    assert ("read", 5000) in seen and ("write", 5000) in seen and len(seen) >= 10
    assert empty_db.count(Partner) == 5000
    assert empty_db.one(select(Partner.regions).where(Partner.code == "P00004")) == ["上海市", "江苏省"]
    again = run(empty_db, "partners", path)
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 5000)


# ---- command line ------------------------------------------------------------------------

@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/cli.sqlite3")

    def invoke(*args: str) -> tuple[int, dict | None, str]:
        code = cli_main(list(args))
        out, err = capsys.readouterr()
        lines = [line for line in out.splitlines() if line.startswith("{")]
        return code, (json.loads(lines[-1]) if lines else None), err
    return invoke


def test_cli_exit_codes_progress_and_summary(cli, tmp_path):
    good = write_csv(tmp_path / "good.csv", [PARTNER_HEADER, PARTNERS[1], PARTNERS[2], PARTNERS[8]])
    code, summary, err = cli("import", "partners", str(good), "--batch", "1")
    assert code == 0 and summary["imported"] == 3 and summary["encoding"] == "utf-8-sig"
    assert err.count("rows read") >= 3 and "rows saved" in err
    code, summary, err = cli("import", "partners", str(good))
    assert code == 0 and (summary["imported"], summary["unchanged"]) == (0, 3) and "nothing changed" in err
    bad = write_csv(tmp_path / "bad.csv", PARTNERS)
    code, summary, err = cli("import", "partners", str(bad), "--dry-run")
    assert code == 1 and summary["dry_run"] and summary["bad_rows"] == 6     # no products: lines unchecked
    assert "row 4: 经销商名称为空 (name is empty)" in err and "dry run: nothing was written" in err
    code, summary, err = cli("import", "partners", str(tmp_path / "missing.xlsx"))
    assert code == 2 and summary is None and "no such file" in err
    lacking = write_csv(tmp_path / "lacking.csv", [["code"], ["P1"]])
    code, summary, err = cli("import", "partners", str(lacking))
    assert code == 2 and "missing required columns: name" in err


def test_cli_lists_at_most_200_bad_rows(cli, tmp_path):
    path = write_csv(tmp_path / "bad.csv", [["sku", "qty"]] + [[f"A{i:03d}", -1] for i in range(100, 350)])
    code, summary, err = cli("import", "stock", str(path))
    assert code == 1 and summary["bad_rows"] == 250
    assert err.count("\nrow ") == 200 and "… and 50 more bad rows" in err


def test_cli_template_round_trip(cli, tmp_path):
    cli("seed-demo")                            # the examples come from the demo organisation
    for kind in KIND_NAMES:                     # in load order: later kinds refer to earlier ones
        path = tmp_path / f"{kind}.xlsx"
        assert cli("import-template", kind, "-o", str(path))[0] == 0
        code, summary, err = cli("import", kind, str(path))
        assert code == 0 and summary["bad_rows"] == 0, (kind, err)
    wb = load_workbook(tmp_path / "partners.xlsx")
    assert wb.sheetnames == ["经销商", "说明"]
    header = [c.value for c in wb["经销商"][1]]
    assert header[:2] == ["经销商编码", "经销商名称*"] and "信用额度（元）" in header
    assert any("credit line" in (c.value or "") for c in wb["说明"]["E"])


def test_import_customers_is_an_alias_and_a_subprocess_run_works(tmp_path):
    path = write_csv(tmp_path / "c.csv", [["name", "address"], ["北京协和医院", "北京市东城区"], ["", ""], [" ", "x"]])
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{tmp_path}/sub.sqlite3"}
    res = subprocess.run([sys.executable, "-m", "bot", "import-customers", str(path)], capture_output=True,
                         text=True, cwd=ROOT, env=env, timeout=120)
    assert res.returncode == 1 and "row 4: 客户名称为空" in res.stderr
    summary = json.loads(res.stdout.strip().splitlines()[-1])
    assert (summary["kind"], summary["imported"], summary["bad_rows"]) == ("customers", 1, 1)


# ---- templates ----------------------------------------------------------------------------

def test_committed_csv_templates_are_up_to_date(tmp_path):
    for path in write_csv_templates(tmp_path):
        committed = TEMPLATE_DIR / path.name
        assert committed.exists() and committed.read_bytes() == path.read_bytes(), \
            f"{committed} is stale: run `python -m bot import-template all`"


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_csv_templates_import_without_errors(demo_db, tmp_path, kind):
    report = run(demo_db, kind, write_template(kind_named(kind), tmp_path / f"{kind}.csv"))
    assert report.errors == [] and report.rows == 1 and report.notes == []


def test_the_command_line_knows_every_kind():
    assert KIND_NAMES == tuple(KINDS)


# ---- PostgreSQL ----------------------------------------------------------------------------

PG_ADMIN = os.environ.get("QUDAO_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def pg_url():
    import psycopg
    name = f"qudao_test_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    yield f"{base}/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_partners_users_and_prices_on_postgres(pg_url, clock, base_settings, tmp_path):
    db = make_db(pg_url, clock, base_settings, demo=True)
    try:
        assert db.engine.dialect.name == "postgresql"
        partners = write_xlsx(tmp_path / "partners.xlsx", PARTNERS)
        report = run(db, "partners", partners, batch=3)
        assert rows_of(report) == [4, 5, 6, 7, 8, 9, 10, 11] and report.imported == 2
        users = run(db, "users", write_csv(tmp_path / "users.csv", USERS, encoding="gb18030"))
        assert users.encoding == "gb18030" and rows_of(users) == [4, 5, 6, 7] and users.imported == 3
        prices = run(db, "prices", write_csv(tmp_path / "prices.csv", PRICES))
        assert rows_of(prices) == [4, 5, 6, 7] and prices.imported == 3
        again = [run(db, kind, path) for kind, path in (("partners", partners), ("users", tmp_path / "users.csv"),
                                                        ("prices", tmp_path / "prices.csv"))]
        assert [(r.imported, r.updated) for r in again] == [(0, 0)] * 3
        assert [r.unchanged for r in again] == [2, 4, 3]
        PARTNERS_EDITED = [row[:] for row in PARTNERS]
        PARTNERS_EDITED[1][6] = "60万"
        edited = run(db, "partners", write_xlsx(tmp_path / "partners2.xlsx", PARTNERS_EDITED))
        assert (edited.updated, edited.unchanged) == (1, 1)
        assert db.one(select(Partner.credit_limit_yuan).where(Partner.code == "P001")) == 600000
        assert db.count(AuditEvent, AuditEvent.action.like("import.%")) == 7
    finally:
        db.engine.dispose()
