"""How long a registration holds its partner's row lock, timed inside a worker.

``python -m bench.scale.lock_hold [worker options]`` is ``python -m bot worker``
with SQLAlchemy cursor events on every engine: from the moment the statement that
takes the partner's lock returns (the bump of its claim number, the command's last
statement; the ``SELECT … FOR NO KEY UPDATE`` of a final run) to the moment the
command's COMMIT is sent (its WAL flush not included), the wall time, the thread's
CPU and each statement's round trip are added up per thread, and apart the locking
statement's own round trip (the wait for the lock is in it) and the holds that
ended in a ROLLBACK (a run run again). Every ``WRITE_EVERY`` registrations
(and at exit) the totals go to ``$BENCH_LOCK_HOLD_DIR/<pid>.json``;
``bench/lock_hold.py`` runs the e2e with these workers and prints them. A bench
tool only: the events cost the worker a little CPU of their own."""
from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

WRITE_EVERY = 200
# What takes the partner's lock (handlers/registration/partner_lock.py): the bump of its
# claim number (PostgreSQL; SQLite's has no WITH), or a final run's FOR NO KEY UPDATE.
_BUMPS = ("WITH bumped AS (UPDATE partners", "UPDATE partners SET claim_seq")
_LOCK = "SELECT partners.id"


def takes_lock(statement: str) -> bool:
    return statement.startswith(_BUMPS) or (statement.startswith(_LOCK) and "UPDATE" in statement)


class LockHold:
    """Totals over the registrations seen; one ``Thread`` state per worker thread."""

    def __init__(self):
        self.n = 0
        self.wall = self.cpu = self.in_statements = self.locking = 0.0
        self.rolled_back = 0       # holds that ended in a ROLLBACK: runs run again (RunAgain, a deadlock)
        self.statements: dict[str, list[float]] = {}     # first words → [count, seconds]
        self._mutex = threading.Lock()
        self._local = threading.local()

    def before(self) -> None:
        self._local.sent = time.perf_counter()

    def after(self, statement: str) -> None:
        local, now = self._local, time.perf_counter()
        held = getattr(local, "held", None)
        if held is None and takes_lock(statement):    # (a final run's bump is inside its hold)
            local.held, local.cpu, local.trips, local.locking = now, time.thread_time(), [], now - local.sent
        elif held is not None:
            local.trips.append((" ".join(statement.split())[:48], now - local.sent))

    def committed(self) -> bool:
        """A COMMIT is being sent: a registration's hold ends. True when it was one."""
        local = self._local
        if getattr(local, "held", None) is None:
            return False
        wall, cpu = time.perf_counter() - local.held, time.thread_time() - local.cpu
        local.held = None
        with self._mutex:
            self.n += 1
            self.wall += wall
            self.cpu += cpu
            self.locking += local.locking
            for key, seconds in local.trips:
                total = self.statements.setdefault(key, [0, 0.0])
                total[0] += 1
                total[1] += seconds
                self.in_statements += seconds
        return True

    def rollback(self) -> None:
        """A ROLLBACK is being sent: a hold open in this thread ends without a registration."""
        if getattr(self._local, "held", None) is not None:
            self._local.held = None
            with self._mutex:
                self.rolled_back += 1

    def summary(self) -> dict:
        with self._mutex:
            return {"registrations": self.n, "wall_s": self.wall, "cpu_s": self.cpu,
                    "statements_s": self.in_statements, "locking_s": self.locking,
                    "rolled_back": self.rolled_back,
                    "statements": {k: {"count": c, "s": s} for k, (c, s) in self.statements.items()}}


def install(hold: LockHold, out: Path | None) -> None:
    """The cursor and commit events on every engine of this process."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    event.listen(Engine, "before_cursor_execute", lambda *a: hold.before())
    event.listen(Engine, "after_cursor_execute", lambda conn, cur, statement, *a: hold.after(statement))

    def on_commit(_conn) -> None:
        if hold.committed() and out is not None and hold.n % WRITE_EVERY == 0:
            write(hold, out)

    event.listen(Engine, "commit", on_commit)
    event.listen(Engine, "rollback", lambda _conn: hold.rollback())


def write(hold: LockHold, out: Path) -> None:
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(hold.summary()))
    tmp.replace(out)


def main() -> int:
    import sys

    from bot.cli import main as bot_main
    folder = os.environ.get("BENCH_LOCK_HOLD_DIR")
    out = Path(folder) / f"{os.getpid()}.json" if folder else None
    hold = LockHold()
    install(hold, out)
    try:
        return bot_main(["worker", *sys.argv[1:]])
    finally:
        if out is not None:
            write(hold, out)


if __name__ == "__main__":
    raise SystemExit(main())
