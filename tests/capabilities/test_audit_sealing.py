"""The scheduler seals the audit trail: only the lease holder, as the core's
own job, every few seconds; what it sealed verifies, and a standby seals
nothing."""
from __future__ import annotations

from sqlalchemy import func, select

from chat import audit
from chat.scheduling import DbLease, Scheduler
from chat.scheduling.service import SEAL_EVERY_S
from models import AuditEvent


def q(app):
    return app.extensions["qudao"]


def unsealed(app) -> int:
    with q(app).factory() as s:
        return s.execute(select(func.count()).select_from(AuditEvent).where(AuditEvent.seq.is_(None))).scalar()


def test_the_lease_holder_seals_and_a_standby_does_not(app, driver):
    qd = q(app)
    active, standby = (Scheduler(qd.services, DbLease(qd.factory, holder=h), sweep_list=[], job_list=[])
                       for h in ("active", "standby"))
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    recorded = unsealed(app)
    assert recorded >= 1
    assert active.tick()["audit_seal"] == {"batches": 1, "events": recorded}
    driver.text("dealer_bj_li", "报备 北京大学第一医院 彩超 80万")
    assert standby.tick()["audit_seal"] is None and unsealed(app) >= 1     # stands by: seals nothing
    assert active.tick()["audit_seal"]["events"] >= 1 and unsealed(app) == 0
    with qd.factory() as s:
        report = audit.verify(s)
    assert report.ok and report.batches == 2 and report.unsealed == 0
    assert 1 <= SEAL_EVERY_S <= 10
