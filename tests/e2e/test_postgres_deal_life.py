"""A registration's life on the real PostgreSQL and Redis (conversation state
in Redis, row locks and JSON columns as production has them): follow-ups by
chat and by visit, the recall on the sweep and at claim time, an appeal
decided by transfer (its reason waits in Redis), the workbook, co-selling, a
deal won through an order, one lost, the funnel and the scorecard."""
from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from chat.scheduling import build_scheduler
from models import Appeal, MediaBlob, Order, Registration, RegistrationLock
from tests.support.audit import sealed_and_intact
from tests.support.reading import cards_to, texts_to

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
PUMCH = (39.912581, 116.417570)


def q(app):
    return app.extensions["qudao"]


def regs(app) -> list[Registration]:
    with q(app).factory() as s:
        return s.execute(select(Registration).order_by(Registration.id)).scalars().all()


def last(wecom, user: str) -> str:
    return texts_to(wecom, user)[-1]


def test_a_deals_life_on_postgres(pg_app, pg_driver, wecom, clock):
    d, sched = pg_driver, build_scheduler(q(pg_app))
    d.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    pumch = regs(pg_app)[0].number
    d.text("dealer_bj_li", f"{pumch} 确认需求")
    clock.advance(days=1)
    d.location("dealer_bj_wang", *PUMCH)                   # a verified visit: a follow-up too
    assert regs(pg_app)[0].last_follow_up_at == clock.now()
    # A stale deal: recalled by the sweep; its refused partner hears it is free.
    d.text("dealer_bj_wang", "报备 首都医科大学附属北京朝阳医院 彩超 50万")
    d.text("dealer_hx_sun", "报备 首都医科大学附属北京朝阳医院 彩超 40万")
    clock.advance(days=25)
    d.text("dealer_bj_li", f"跟进 {pumch} 方案报价 演示已约")
    clock.advance(days=6)
    sched.tick()
    assert regs(pg_app)[1].status == "recalled" and "现在可以报备" in last(wecom, "dealer_hx_sun")
    # At claim time too: nobody worked this one for 31 days, and no sweep ran.
    d.text("dealer_hx_sun", "报备 北京大学第一医院 彩超 30万")
    clock.advance(days=30)
    d.text("dealer_bj_li", f"{pumch} 谈判")              # 协和 is worked meanwhile
    clock.advance(days=1)
    d.text("dealer_bj_li", "报备 北京大学第一医院 彩超 35万")
    assert regs(pg_app)[3].status == "recalled" and regs(pg_app)[4].status == "approved"

    # An appeal decided by transfer; its reason is asked for and kept in Redis meanwhile.
    d.text("dealer_hx_sun", "报备 北京协和医院 彩超 60万")
    refused = regs(pg_app)[-1]
    d.text("dealer_hx_sun", f"申诉 {refused.number} 理由 我司先拜访")
    card = next(c for c in cards_to(wecom, "mgr_north") if c.title.startswith("申诉裁决"))
    assert card.rows["持有方证据"] == "跟进4 拜访1" and card.rows["申诉方证据"] == "跟进0 拜访0"
    with q(pg_app).factory() as s:
        [blob] = s.execute(select(MediaBlob).where(MediaBlob.kind == "file")).scalars().all()
        book = load_workbook(io.BytesIO(blob.data))
        assert book["拜访"].max_row == 2 and book["跟进"].max_row == 5
    d.click("mgr_north", card.task_id, "transfer")
    d.text("mgr_north", "签到记录在先")
    sealed_and_intact(q(pg_app).factory)
    with q(pg_app).factory() as s:
        assert s.execute(select(Appeal.status)).scalar_one() == "transferred"
        [lock] = s.execute(select(RegistrationLock).where(RegistrationLock.customer_id == refused.customer_id)
                           ).scalars().all()
        assert lock.registration_id == refused.id
    assert "保护移交给贵司" in last(wecom, "dealer_hx_sun")

    # Co-selling on a key account; a deal won through an order; one lost.
    d.text("dealer_hx_sun", "报备 河北医科大学第二医院 彩超 50万")
    d.click("rep_zhang", cards_to(wecom, "rep_zhang")[-1].task_id, "approve")
    d.click("mgr_north", cards_to(wecom, "mgr_north")[-1].task_id, "approve")
    assert regs(pg_app)[-1].partner_share == Decimal("0.3000")
    d.text("dealer_bj_li", f"订货 A100*2 报备号 {regs(pg_app)[4].number}")
    with q(pg_app).factory() as s:
        order = s.execute(select(Order)).scalar_one()
    d.text("dealer_bj_li", f"确认订单 {order.number}")
    won = regs(pg_app)[4]
    assert won.status == "won" and won.won_amount_yuan == Decimal("166600.00")
    d.text("dealer_hx_sun", f"输单 {refused.number} 原因 价格")
    assert regs(pg_app)[5].status == "lost" and regs(pg_app)[5].lost_reasons == ["价格"]

    clock.advance(hours=2)
    d.text("mgr_north", "漏斗")
    line = last(wecom, "mgr_north")
    assert "赢单 1 个" in line and "输单 1 个" in line and "赢率 50%" in line
    d.text("mgr_north", "伙伴 北京华信")
    card = last(wecom, "mgr_north")
    assert "输单原因：价格 1" in card and "申诉 1 次：移交 1" in card
    assert clock.now() - regs(pg_app)[0].received_at > timedelta(days=60)

