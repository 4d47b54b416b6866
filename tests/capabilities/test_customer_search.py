"""Customer lookup through the shared index: hard cases, no full scan, credit codes."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import event

from handlers.customers.search import lookup
from handlers.imports.customer_entry import import_customers

KNOWN = [
    "上海市第一人民医院", "北京协和医院", "武汉协和医院", "北京协和医学院", "苏州市立医院", "南京鼓楼医院",
    "中山大学附属第一医院", "联想（北京）有限公司", "招商银行北京分行", "青岛海尔股份有限公司",
    "Lenovo (Beijing) Co., Ltd.", "深圳市人民医院", "广州市番禺区中心医院", "吉林大学白求恩第一医院",
    "海南省人民医院", "首都医科大学附属北京朝阳医院", "北京市朝阳区妇幼保健院", "渤海银行邢台分行",
    "山西凯天德网络科技有限公司焦作分公司", "青岛大学附属医院", "国药控股股份有限公司北京分公司",
    "首都医科大学附属北京天坛医院", "中国医学科学院阜外医院",
]


@pytest.fixture
def factory(app):
    q = app.extensions["qudao"]
    report = import_customers(q.factory, [{"name": n} for n in KNOWN])
    # three of them are demo customers already
    assert (report.imported, report.imported + report.skipped) == (len(KNOWN) - 3, len(KNOWN)) and not report.errors
    return q.factory


HARD_CASES = [
    # the same organisation written differently
    ("上海市第1人民医院", "duplicate", "上海市第一人民医院"),                  # digits vs ordinals
    ("上海第一人民医院", "duplicate", "上海市第一人民医院"),                   # city prefix form
    ("中山大学第一附属医院", "duplicate", "中山大学附属第一医院"),             # word order
    ("南京鼓樓醫院", "duplicate", "南京鼓楼医院"),                             # traditional characters
    ("联想(北京)有限公司", "duplicate", "联想（北京）有限公司"),               # full/half-width brackets
    ("LENOVO BEIJING CO LTD", "duplicate", "Lenovo (Beijing) Co., Ltd."),     # English legal forms
    ("青岛海尔", "duplicate", "青岛海尔股份有限公司"),                        # legal suffix
    ("番禺区中心医院", "duplicate", "广州市番禺区中心医院"),                   # district implies the city
    ("渤海银行（邢台分行）", "duplicate", "渤海银行邢台分行"),                 # a branch in brackets
    ("山西凯天德网络科技有限公司（焦作分公司）", "duplicate", "山西凯天德网络科技有限公司焦作分公司"),
    ("渤海银行（保定分行）", "distinct", None),                               # another branch
    ("北京协合医院", "possible", "北京协和医院"),                              # homophone typo
    ("协和医院", "possible", None),                                           # no city: can't be sure
    # different organisations that share words
    ("上海市第八人民医院", "distinct", None),                                  # ordinal
    ("北京协和医学院", "duplicate", "北京协和医学院"),                          # type word keeps it its own
    ("苏州市中医医院", "distinct", None),                                      # type word
    ("联想（上海）有限公司", "distinct", None),                                # bracketed region
    ("招商银行上海分行", "distinct", None),                                    # branch
    ("河南省人民医院", "distinct", None),                                      # another province
    ("吉林大学白求恩第二医院", "distinct", None),                              # ordinal
    ("北京市朝阳区中心医院", "distinct", None),
    # a shorter or longer name of a known customer is never "new" (no first-come bypass)
    ("北京协和", "possible", "北京协和医院"),                                # the core without its type word
    ("北京协和医院东院", "possible", "北京协和医院"),                        # a campus
    ("北京协和医院西院区", "possible", "北京协和医院"),
    ("北京天坛医院", "possible", "首都医科大学附属北京天坛医院"),            # without the parent institution
    ("阜外医院", "possible", "中国医学科学院阜外医院"),
    ("青大附院", "possible", "青岛大学附属医院"),                            # an unlisted short form
    ("国药控股北京分公司", "duplicate", "国药控股股份有限公司北京分公司"),    # a branch without a legal form
    ("国药控股上海分公司", "distinct", None),
    ("Peking Union Medical College Hospital", "duplicate", "北京协和医院"),  # its English name
    ("Beijing Xiehe Hospital", "duplicate", "北京协和医院"),                 # its pinyin
    ("北京Xiehe医院", "duplicate", "北京协和医院"),                          # mixed scripts
    ("北京 协和 医院", "duplicate", "北京协和医院"),                          # spaced out
    ("PUMCH", "duplicate", "北京协和医院"),                                  # its alias (demo data)
    ("Wuhan Xiehe Hospital", "duplicate", "武汉协和医院"),                   # the other 协和
    ("Beijing Xiehe", "possible", "北京协和医院"),                           # no type word
    ("Peking Union Hospital", "duplicate", "北京协和医院"),                   # its everyday English name
    ("Union Hospital, Beijing", "duplicate", "北京协和医院"),                 # English words, the place last
    ("Xiehe", "possible", None),                                            # the body alone, in pinyin
]


def _check(m, verdict, expected):
    assert m.verdict == verdict, (m.reason, m.matched.name if m.matched else None)
    if expected:
        assert m.matched.name == expected
    if verdict == "possible" and expected is None:
        assert m.matched.name in ("北京协和医院", "武汉协和医院")
    assert m.reason                                  # every verdict explains itself


@pytest.mark.parametrize("query, verdict, expected", HARD_CASES)
def test_hard_cases_through_the_index(factory, query, verdict, expected):
    with factory() as s:
        _check(lookup(s, query), verdict, expected)


def test_hard_cases_on_postgresql_in_few_round_trips(pg_app):
    """A known name is one read (key and alias check); any other name one more
    for every tier together, which brings the matched customer's row too."""
    q = pg_app.extensions["qudao"]
    import_customers(q.factory, [{"name": n} for n in KNOWN])
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)
    event.listen(q.engine, "before_cursor_execute", record)
    try:
        for query, verdict, expected in HARD_CASES:
            statements.clear()
            with q.factory() as s:
                m = lookup(s, query)
                _check(m, verdict, expected)
            known = m.reason.startswith("标准化后名称相同")
            # an admin's alias (PUMCH) is read in full: its table, then the key it names
            aliased = any(step.startswith("别名 ") for step in m.details)
            assert len(statements) == (3 if aliased else 1 if known else 2), (query, statements)
    finally:
        event.remove(q.engine, "before_cursor_execute", record)


def test_a_lookup_reads_indexed_rows_only(factory, app):
    """SQLite's own query plans: no statement of a lookup scans a customer,
    token or alias table; every read of them goes through an index."""
    seen: list[tuple[str, object]] = []
    engine = app.extensions["qudao"].engine

    def record(conn, cursor, statement, parameters, *args):
        seen.append((statement, parameters))
    event.listen(engine, "before_cursor_execute", record)
    try:
        with factory() as s:
            for q in ("北京协合医院", "某某新开的诊所", "协和医院", "上海市第1人民医院", "北京协和", "青大附院"):
                lookup(s, q)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    reads = [(st, p) for st, p in seen if st.lstrip().upper().startswith("SELECT")]
    assert any("customer_tokens" in st for st, _ in reads) and any("customers" in st for st, _ in reads)
    tables = ("customers", "customer_tokens", "customer_aliases")
    with engine.connect() as conn:
        for st, params in reads:
            plan = [row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + st, params)]
            used = [p for p in plan if any(t in p for t in tables) or p.startswith(("SCAN", "SEARCH"))]
            assert used, plan
            scans = [p for p in plan if p.startswith("SCAN") and "CONSTANT ROW" not in p]
            assert not [p for p in scans if not p.startswith(("SCAN one", "SCAN t"))], (st, plan)
            # a derived table (t: one tier's rows, one: the constant row) is scanned; its source is searched
            assert all("USING" in p for p in plan if p.startswith("SEARCH")), plan


def test_a_match_by_alias_names_the_alias(factory):
    import_customers(factory, [{"name": "吉林大学白求恩第一医院", "aliases": "吉大一院"}])
    with factory() as s:
        m = lookup(s, "吉大一院")
    assert (m.verdict, m.matched.name) == ("duplicate", "吉林大学白求恩第一医院")
    assert m.reason == "标准化后名称相同（“吉大一院”即吉林大学白求恩第一医院）"


def test_the_credit_code_is_the_strongest_key(app):
    q = app.extensions["qudao"]
    import_customers(q.factory, [{"name": "深圳迈瑞生物医疗电子股份有限公司", "credit_code": "91440300708491220X"}])
    with q.factory() as s:
        m = lookup(s, "迈瑞医疗（深圳）", credit_code="91440300708491220x")
    assert m.verdict == "duplicate" and m.matched.name == "深圳迈瑞生物医疗电子股份有限公司"
    assert "信用代码" in m.reason


DEV = Path(__file__).resolve().parents[3] / "shared" / "data" / "dedup_dev.tsv"


def test_shared_dedup_sample_through_the_index(app):
    if not DEV.exists():
        pytest.skip(f"{DEV} not present")
    pairs = [line.split("\t") for line in DEV.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    for a, b, label, _ in pairs:
        q = app.extensions["qudao"]
        with q.factory() as s, s.begin():
            from models import Customer, CustomerToken
            s.query(CustomerToken).delete()
            s.query(Customer).delete()
        import_customers(q.factory, [{"name": a}])
        with q.factory() as s:
            m = lookup(s, b)
        if label == "same":
            assert m.verdict in ("duplicate", "possible"), (a, b, m.reason)
        else:
            assert m.verdict == "distinct", (a, b, m.reason)


def test_a_registration_carrying_a_credit_code_finds_the_customer_by_it(app, driver, chat):
    from sqlalchemy import select

    from models import Registration
    from tests.support.reading import last_text
    q = app.extensions["qudao"]
    import_customers(q.factory, [{"name": "北京迈瑞医疗科技有限公司", "credit_code": "91110108MA01ABCD2X"}])
    driver.text("dealer_bj_li", "报备 北京迈瑞医疗科技有限公司 监护仪 30万")
    driver.text("dealer_bj_wang", "报备 迈瑞（北京） 91110108MA01ABCD2X 监护仪 20万")   # another spelling, same code
    assert "报备未通过" in last_text(chat, "dealer_bj_wang")
    with q.factory() as s:
        regs = s.execute(select(Registration).order_by(Registration.id)).scalars().all()
    assert regs[0].customer_id == regs[1].customer_id
    assert regs[1].match["reason"] == "统一社会信用代码相同"


@pytest.mark.parametrize("short, full, verdict", [
    ("北大第一医院", "北京大学第一医院", "duplicate"),
    ("中山大学附一院", "中山大学附属第一医院", "duplicate"),
    ("中山大学一附院", "中山大学附属第一医院", "duplicate"),
    ("北京市卫健委", "北京市卫生健康委员会", "duplicate"),
    ("中科院微生物所", "中国科学院微生物研究所", "duplicate"),
    ("中科院微生物所", "中国科学院物理研究所", "distinct"),
    ("北京市海淀区派出所", "北京市海淀区研究所", "distinct"),       # 所 is a real type outside the academies
    ("浙大一附院", "浙江大学医学院附属第一医院", "possible"),       # the 医学院 level is missing
])
def test_common_abbreviations_expand(short, full, verdict):
    from domain.matching import compare
    res = compare(short, full)
    assert res.verdict == verdict, res.reason
    if verdict == "duplicate":
        assert "缩写" in res.reason or any("缩写" in d for d in res.details)


@pytest.mark.parametrize("shorter", ["北京协和", "北京协和医院东院"])
def test_a_shorter_name_of_a_held_customer_goes_to_a_manager(app, driver, chat, shorter):
    """No first-come bypass: while one dealer holds 北京协和医院, another
    dealer's 北京协和 / its campus is not a new customer accepted at once."""
    from tests.support.reading import last_text
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    assert "报备成功" in last_text(chat, "dealer_bj_li")
    driver.text("dealer_bj_wang", f"报备 {shorter} 彩超 80万")
    reply = last_text(chat, "dealer_bj_wang")
    assert "报备成功" not in reply
    assert "北京协和医院" in reply, reply
