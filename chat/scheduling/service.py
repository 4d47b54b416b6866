"""The scheduler process: APScheduler keeps time, the lease picks the one
active process, JobRun rows make calendar jobs run once per period.

Every process may run a Scheduler; only the lease holder does any work.
A standby keeps trying the lease and takes over within one lease time of
the holder's death, catching up what is still worth catching up.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from chat import audit
from chat.context import Services
from chat.registry import CalendarJob, Sweep
from chat.scheduling.calendar import daily_slot, slots_between, weekly_slot, within_catch_up
from chat.scheduling.lease import DbLease
from models import JobRun

log = logging.getLogger(__name__)

CALENDAR_EVERY_S = 30
# The core's own timed work: sealing the audit trail's new events into a batch.
SEAL_EVERY_S = 3
# Only for runs recorded without a holder (before holders were kept): one
# started this long ago and never finished died with its process. Runs with a
# holder are judged by the lease instead (see _died).
STALE_RUN = timedelta(minutes=10)


class Scheduler:
    def __init__(self, svc: Services, lease: DbLease, after_work: Callable[[], None] = lambda: None,
                 sweep_list: list[Sweep] | None = None, job_list: list[CalendarJob] | None = None):
        self.svc, self.lease, self._after = svc, lease, after_work
        # What capabilities registered with the core (registry.sweep / registry.calendar_job).
        self.sweeps = list(svc.registry.sweeps) if sweep_list is None else sweep_list
        self.jobs = list(svc.registry.calendar_jobs) if job_list is None else job_list
        self.leader = False
        self._aps: BackgroundScheduler | None = None

    # -- leadership ----------------------------------------------------------------
    def heartbeat(self) -> bool:
        try:
            held = self.lease.acquire()
        except Exception:       # the database is away: act as a standby until it is back
            log.exception("scheduler lease check failed")
            held = False
        if held and not self.leader:
            log.info("scheduler %s is now the active one", self.lease.holder)
        elif self.leader and not held:
            log.warning("scheduler %s lost the lease; standing by", self.lease.holder)
        self.leader = held
        return held

    # -- one unit of work each; what APScheduler calls, and what tests call ------------
    def seal_audit(self) -> dict | None:
        """Seal the audit events recorded since the last time (the core's job, not a
        capability's: only the lease holder seals, so batches follow one another)."""
        if not self.leader:
            return None
        try:
            return audit.seal_all(self.svc.factory, key=self.svc.audit_key).as_dict()
        except Exception:
            log.exception("sealing the audit trail failed; it runs again next time")
            return None

    def run_sweep(self, sweep: Sweep) -> dict | None:
        if not self.leader:
            return None
        try:
            result = sweep.run(self.svc)
        except Exception:
            log.exception("sweep %s failed; it runs again next time", sweep.name)
            return None
        self._after()
        return result

    def run_calendar(self, now: datetime | None = None) -> dict[str, str]:
        """Run every calendar job whose slot is due and not yet run: {job: what happened}."""
        if not self.leader:
            return {}
        now = now or self.svc.clock.now()
        with self.svc.factory() as s:
            rules = self.svc.rules.active(s)
        done: dict[str, str] = {}
        for job in self.jobs:
            at = job.at(rules)
            slot = (weekly_slot(self.svc.clock, now, job.weekday(rules), at) if job.weekday
                    else daily_slot(self.svc.clock, now, at))
            if not within_catch_up(slot, now, rules.schedule.catch_up_hours):
                continue
            if not self._claim(job.name, slot.period, now):
                continue
            try:
                result = job.run(self.svc, slot.period, slot.at)
            except Exception:
                log.exception("job %s for %s failed; it is retried", job.name, slot.period)
                self._unclaim(job.name, slot.period)
                continue
            self._finish(job.name, slot.period, result)
            done[job.name] = slot.period
        if done:
            self._after()
        return done

    def slot_times(self, start: datetime, end: datetime) -> list[datetime]:
        """When calendar jobs fall due in (start, end], in order: a fast-forward stops at each."""
        with self.svc.factory() as s:
            rules = self.svc.rules.active(s)
        times = {t for job in self.jobs
                 for t in slots_between(self.svc.clock, start, end, job.at(rules),
                                        job.weekday(rules) if job.weekday else None)}
        return sorted(times)

    def tick(self, now: datetime | None = None) -> dict:
        """Everything once, in order (tests drive the clock through this)."""
        self.heartbeat()
        out = {s.name: self.run_sweep(s) for s in self.sweeps}
        out["calendar"] = self.run_calendar(now)
        out["audit_seal"] = self.seal_audit()
        return out

    # -- JobRun bookkeeping ----------------------------------------------------------------
    def _claim(self, job: str, period: str, now: datetime) -> bool:
        with self.svc.factory() as s, s.begin():
            row = s.get(JobRun, (job, period))
            if row is None:
                try:
                    with s.begin_nested():
                        s.add(JobRun(job=job, period=period, started_at=now, holder=self.lease.holder))
                    return True
                except IntegrityError:
                    return False
            if row.finished_at is None and self._died(s, row, now):
                # Its process died mid-run; the job is idempotent, so run it again.
                return bool(s.execute(update(JobRun).where(JobRun.job == job, JobRun.period == period,
                                                           JobRun.started_at == row.started_at)
                                      .values(started_at=now, holder=self.lease.holder)).rowcount)
            return False

    def _died(self, s, row: JobRun, now: datetime) -> bool:
        """Did the process running ``row`` die? Tied to the lease, not to a
        duration: the holder renews the lease from its own thread while a job
        runs, so a long job of a live holder is never started a second time,
        and a dead holder's run is taken over as soon as the lease is."""
        if row.holder is None:
            return row.started_at < now - STALE_RUN
        return row.holder != self.lease.holder and not self.lease.holds(s, row.holder)

    def _unclaim(self, job: str, period: str) -> None:
        with self.svc.factory() as s, s.begin():
            row = s.get(JobRun, (job, period))
            if row is not None and row.finished_at is None:
                s.delete(row)

    def _finish(self, job: str, period: str, result: dict | None) -> None:
        with self.svc.factory() as s, s.begin():
            row = s.get(JobRun, (job, period))
            row.finished_at, row.result = self.svc.clock.now(), result or {}

    def runs(self) -> list[JobRun]:
        with self.svc.factory() as s:
            return list(s.execute(select(JobRun).order_by(JobRun.started_at)).scalars())

    # -- the timer ---------------------------------------------------------------------------
    def start(self) -> None:
        """Start APScheduler in a background thread. Missed ticks coalesce into
        one (a busy or suspended process never fires a burst of them)."""
        aps = BackgroundScheduler(timezone=str(self.svc.clock.tz),
                                  job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60})
        start = datetime.now(self.svc.clock.tz)
        aps.add_job(self.heartbeat, "interval", seconds=max(1, self.lease.ttl_s // 3), id="lease",
                    next_run_time=start)
        # Right after the lease check, not one interval later: what came due while
        # no scheduler ran is caught up at once (once: the jobs are idempotent).
        soon = start + timedelta(seconds=1)
        for sweep in self.sweeps:
            aps.add_job(self.run_sweep, "interval", seconds=sweep.every_s, args=[sweep], id=f"sweep:{sweep.name}",
                        next_run_time=soon)
        aps.add_job(self.run_calendar, "interval", seconds=CALENDAR_EVERY_S, id="calendar", next_run_time=soon)
        aps.add_job(self.seal_audit, "interval", seconds=SEAL_EVERY_S, id="audit_seal", next_run_time=soon)
        aps.start()
        self._aps = aps

    def stop(self) -> None:
        if self._aps is not None:
            self._aps.shutdown(wait=True)
            self._aps = None
        if self.leader:
            self.lease.release()
            self.leader = False
