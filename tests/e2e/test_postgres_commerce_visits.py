"""Orders, special prices, SLAs, visits, the lifecycle and the scheduler on the
real PostgreSQL and Redis: the same code, and the races only a real server has."""
from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from chat.scheduling import build_scheduler
from models import Order, Registration, SpecialPrice, Visit
from tests.capabilities.test_scheduler import check_lease, check_two_schedulers
from tests.support.audit import sealed_and_intact
from tests.support.reading import cards_to, texts_to

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
PUMCH = (39.912581, 116.417570)


def q(app):
    return app.extensions["qudao"]


def test_order_special_price_ladder_and_erp_on_postgres(pg_app, pg_driver, wecom):
    pg_driver.text("dealer_bj_li", "订货 A100*20")
    with q(pg_app).factory() as s:
        number = s.execute(select(Order.number)).scalar_one()
    pg_driver.text("dealer_bj_li", f"特价申请 订单 {number} A100 单价 73300 理由：竞品报价低")
    pg_driver.click("mgr_north", cards_to(wecom, "mgr_north")[0].task_id, "approve")
    pg_driver.click("director", cards_to(wecom, "director")[0].task_id, "approve")
    card = [c for c in cards_to(wecom, "dealer_bj_li") if c.task_id.startswith("so-")][-1]
    pg_driver.click("dealer_bj_li", card.task_id, "confirm")
    sealed_and_intact(q(pg_app).factory)
    with q(pg_app).factory() as s:
        order = s.execute(select(Order)).scalar_one()
        assert order.status == "confirmed" and order.total_yuan == Decimal("1466000.00")
        assert s.execute(select(SpecialPrice.status)).scalar_one() == "approved"


def test_two_orders_at_once_cannot_both_squeeze_under_the_credit_limit(pg_app, pg_driver, wecom):
    """Each order fits alone (¥166.6万 of ¥250万 available); together they don't. The
    partner row lock orders their checks, so the second sees the first."""
    for _ in range(2):
        pg_driver.text("dealer_bj_li", "订货 A100*20")
    cards = [c for c in cards_to(wecom, "dealer_bj_li") if c.task_id.startswith("so-")]
    start = threading.Barrier(2)

    def confirm(task_id):
        start.wait()
        pg_driver.click("dealer_bj_li", task_id, "confirm")

    threads = [threading.Thread(target=confirm, args=(c.task_id,)) for c in cards]
    [t.start() for t in threads]
    [t.join() for t in threads]
    # Changed: the loser used to become a dead "rejected" order; a confirmation the
    # re-check refuses now leaves the draft for the dealer to change or cancel.
    with q(pg_app).factory() as s:
        assert sorted(s.execute(select(Order.status)).scalars()) == ["confirmed", "draft"]
    assert any("复核未通过" in m and "order.credit" in m for m in texts_to(wecom, "dealer_bj_li"))


def test_visits_lifecycle_and_extension_on_postgres(pg_app, pg_driver, wecom, clock):
    pg_driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    pg_driver.text("dealer_hx_sun", "报备 北京协和医院 彩超 60万")
    pg_driver.location("dealer_bj_li", PUMCH[0] + 0.0011, PUMCH[1])
    pg_driver.text("dealer_bj_li", "签退")
    with q(pg_app).factory() as s:
        reg = s.execute(select(Registration).order_by(Registration.id)).scalars().first()
        assert s.execute(select(Visit.verified)).scalar_one() is True
    pg_driver.text("dealer_bj_li", f"延期 {reg.number}")
    pg_driver.click("mgr_north", cards_to(wecom, "mgr_north")[0].task_id, "approve")
    sched = build_scheduler(q(pg_app))
    clock.set(reg.lock_until + timedelta(days=30, minutes=1))
    sched.tick()
    with q(pg_app).factory() as s:
        assert s.execute(select(Registration.status).where(Registration.id == reg.id)).scalar_one() == "expired"
    assert any("现在可以报备" in m for m in texts_to(wecom, "dealer_hx_sun"))


def test_lease_on_postgres(pg_app, clock):
    check_lease(q(pg_app).factory, clock)


def test_two_schedulers_one_worker_on_postgres(pg_app, clock):
    check_two_schedulers(pg_app, clock)


def test_an_expiry_raced_by_the_sweep_is_done_and_audited_once(pg_app, pg_driver, wecom, clock):
    """A claim reads the expired registration without a row lock (locks.release_expired);
    the sweep expires it and commits meanwhile; the claim's expire must then do nothing."""
    from chat.context import Context
    from handlers.registration import lifecycle
    from models import AuditEvent
    from models.db import unit_of_work
    pg_driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    with q(pg_app).factory() as s:
        reg = s.execute(select(Registration)).scalar_one()
    clock.set(reg.lock_until + timedelta(minutes=1))
    with unit_of_work(q(pg_app).factory) as s:
        stale = s.get(Registration, reg.id)
        assert stale.status == "approved"
        build_scheduler(q(pg_app)).tick()
        assert lifecycle.expire(Context.for_system(s, q(pg_app).services), stale) is False
    with q(pg_app).factory() as s:
        assert len(s.execute(select(AuditEvent).where(AuditEvent.action == "registration.expired")).all()) == 1
    assert len([m for m in texts_to(wecom, "dealer_bj_li") if "已释放" in m]) == 1
