"""Acknowledgements that arrive together share one statement (group commit).

Each callback's 200 waits for its inbox row to be committed. Committed one by one,
every row costs PostgreSQL a round trip and a commit of its own: on this project's
2-core machine 0.22 ms of the machine per row alone, 0.11 ms two to a statement,
0.06 ms four to one (bench/ack_rows.py, figures in docs/benchmarks.md). So the threads of one process
take turns: a row that finds no INSERT under way leads and goes at once, alone;
rows that come while one is under way wait, and the first of them, handed the lead,
inserts them all in one statement, in the order they came, then hands the lead on
to the next row waiting. Nobody is answered before their row is committed.

If the shared statement fails (one row's replay key is held, an id was closed as a
gap, the connection broke), the leader inserts the rows again one by one, still in
the order they came, before it hands the lead on: each caller gets the answer or the
error of its own row, in its own thread, and ids keep arrival order.

What sharing changes: a row waits for the INSERT under way (a row that waits on a
lock, say another process's uncommitted copy of the same message, holds up the rows
behind it for that long); two processes whose batches hold the same two new dedup
keys in opposite orders deadlock, and PostgreSQL breaks it after deadlock_timeout
(both batches then go row by row); and a connection lost after PostgreSQL committed a
shared INSERT makes the one-by-one inserts find their rows already there, so those
callers are told "duplicate" (the rows are stored; the workers' poll finds them), as
a single INSERT retried after such a loss always was.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")


class _Turn(Generic[Item, Result]):
    """One caller's row, waiting for its statement or for the lead."""

    __slots__ = ("alone", "done", "error", "item", "result", "woken")

    def __init__(self, item: Item):
        self.item = item
        self.woken = threading.Event()
        self.done = False           # settled: ``result`` or ``error`` is the row's outcome…
        self.alone = False          # …unless the leader was stopped first: then the caller inserts it
        self.result: Result | None = None
        self.error: Exception | None = None


class Combiner(Generic[Item, Result]):
    """``combiner(item)`` → ``one(item)``'s answer, or the item's share of
    ``many(items)`` when other calls came while the last statement ran."""

    def __init__(self, one: Callable[[Item], Result], many: Callable[[list[Item]], list[Result]], most: int):
        self._one, self._many, self._most = one, many, most
        self._mutex = threading.Lock()
        self._waiting: list[_Turn] = []
        self._leading = False
        self.shared = 0             # statements run for more than one caller (tests, benchmarks)

    @property
    def waiting(self) -> int:
        """Rows waiting for the statement after the one under way."""
        with self._mutex:
            return len(self._waiting)

    def __call__(self, item: Item) -> Result:
        turn: _Turn = _Turn(item)
        with self._mutex:
            self._waiting.append(turn)
            leads = not self._leading
            self._leading = True
        if not leads:
            try:
                turn.woken.wait()
            except BaseException:
                self._abandon(turn)
                raise
            if turn.done:
                return self._outcome(turn)
        return self._lead(turn)     # the first to come, or handed the lead

    def _outcome(self, turn: _Turn) -> Result:
        if turn.alone:
            return self._one(turn.item)
        if turn.error is not None:
            raise turn.error
        return turn.result

    def _lead(self, own: _Turn) -> Result:
        batch: list[_Turn] = []
        try:
            with self._mutex:
                # ``own`` is first: a leader starts an empty queue, and the lead passes to the head.
                batch = self._waiting[:self._most]
                del self._waiting[:self._most]
            self._settle(batch)
        finally:                    # whatever happened (even a BaseException), nobody is left waiting
            for turn in batch:
                if not turn.done:
                    turn.alone = turn.done = True
                turn.woken.set()
            self._hand_on()
        return self._outcome(own)

    def _settle(self, batch: list[_Turn]) -> None:
        """One statement for the batch; if that fails, or the batch is one row, each
        row on its own, in the order they came."""
        if len(batch) > 1:
            try:
                results = self._many([turn.item for turn in batch])
                if len(results) != len(batch):
                    raise RuntimeError(f"{len(results)} answers for {len(batch)} rows")
            except Exception as exc:
                log.info("a shared acknowledgement INSERT failed (%s: %s); its %d rows go one by one",
                         type(exc).__name__, exc, len(batch))
            else:
                self.shared += 1
                for turn, result in zip(batch, results, strict=True):
                    turn.result, turn.done = result, True
                return
        for turn in batch:
            try:
                turn.result = self._one(turn.item)
            except Exception as exc:   # the caller's own error, raised in the caller's thread
                turn.error = exc
            turn.done = True

    def _abandon(self, turn: _Turn) -> None:
        """A caller stopped while waiting (an exception raised into its thread): its
        row is dropped if no statement took it yet, and a lead it was handed but never
        took passes on."""
        with self._mutex:
            if turn not in self._waiting:
                return              # in a batch: its leader settles it
            handed_the_lead = turn.woken.is_set()
            self._waiting.remove(turn)
        if handed_the_lead:
            self._hand_on()

    def _hand_on(self) -> None:
        with self._mutex:
            if self._waiting:
                self._waiting[0].woken.set()    # not done: it leads the rows waiting now
            else:
                self._leading = False
