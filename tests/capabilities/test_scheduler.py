"""The scheduler's guarantees: one active process (a lease in the database),
calendar jobs once per period across processes and restarts, missed runs
caught up within the window and skipped after it, every job idempotent."""
from __future__ import annotations

import time as wall
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from bot.capabilities import build_router
from chat.registry import CalendarJob, Sweep
from chat.scheduling import DbLease, Scheduler, build_scheduler
from chat.scheduling.calendar import daily_slot, weekly_slot, within_catch_up
from domain.clock import Clock
from models import JobRun, OutboxMessage

BJ = Clock("Asia/Shanghai")


@pytest.mark.parametrize("now_bj, at, period, due_at_bj", [
    ("2026-12-02 08:30", time(8, 30), "2026-12-02", "2026-12-02 08:30"),
    ("2026-12-02 08:29", time(8, 30), "2026-12-01", "2026-12-01 08:30"),
    ("2026-12-02 23:59", time(8, 0), "2026-12-02", "2026-12-02 08:00"),
])
def test_daily_slots(now_bj, at, period, due_at_bj):
    now = datetime.fromisoformat(now_bj).replace(tzinfo=BJ.tz)
    slot = daily_slot(BJ, now, at)
    assert slot.period == period and slot.at == datetime.fromisoformat(due_at_bj).replace(tzinfo=BJ.tz)


@pytest.mark.parametrize("now_bj, period", [("2026-11-30 09:00", "2026-W49"), ("2026-12-06 23:00", "2026-W49"),
                                            ("2026-11-30 08:59", "2026-W48")])
def test_weekly_slots(now_bj, period):
    now = datetime.fromisoformat(now_bj).replace(tzinfo=BJ.tz)
    assert weekly_slot(BJ, now, 1, time(9, 0)).period == period


@pytest.mark.parametrize("late_hours, hours, due", [(3.9, 4, True), (4.1, 4, False), (0.05, 0, True), (0.2, 0, False)])
def test_catch_up_window(late_hours, hours, due):
    at = datetime(2026, 12, 2, 0, 30, tzinfo=UTC)
    slot = daily_slot(BJ, at, time(8, 30))
    assert within_catch_up(slot, at + timedelta(hours=late_hours), hours) is due


LEASE_S = 1.5      # the lease runs on the database's clock: tests wait for it for real


def check_lease(factory, clock):
    a, b = DbLease(factory, holder="a", ttl_s=LEASE_S), DbLease(factory, holder="b", ttl_s=LEASE_S)
    assert a.acquire() and not b.acquire()
    assert a.acquire() and not b.acquire()          # renewed: still a's
    clock.advance(hours=5)                          # the bot's clock means nothing to the lease…
    assert not b.acquire() and a.current_holder() == "a"
    wall.sleep(LEASE_S + 0.3)                       # …the database's does: a died, no renewal for a whole lease
    assert a.current_holder() is None
    assert b.acquire() and not a.acquire()
    assert b.current_holder() == "b"
    b.release()
    assert a.acquire()


def test_one_lease_holder_at_a_time_on_sqlite(app, clock):
    check_lease(app.extensions["qudao"].factory, clock)


def counting_job(calls):
    def run(svc, period, slot):
        calls.append(period)
        return {"period": period}
    return CalendarJob("count", lambda r: time(8, 30), run)


def check_two_schedulers(app, clock):
    q = app.extensions["qudao"]
    calls, swept = [], []
    sweep = Sweep("count", 60, lambda svc: swept.append(1))
    clock.set(datetime(2026, 11, 24, 0, 31, tzinfo=UTC))        # 08:31 Beijing
    one, two = (Scheduler(q.services, DbLease(q.factory, holder=h, ttl_s=LEASE_S), sweep_list=[sweep],
                          job_list=[counting_job(calls)]) for h in ("one", "two"))
    for _ in range(3):
        one.tick()
        two.tick()
    assert one.leader and not two.leader
    assert calls == ["2026-11-24"] and len(swept) == 3
    one.heartbeat()
    clock.advance(hours=1)         # a standby whose clock runs an hour fast still stands by
    two.tick()
    assert not two.leader and calls == ["2026-11-24"]
    wall.sleep(LEASE_S + 0.3)      # "one" stops renewing: "two" takes over, the day's run is not repeated
    two.tick()
    assert two.leader and calls == ["2026-11-24"]
    clock.advance(days=1)
    two.tick()
    one.tick()
    assert calls == ["2026-11-24", "2026-11-25"]


def test_two_schedulers_one_worker_on_sqlite(app, clock):
    check_two_schedulers(app, clock)


def test_a_run_whose_process_died_is_run_again_but_a_finished_one_never(app, clock):
    q = app.extensions["qudao"]
    calls = []
    clock.set(datetime(2026, 11, 24, 0, 31, tzinfo=UTC))
    with q.factory() as s, s.begin():     # a crash mid-run: its holder no longer holds the lease
        s.add(JobRun(job="count", period="2026-11-24", started_at=clock.now(), holder="gone:4242:abcdef"))
    sched = Scheduler(q.services, DbLease(q.factory, holder="alive"), sweep_list=[], job_list=[counting_job(calls)])
    sched.tick()
    assert calls == ["2026-11-24"]                  # taken over with the lease, not ten minutes later
    with q.factory() as s:
        assert s.get(JobRun, ("count", "2026-11-24")).holder == "alive"
    clock.advance(minutes=11)
    sched.tick()
    assert calls == ["2026-11-24"]


def test_a_long_run_of_the_active_process_is_never_started_twice(app, clock):
    q = app.extensions["qudao"]
    calls = []
    clock.set(datetime(2026, 11, 24, 0, 31, tzinfo=UTC))
    one = Scheduler(q.services, DbLease(q.factory, holder="one"), sweep_list=[], job_list=[counting_job(calls)])
    two = Scheduler(q.services, DbLease(q.factory, holder="two"), sweep_list=[], job_list=[counting_job(calls)])
    one.heartbeat()
    with q.factory() as s, s.begin():     # "one" is 40 minutes into today's run, still renewing its lease
        s.add(JobRun(job="count", period="2026-11-24", started_at=clock.now(), holder="one"))
    clock.advance(minutes=40)
    one.tick()
    two.tick()
    assert calls == [] and one.leader and not two.leader


def test_a_failing_job_is_retried_on_the_next_tick(app, clock):
    q = app.extensions["qudao"]
    attempts = []

    def flaky(svc, period, slot):
        attempts.append(period)
        if len(attempts) == 1:
            raise RuntimeError("the network blinked")
        return {}
    clock.set(datetime(2026, 11, 24, 0, 31, tzinfo=UTC))
    sched = Scheduler(q.services, DbLease(q.factory), sweep_list=[],
                      job_list=[CalendarJob("flaky", lambda r: time(8, 30), flaky)])
    sched.tick()
    sched.tick()
    sched.tick()
    assert attempts == ["2026-11-24", "2026-11-24"]


def at_bj(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BJ.tz)


# A run of each job that has something to send, from what the test sets up below.
JOB_RUNS = {"plan_morning": ("2026-11-24", at_bj("2026-11-24 08:00")),       # the day of the plan
            "digest_morning": ("2026-11-24", at_bj("2026-11-24 08:30")),     # the day after it all
            "evening_reminder": ("2026-11-23", at_bj("2026-11-23 19:00")),   # the visit is still open
            "weekly_chart": ("2026-W49", at_bj("2026-11-30 09:00")),         # the Monday after
            "rebate_nudge": ("2026-11-24", at_bj("2026-11-24 10:00")),       # past mid-period, 91.6% of target
            "rebate_period_end": ("2027-01-01", at_bj("2027-01-01 09:00"))}  # the day after 2026Q4


def _big_confirmed_order(driver) -> None:
    """康健 at 91.6% of its 2026Q4 target: a tier reached, the next one close."""
    driver.text("dealer_bj_li", "订货 A100*22")
    driver.text("dealer_bj_li", "是")


# What a job needs beyond the common setup to have something to send.
JOB_SETUP = {"rebate_nudge": _big_confirmed_order, "rebate_period_end": _big_confirmed_order}


def calendar_jobs() -> list[CalendarJob]:
    return build_router().registry.calendar_jobs


@pytest.mark.parametrize("job", [j.name for j in calendar_jobs()])
def test_every_calendar_job_sends_nothing_twice_even_when_run_twice(app, driver, chat, clock, job):
    """Idempotent below JobRun too: its sends are keyed by period and recipient."""
    driver.text("rep_zhang", "计划 明天 拜访 北京协和医院")
    driver.location("rep_zhang", 39.912581, 116.417570)
    driver.text("dealer_bj_li", "报备 北京大学第一医院 彩超 150万")
    JOB_SETUP.get(job, lambda d: None)(driver)
    q = app.extensions["qudao"]
    [definition] = [j for j in calendar_jobs() if j.name == job]
    period, slot = JOB_RUNS[job]
    clock.set(slot)
    with q.factory() as s:
        before = s.execute(select(func.count()).select_from(OutboxMessage)).scalar()
    definition.run(q.services, period, slot)
    with q.factory() as s:
        once = s.execute(select(func.count()).select_from(OutboxMessage)).scalar()
    assert once > before                          # the run did send something…
    definition.run(q.services, period, slot)
    with q.factory() as s:                        # …and running it again sends none of it twice
        assert s.execute(select(func.count()).select_from(OutboxMessage)).scalar() == once


def test_every_sweep_is_idempotent(app, driver, chat, clock):
    driver.text("dealer_bj_li", "订货 A100*2")
    driver.location("rep_zhang", 39.912581, 116.417570)
    driver.text("dealer_bj_li", "报备 北京大学第一医院 彩超 150万")
    clock.advance(days=3)
    sched = build_scheduler(app.extensions["qudao"])
    sched.tick()
    with app.extensions["qudao"].factory() as s:
        after_one = s.execute(select(func.count()).select_from(OutboxMessage)).scalar()
    sched.tick()
    with app.extensions["qudao"].factory() as s:
        assert s.execute(select(func.count()).select_from(OutboxMessage)).scalar() == after_one
