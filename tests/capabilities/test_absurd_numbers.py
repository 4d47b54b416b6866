"""Every chat command that reads a number, given numbers no one means: forty or
four hundred digits, a float's overflow, zero, negatives, a fen's hundred-thousandth,
full-width digits. Each message must be answered and none may fail (a failed
command is rolled back, retried and at last answered "busy": never the answer).

The commands reach real rows: a protected registration, a confirmed order, a lead
and a split line exist first, so amounts, quantities and dates get as far as the
command's arithmetic and its INSERT (a Numeric(16, 2) column holds 14 digits)."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from models import Delegation, InboxMessage, InboxStatus, Lead, Order, OutboxMessage, Registration, RegistrationStatus

pytestmark = pytest.mark.fault

NUMBERS = ["9" * 40, "9" * 400, "1e400", "0", "-5", "0.0000001", "９９９９９９９９９９９９９９９９９９",
           "99999999999999999999", "123456789012.345"]

# (who, what they type): {n} is the number; {rg} (won by an order, with split lines),
# {open} (protected), {so} and {ld} are real numbers of this run.
TEMPLATES = [
    ("dealer_bj_li", "报备 北京大学第一医院 彩超 {n}万"),
    ("dealer_bj_li", "报备 北京大学第三医院 彩超{n}台 80万"),
    ("dealer_bj_li", "报备 北京朝阳医院 彩超 金额 {n} 元 {n}月{n}日签"),
    ("dealer_bj_li", "修改 {open} 金额 {n}万"),
    ("dealer_bj_li", "修改 {open} {n}月{n}日"),
    ("dealer_bj_li", "成交 {open} 金额 {n}"),
    ("dealer_bj_li", "跟进 {open} 方案报价 预算{n}万"),
    ("dealer_bj_li", "延期 {open} 客户{n}月{n}日招标"),
    ("dealer_bj_li", "订货 A100*{n}"),
    ("dealer_bj_li", "订货 A100 x {n} 收货地址：北京市东城区{n}号"),
    ("dealer_bj_li", "修改订单 {so} A100*{n}"),
    ("dealer_bj_li", "特价申请 A100 单价 {n} 客户 北京协和医院 理由：竞品压价"),
    ("dealer_bj_li", "申请特价 A100 {n}折 客户 北京协和医院 原因 竞品"),
    ("dealer_bj_li", "计划 {n}月{n}日 拜访 北京协和医院"),
    ("dealer_bj_li", "{open} 报价了 {n}"),
    ("rep_zhang", "线索 北京天坛医院 彩超 {n}万 联系人 张主任 13800000000 来源 展会"),
    ("rep_zhang", "签到 北京协和医院 {n}"),
    ("mgr_north", "分润调整 {rg} 报备方 {n} 理由 客户追加折让"),
    ("mgr_north", "分润调整 {rg} 报备方 {n}万 理由 客户追加折让"),
    ("mgr_north", "委托 张伟 {n}月{n}日至{n}月{n}日"),
    ("mgr_north", "分配线索 {ld} 北京康健 {n}"),
    ("director", "同意 {rg} {n}"),
]


def _setup(app, driver, chat):
    """A registration won by a confirmed order (so it has split lines), a protected one, and a lead."""
    q = app.extensions["qudao"]
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    with q.factory() as s:
        rg = s.execute(select(Registration.number).order_by(Registration.id.desc())).scalar()
    driver.text("dealer_bj_li", f"订货 A100*2 报备号 {rg}")
    with q.factory() as s:
        so = s.execute(select(Order.number).order_by(Order.id.desc())).scalar()
    driver.text("dealer_bj_li", f"确认订单 {so}")
    driver.text("dealer_bj_li", "报备 北京同仁医院 彩超 80万")
    with q.factory() as s:
        protected = s.execute(select(Registration.number).order_by(Registration.id.desc())).scalar()
    driver.text("rep_zhang", "线索 北京积水潭医院 彩超 50万 联系人 王主任 13900000000 来源 展会")
    with q.factory() as s:
        ld = s.execute(select(Lead.number).order_by(Lead.id.desc())).scalar()
    assert rg and so and ld and protected != rg
    return {"rg": rg, "so": so, "ld": ld, "open": protected}


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_every_number_reading_command_answers_absurd_numbers_and_none_fails(request, chat, database):
    # PostgreSQL enforces a Numeric column's precision, which SQLite does not.
    app, driver = ((request.getfixturevalue("app"), request.getfixturevalue("driver")) if database == "sqlite"
                   else (request.getfixturevalue("pg_app"), request.getfixturevalue("pg_driver")))
    known = _setup(app, driver, chat)
    q = app.extensions["qudao"]
    unanswered, failed = [], []
    for user, template in TEMPLATES:
        for n in NUMBERS:
            text = template.format(n=n, **known)
            inbox_id = driver.text(user, text)
            with q.factory() as s:
                row = s.get(InboxMessage, inbox_id)
                if row.status != InboxStatus.DONE or row.error is not None:
                    failed.append(f"{user}: {text[:80]} → {row.status} {(row.error or '')[:120]}")
                # The answer is written to the outbox keyed by the message (the platform's
                # 30 a minute to a member paces its delivery; this test sends hundreds).
                replies = s.execute(select(OutboxMessage.recipient)
                                    .where(OutboxMessage.idem_key.like(f"in:{inbox_id}:%"))).scalars().all()
            if user not in replies:
                unanswered.append(f"{user}: {text[:80]}")
    assert failed == []
    assert unanswered == []
    with q.factory() as s:          # and none of it changed what it named
        still = s.execute(select(Registration).where(Registration.number == known["open"])).scalar_one()
        assert (still.status, still.amount_yuan, still.close_date) == (RegistrationStatus.APPROVED,
                                                                        Decimal("800000.00"), None)
        assert s.execute(select(Delegation)).first() is None
