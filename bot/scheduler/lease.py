"""The lease that makes exactly one scheduler process the active one.

A row in the database (there is always one; Redis is optional) names the
holder and when its lease runs out. The holder renews it well before then; a
second process finds it held and waits, and takes over once a holder that
died stops renewing. Taking and renewing are single conditional UPDATEs (or
the first INSERT), so two processes can never both hold it.
"""
from __future__ import annotations

import os
import secrets
import socket
from datetime import timedelta

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from models import SchedulerLease


def default_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class DbLease:
    def __init__(self, factory: sessionmaker[Session], clock: Clock, name: str = "scheduler",
                 holder: str | None = None, ttl_s: int = 30):
        self._factory, self._clock = factory, clock
        self.name, self.holder, self.ttl_s = name, holder or default_holder(), ttl_s

    def acquire(self) -> bool:
        """Take or renew the lease; True while this process holds it."""
        now = self._clock.now()
        until = now + timedelta(seconds=self.ttl_s)
        with self._factory() as s, s.begin():
            renewed = s.execute(update(SchedulerLease).where(SchedulerLease.name == self.name,
                                                             SchedulerLease.holder == self.holder)
                                .values(expires_at=until)).rowcount
            if renewed:
                return True
            taken = s.execute(update(SchedulerLease).where(SchedulerLease.name == self.name,
                                                           SchedulerLease.expires_at < now)
                              .values(holder=self.holder, acquired_at=now, expires_at=until)).rowcount
            if taken:
                return True
            if s.get(SchedulerLease, self.name) is not None:
                return False
            try:
                with s.begin_nested():
                    s.add(SchedulerLease(name=self.name, holder=self.holder, acquired_at=now, expires_at=until))
                return True
            except IntegrityError:       # another process inserted it first
                return False

    def release(self) -> None:
        with self._factory() as s, s.begin():
            s.execute(delete(SchedulerLease).where(SchedulerLease.name == self.name,
                                                   SchedulerLease.holder == self.holder))

    def current_holder(self) -> str | None:
        with self._factory() as s:
            row = s.get(SchedulerLease, self.name)
            return row.holder if row is not None and row.expires_at > self._clock.now() else None



