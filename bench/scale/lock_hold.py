"""How long a registration holds its partner's row lock, timed inside a worker.

``python -m bench.scale.lock_hold [worker options]`` is ``python -m bot worker``
with SQLAlchemy cursor events on every engine: from the moment the partner's
``SELECT … FOR UPDATE`` returns to the moment the command's COMMIT is sent (its
WAL flush not included), the wall time, the thread's CPU and each statement's
round trip are added up per thread. Every ``WRITE_EVERY`` registrations (and at
exit) the totals go to ``$BENCH_LOCK_HOLD_DIR/<pid>.json``; ``bench/lock_hold.py``
runs the e2e with these workers and prints them. A bench tool only: the events
cost the worker a little CPU of their own."""
from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

WRITE_EVERY = 200
_LOCK = "SELECT partners.id"     # the partner's lock (handlers/registration/claims.py), FOR UPDATE


class LockHold:
    """Totals over the registrations seen; one ``Thread`` state per worker thread."""

    def __init__(self):
        self.n = 0
        self.wall = self.cpu = self.in_statements = 0.0
        self.statements: dict[str, list[float]] = {}     # first words → [count, seconds]
        self._mutex = threading.Lock()
        self._local = threading.local()

    def before(self) -> None:
        self._local.sent = time.perf_counter()

    def after(self, statement: str) -> None:
        local, now = self._local, time.perf_counter()
        if statement.startswith(_LOCK) and "FOR UPDATE" in statement:
            local.held, local.cpu, local.trips = now, time.thread_time(), []
        elif getattr(local, "held", None) is not None:
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
            for key, seconds in local.trips:
                total = self.statements.setdefault(key, [0, 0.0])
                total[0] += 1
                total[1] += seconds
                self.in_statements += seconds
        return True

    def summary(self) -> dict:
        with self._mutex:
            return {"registrations": self.n, "wall_s": self.wall, "cpu_s": self.cpu,
                    "statements_s": self.in_statements,
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
