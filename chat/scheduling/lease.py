"""The lease that makes exactly one scheduler process the active one.

A row in the database (there is always one; Redis is optional) names the
holder and when its lease runs out. The holder renews it well before then; a
second process finds it held and waits, and takes over once a holder that
died stops renewing. Taking and renewing are single conditional UPDATEs (or
the first INSERT), so two processes can never both hold it; and every "when"
is the database's own time (dbtime), so two hosts whose clocks disagree
cannot both hold it either.
"""
from __future__ import annotations

import os
import secrets
import socket

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from chat.scheduling.dbtime import db_now
from models import SchedulerLease


def default_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class DbLease:
    def __init__(self, factory: sessionmaker[Session], name: str = "scheduler", holder: str | None = None,
                 ttl_s: float = 30):
        self._factory = factory
        self.name, self.holder, self.ttl_s = name, holder or default_holder(), ttl_s

    def acquire(self) -> bool:
        """Take or renew the lease; True while this process holds it."""
        until = db_now(self.ttl_s)
        with self._factory() as s, s.begin():
            renewed = s.execute(update(SchedulerLease).where(SchedulerLease.name == self.name,
                                                             SchedulerLease.holder == self.holder)
                                .values(expires_at=until)).rowcount
            if renewed:
                return True
            taken = s.execute(update(SchedulerLease).where(SchedulerLease.name == self.name,
                                                           SchedulerLease.expires_at < db_now())
                              .values(holder=self.holder, acquired_at=db_now(), expires_at=until)).rowcount
            if taken:
                return True
            if s.get(SchedulerLease, self.name) is not None:
                return False
            try:
                with s.begin_nested():
                    s.execute(insert(SchedulerLease).values(name=self.name, holder=self.holder,
                                                            acquired_at=db_now(), expires_at=until))
                return True
            except IntegrityError:       # another process inserted it first
                return False

    def release(self) -> None:
        with self._factory() as s, s.begin():
            s.execute(delete(SchedulerLease).where(SchedulerLease.name == self.name,
                                                   SchedulerLease.holder == self.holder))

    def current_holder(self) -> str | None:
        with self._factory() as s:
            return s.execute(select(SchedulerLease.holder).where(SchedulerLease.name == self.name,
                                                                 SchedulerLease.expires_at > db_now())).scalar()

    def holds(self, session: Session, holder: str) -> bool:
        """Does ``holder`` hold the lease right now (by the database's time)?"""
        return session.execute(select(SchedulerLease.holder).where(
            SchedulerLease.name == self.name, SchedulerLease.holder == holder,
            SchedulerLease.expires_at > db_now())).first() is not None
