"""Two `python -m bot scheduler` processes on the real PostgreSQL and Redis: one
works, the other stands by; an overdue approval is escalated exactly once; when
the active one dies the standby takes over."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from models import Approval, AuditEvent, SchedulerLease
from tests.support.reading import cards_to, wait_for
from tests.support.wecom import WeComDriver

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
ROOT = Path(__file__).resolve().parents[2]


def _start(env):
    return subprocess.Popen([sys.executable, "-m", "bot", "scheduler"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_two_scheduler_processes_escalate_once_and_the_standby_takes_over(pg_app, pg_url, redis_url, wecom, clock,
                                                                         base_settings):
    driver = WeComDriver(pg_app, clock, base_settings, wecom)
    driver.text("dealer_bj_li", "报备 北京大学第一医院 彩超 80万 ")           # auto-approved, no card
    driver.text("dealer_bj_li", "订货 A100*2\n收货地址：上海市浦东新区张江路100号")
    card = [c for c in cards_to(wecom, "dealer_bj_li") if c.task_id.startswith("so-")][0]
    driver.click("dealer_bj_li", card.task_id, "confirm")          # 窜货: waits for mgr_north, long ago
    assert len(cards_to(wecom, "mgr_north")) == 1
    # mgr_north was reminded back then too: escalation always follows a
    # reminder, and leaves the approver time to act on it after the reminder.
    with pg_app.extensions["qudao"].factory() as s, s.begin():
        appr = s.execute(select(Approval)).scalar_one()
        appr.reminded_at = appr.created_at + timedelta(hours=4)
    pg_app.extensions["qudao"].engine.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECOM_", "QUDAO_"))}
    env.update(DATABASE_URL=pg_url, REDIS_URL=redis_url, WECOM_API_BASE=wecom.base_url, QUDAO_SIMULATOR="0",
               QUDAO_SCHEDULER_LEASE="3", PYTHONPATH=str(ROOT))
    engine = create_engine(pg_url)
    first, second = _start(env), _start(env)
    try:
        # the approval was made on the test's frozen clock, days before the processes' wall clock
        assert wait_for(lambda: len(cards_to(wecom, "director")) == 1, timeout=60), "no escalation"
        with engine.connect() as c:
            holder = c.execute(select(SchedulerLease.holder)).scalar_one()
        time.sleep(4)                                              # a few more ticks of both
        assert len(cards_to(wecom, "director")) == 1
        with engine.connect() as c:
            escalations = c.execute(select(func.count()).select_from(AuditEvent)
                                    .where(AuditEvent.action == "approval.escalated")).scalar()
            statuses = sorted(c.execute(select(Approval.status)).scalars())
        assert escalations == 1 and statuses == ["escalated", "pending"]
        active = first if str(first.pid) in holder.split(":")[1] else second
        standby = second if active is first else first
        active.send_signal(signal.SIGKILL)                        # dies without releasing the lease
        active.wait(10)

        def taken_over():
            with engine.connect() as c:
                row = c.execute(select(SchedulerLease.holder)).scalar_one_or_none()
            return row is not None and f":{standby.pid}:" in row
        assert wait_for(taken_over, timeout=20), "the standby did not take over"
    finally:
        for proc in (first, second):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        engine.dispose()
