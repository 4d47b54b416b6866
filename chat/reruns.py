"""Running a command again at once, when what it read turned out stale (RunAgain)
or it met a deadlock.

A command's runs before the last read without the locks they can do without, and
are usually fresh again the second time; the last run (``final_run``) takes its
locks first and may not raise RunAgain. A deadlock before the last run is met the
same way: a run holds the rows it wrote while it waits for its last lock, so it
can meet a final run that took that lock first and wants one of those rows."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy.exc import DBAPIError

from chat.context import RunAgain

log = logging.getLogger(__name__)

RUNS = 3                # a command's runs at most, at once
_DEADLOCK = "40P01"     # SQLSTATE deadlock_detected


def runs_again(exc: Exception) -> bool:
    """Whether a failed run is one to run again at once (before the last)."""
    return isinstance(exc, RunAgain) or (isinstance(exc, DBAPIError)
                                         and getattr(exc.orig, "sqlstate", None) == _DEADLOCK)


class Reruns:
    """Runs ``run(number)`` until it returns, running it again at once while it
    fails in a way ``runs_again`` allows and runs are left; counts those reruns
    (the benches report them). Any other failure, or one in the last run, is raised."""

    def __init__(self):
        self.count = 0
        self._counting = threading.Lock()

    def call(self, run: Callable[[int], str], what: str) -> str:
        number = 1
        while True:
            try:
                return run(number)
            except Exception as exc:   # the run rolled back
                if number >= RUNS or not runs_again(exc):
                    raise
                log.debug("%s runs again: %s", what, exc)
                with self._counting:
                    self.count += 1
                number += 1
