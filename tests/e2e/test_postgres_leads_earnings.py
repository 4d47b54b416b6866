"""Leads, splits and rebates on the real PostgreSQL and Redis, over the WeCom
wire (row locks, JSON columns, Decimal money and the give-up reason waiting in
Redis as production has them): a lead typed by a manager, given up on its card,
handed on, accepted as a registration, won by an order, split; 我的返利 moves;
another lead times out on the sweep; the statement and the audit chain."""
from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from chat.scheduling import build_scheduler
from domain.rules.store import RuleStore
from handlers.earnings.statements import statements, workbook
from models import Lead, LeadOffer, Order, Registration, SplitEntry
from tests.support.audit import sealed_and_intact
from tests.support.reading import cards_to, texts_to

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def q(app):
    return app.extensions["qudao"]


def last(wecom, user: str) -> str:
    return texts_to(wecom, user)[-1]


def lead_card(wecom, user: str, number: str):
    return [c for c in cards_to(wecom, user) if c.title == f"新线索 {number}"][-1]


def test_leads_splits_and_rebates_on_postgres(pg_app, pg_driver, wecom, clock):
    d, sched = pg_driver, build_scheduler(q(pg_app))
    d.text("mgr_north", "线索 北京大学第一医院 彩超 60万 联系人 刘主任 来源 展会")
    d.text("mgr_north", "线索 首都医科大学附属北京朝阳医院 彩超 45万 来源 官网")
    with q(pg_app).factory() as s:
        first, second = s.execute(select(Lead).order_by(Lead.id)).scalars().all()
        assert {first.partner.name, second.partner.name} == {"北京康健医疗器械有限公司"}
    # Given up on the card: the reason is asked for and waits in Redis.
    d.click("dealer_bj_li", lead_card(wecom, "dealer_bj_li", first.number).task_id, "decline")
    assert "请说明放弃线索" in last(wecom, "dealer_bj_li")
    d.text("dealer_bj_li", "不在我们的服务范围")
    d.click("dealer_hx_sun", lead_card(wecom, "dealer_hx_sun", first.number).task_id, "accept")
    assert "已报备为" in last(wecom, "dealer_hx_sun")
    with q(pg_app).factory() as s:
        reg = s.execute(select(Registration)).scalar_one()
        assert reg.status == "approved" and s.get(Lead, first.id).registration_id == reg.id
    # Won by an order: split, 我的分润, 我的返利.
    d.text("dealer_hx_sun", "我的返利")
    assert "已确认 ¥0.00" in last(wecom, "dealer_hx_sun")
    d.text("dealer_hx_sun", f"订货 A100*2 报备号 {reg.number}")
    with q(pg_app).factory() as s:
        order = s.execute(select(Order)).scalar_one()
    d.text("dealer_hx_sun", f"确认订单 {order.number}")
    with q(pg_app).factory() as s:
        [line] = s.execute(select(SplitEntry)).scalars().all()
        # 华信 is silver: the default rule, 5% of 2 × silver price (98,000 × 0.9)
        assert (line.rule_id, line.base_yuan, line.amount_yuan) == ("default", Decimal("176400.00"),
                                                                    Decimal("8820.00"))
    d.text("dealer_hx_sun", "我的分润")
    assert "报备方 ¥8,820.00" in last(wecom, "dealer_hx_sun")
    d.text("dealer_hx_sun", "我的返利")
    assert "已确认 ¥176,400.00（14.7%）" in last(wecom, "dealer_hx_sun")
    # The other lead times out on the sweep and goes on.
    clock.advance(days=7)
    sched.tick()
    with q(pg_app).factory() as s:
        outcomes = [o.outcome for o in s.execute(select(LeadOffer).where(LeadOffer.lead_id == second.id)
                                                 .order_by(LeadOffer.id)).scalars()]
        assert outcomes[0] == "timed_out" and len(outcomes) == 2
        rules = RuleStore(q(pg_app).clock).active(s)
        [st] = statements(s, q(pg_app).clock, rules, "2026-11")
        book = load_workbook(io.BytesIO(workbook(st, q(pg_app).clock, rules)))
        assert [c.value for c in book["分润明细"][2]][1] == reg.number
    sealed_and_intact(q(pg_app).factory)
