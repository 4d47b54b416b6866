"""Every import kind with good and bad rows, idempotent re-runs, and the
PostgreSQL path."""
from __future__ import annotations

import os
import secrets
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from handlers.imports import FileProblem
from models import AuditEvent, Customer, Partner, PriceListEntry, Product, StockLevel, User, VisitPlan
from tests.support.imports import (
    PARTNER_HEADER,
    PARTNERS,
    make_db,
    reason,
    rows_of,
    run,
    write_csv,
    write_xlsx,
)

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
    for row, why in [(4, "bad userid"), (5, "bad role"), (6, "a dealer needs a partner"),
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


@pytest.fixture
def pg_db(pg_url, clock, base_settings):
    """The demo data on a database of its own, on PostgreSQL."""
    db = make_db(pg_url, clock, base_settings, demo=True)
    try:
        yield db
    finally:
        db.engine.dispose()


@pytest.mark.postgres
def test_partners_users_and_prices_on_postgres(pg_db, tmp_path):
    db = pg_db
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


@pytest.mark.postgres
def test_numbers_beyond_what_the_columns_hold_are_row_problems_on_postgres(pg_db, tmp_path):
    # It was: a 30-digit credit line stopped the whole import at the rounding
    # (InvalidOperation), a 20-digit one at PostgreSQL's INSERT, after earlier batches.
    db = pg_db
    partners = [PARTNER_HEADER, ["P101", "甲医疗有限公司", "gold", "北京", "", "", "9" * 30],
                ["P102", "乙医疗有限公司", "gold", "北京", "", "", "9" * 20],
                ["P103", "丙医疗有限公司", "gold", "北京", "", "", 1e300],
                ["P104", "丁医疗有限公司", "gold", "北京", "", "", "999999999999.99"]]
    report = run(db, "partners", write_xlsx(tmp_path / "partners.xlsx", partners), batch=1)
    assert rows_of(report) == [2, 3, 4] and all("金额过大" in reason(report, n) for n in (2, 3, 4))
    assert "below 1,000,000,000,000" in reason(report, 2) and report.imported == 1
    assert db.one(select(Partner.credit_limit_yuan).where(Partner.code == "P104")) == Decimal("999999999999.99")
    products = [["产品编码", "产品名称", "产品线", "目录价", "最小起订量"],
                ["F100", "超声一", "超声", "999999999999.995", 1], ["F101", "超声二", "超声", 100, 2 ** 31],
                ["F102", "超声三", "超声", "1,200", 2]]
    report = run(db, "products", write_csv(tmp_path / "products.csv", products))
    assert rows_of(report) == [2, 3] and "金额过大" in reason(report, 2) and "数字过大" in reason(report, 3)
    assert report.imported == 1
    stock = run(db, "stock", write_csv(tmp_path / "stock.csv", [["sku", "qty"], ["A100", "9" * 12]]))
    assert "at most 2,147,483,647" in reason(stock, 2) and stock.imported == 0


@pytest.mark.postgres
def test_a_nul_or_an_overlong_lead_id_is_a_row_problem_on_postgres(pg_db, tmp_path):
    # It was: PostgreSQL refused the NUL (or the 65-character id) at the write, the
    # import stopped with a traceback, and the batches before it stayed written.
    db = pg_db
    products = [["产品编码", "产品名称", "产品线", "目录价"], ["B201", "新品一", "超声", 1000],
                ["B202", "坏\x00名", "超声", 1000], ["B203", "新品三", "超声\x00", 1000],
                ["B204", "新品四", "超声", 1000]]
    report = run(db, "products", write_csv(tmp_path / "products.csv", products), batch=1)
    assert rows_of(report) == [3, 4] and "NUL" in reason(report, 3) and "产品名称" in reason(report, 3)
    assert report.imported == 2
    customers = [["客户名称", "地址"], ["北京测试一医院", "北京市\x00海淀区"], ["北京测试二医院", "北京市海淀区"]]
    report = run(db, "customers", write_csv(tmp_path / "customers.csv", customers), batch=1)
    assert rows_of(report) == [2] and report.imported == 1
    leads = [["线索编号", "客户名称", "产品线", "预计金额"], ["L" * 65, "北京协和医院", "超声", "500000"],
             ["L-OK-1", "北京协和医院", "超声", "500000"]]
    report = run(db, "leads", write_csv(tmp_path / "leads.csv", leads), batch=1)
    assert rows_of(report) == [2] and "线索编号太长" in reason(report, 2) and report.imported == 1
    long_choice = run(db, "partners", write_csv(tmp_path / "p.csv", [PARTNER_HEADER,
                                                                    ["P9", "某公司", "金" * 100_000, "北京"]]))
    assert len(reason(long_choice, 2)) < 300                        # the cell quoted by its start
