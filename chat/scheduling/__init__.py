"""Timed work in one process: ``python -m bot scheduler`` (or embedded in ``serve``)."""
from chat.scheduling.lease import DbLease
from chat.scheduling.service import Scheduler


def build_scheduler(qudao, ttl_s: int = 30) -> Scheduler:
    """The scheduler of a built app (``app.extensions["qudao"]``); what it enqueues is delivered at once."""
    return Scheduler(qudao.services, DbLease(qudao.factory, ttl_s=ttl_s),
                     after_work=qudao.deliverer.drain)


__all__ = ["DbLease", "Scheduler", "build_scheduler"]
