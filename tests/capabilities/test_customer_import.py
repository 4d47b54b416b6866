"""Customer import (good, bad and repeated files) and aliases (import and chat)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from handlers.customers.search import lookup
from handlers.imports.customer_entry import import_customers, read_csv
from models import AuditEvent, Customer, CustomerAlias, CustomerToken, Registration
from tests.support.apps import build_app
from tests.support.chat_driver import PLATFORM, recording_platforms
from tests.support.reading import last_text

ROOT = Path(__file__).resolve().parents[2]
CSV = """name,address,credit_code,aliases
北京协和医院,北京市东城区帅府园1号,,协和医院北京|北京协和
,北京市,,
深圳迈瑞生物医疗电子股份有限公司,广东省深圳市南山区,91440300708491220X,迈瑞
某医院,,NOT-A-CODE,
北京市协和医院,,,
吉林大学白求恩第一医院,吉林省长春市朝阳区新民大街71号,,吉大一院
"""


def write(tmp_path, text=CSV) -> Path:
    p = tmp_path / "customers.csv"
    p.write_text(text, encoding="utf-8-sig")     # with a BOM, as Excel saves it
    return p


def count(q, model):
    with q.factory() as s:
        return s.execute(select(func.count()).select_from(model)).scalar()


def test_import_reports_bad_rows_and_is_idempotent(app, tmp_path):
    q = app.extensions["qudao"]
    before = count(q, Customer)
    report = import_customers(q.factory, read_csv(write(tmp_path)))
    assert report.errors == [(3, "客户名称为空 (name is empty)"),
                             (5, "统一社会信用代码格式不对: NOT-A-CODE (bad credit code)")]
    # 北京协和医院 is a demo customer already, and 北京市协和医院 (row 6) is the same
    # one: row 2 is merged into row 6 (its aliases kept) and reported as a warning.
    assert (report.imported, report.unchanged, report.aliases) == (2, 1, 4)
    assert [row for row, _ in report.warnings] == [2] and "第 6 行" in report.warnings[0][1]
    assert count(q, Customer) == before + 2
    again = import_customers(q.factory, read_csv(write(tmp_path)))
    assert (again.imported, again.updated, again.unchanged, again.aliases) == (0, 0, 3, 0)
    assert count(q, Customer) == before + 2
    with q.factory() as s:
        m = lookup(s, "迈瑞")
        assert m.verdict == "duplicate" and m.matched.credit_code == "91440300708491220X"
        assert lookup(s, "吉大一院").matched.name == "吉林大学白求恩第一医院"
        tokens = s.execute(select(func.count()).select_from(CustomerToken)
                           .where(CustomerToken.customer_id == m.matched.id)).scalar()
        assert tokens >= 2


def test_import_command_shows_progress_and_bad_rows(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{tmp_path}/imp.sqlite3"}
    res = subprocess.run([sys.executable, "-m", "bot", "import-customers", str(write(tmp_path)), "--batch", "2"],
                         capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert res.returncode == 1                                     # there were bad rows
    assert "rows read" in res.stderr and "row 3:" in res.stderr and "row 5:" in res.stderr
    summary = json.loads(res.stdout.strip().splitlines()[-1])
    assert summary["imported"] == 3 and summary["bad_rows"] == 2


def test_alias_command_is_admin_only_and_works_at_once_for_every_worker(app, driver, chat, db_url, clock,
                                                                       base_settings):
    q = app.extensions["qudao"]
    import_customers(q.factory, [{"name": "吉林大学白求恩第一医院", "address": "吉林省长春市"}])
    other_worker = build_app(base_settings.with_(database_url=db_url, simulator=False, processing="inline",
                                                 default_platform=PLATFORM), clock, platforms=recording_platforms(chat))
    try:
        with other_worker.extensions["qudao"].factory() as s:
            assert lookup(s, "吉大一院").verdict != "duplicate"        # warms that worker's caches
        before = count(q, CustomerAlias)                                # the demo customers' own (PUMCH)
        driver.text("dealer_bj_li", "别名 吉大一院 = 吉林大学白求恩第一医院")
        assert "管理员" in last_text(chat, "dealer_bj_li")
        assert count(q, CustomerAlias) == before
        driver.text("admin", "别名 吉大一院 = 吉林大学白求恩第一医院")
        assert "已添加别名" in last_text(chat, "admin")
        with other_worker.extensions["qudao"].factory() as s:
            m = lookup(s, "吉大一院")
        assert m.verdict == "duplicate" and m.matched.name == "吉林大学白求恩第一医院"
        with q.factory() as s:
            assert s.execute(select(AuditEvent.action).where(AuditEvent.action == "alias.set")).scalar_one()
    finally:
        other_worker.extensions["qudao"].engine.dispose()


def test_a_registration_by_alias_finds_the_customer(app, driver, chat):
    driver.text("admin", "别名 协和 = 北京协和医院")
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    driver.text("dealer_hx_sun", "报备 协和 彩超 60万")
    assert "北京康健医疗器械有限公司" in last_text(chat, "dealer_hx_sun")
    with app.extensions["qudao"].factory() as s:
        assert [r.status for r in s.execute(select(Registration).order_by(Registration.id)).scalars()] == \
               ["approved", "rejected"]


@pytest.mark.parametrize("said", ["北京大学第一医院", "北京大學第一醫院", "北京 大学 第一医院",
                                  "peking university  FIRST hospital"])
def test_another_customer_s_own_name_is_never_made_an_alias(app, driver, chat, said):
    """It would send every registration of 北京大学第一医院 to 北京协和医院 (in any
    spelling the matcher takes for the same name)."""
    q = app.extensions["qudao"]
    before = count(q, CustomerAlias)
    driver.text("admin", f"别名 {said} = 北京协和医院")
    assert "是另一个客户的名称" in last_text(chat, "admin")
    assert count(q, CustomerAlias) == before
    with app.extensions["qudao"].factory() as s:
        assert lookup(s, "北京大学第一医院").matched.name == "北京大学第一医院"
    from chat.operations import Refused
    from handlers.customers.records import edit_names
    with app.extensions["qudao"].factory() as s:
        xiehe = s.execute(select(Customer.id).where(Customer.name == "北京协和医院")).scalar_one()
    with pytest.raises(Refused, match="北京大学第一医院 → 北京大学第一医院"):
        edit_names(q.services, "admin", xiehe, None, ["协和", "北京大学第一医院"])
    assert count(q, CustomerAlias) == before


@pytest.mark.postgres
def test_a_bulk_import_on_postgres_leaves_the_index_vacuumed_and_analysed(pg_app, tmp_path):
    """Index-only reads of the token index need the visibility map, and the planner
    statistics: the import provides both at once rather than leave them to
    autovacuum, which would compete with the first lookups."""
    from sqlalchemy import text

    from handlers.imports.customers import STATS_AFTER_ROWS
    q = pg_app.extensions["qudao"]
    report = import_customers(q.factory, [{"name": f"测试市第{i}号贸易有限公司"} for i in range(STATS_AFTER_ROWS)])
    assert report.imported == STATS_AFTER_ROWS
    with q.factory() as s:
        rows = dict(s.execute(text("SELECT relname, last_vacuum IS NOT NULL AND last_analyze IS NOT NULL "
                                   "FROM pg_stat_user_tables WHERE relname IN "
                                   "('customers', 'customer_tokens', 'customer_aliases')")).all())
    assert rows == {"customers": True, "customer_tokens": True, "customer_aliases": True}
