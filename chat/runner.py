"""Where accepted messages are processed and the outbox delivered.

``QUDAO_PROCESSING`` (read once, bot/settings.py) says where:

- ``inline`` (tests): inside the request, before the answer — one thread,
  deterministic; no claims, no sequencer.
- ``threads``: background worker threads of the serving process (the embedded
  default on SQLite, one process that does everything).
- ``workers``: web processes only accept; ``python -m bot worker`` processes
  (any number, any host) do the rest.

A ``Worker`` is the same loop in both last cases: sequence new rows (one
sequencer at a time), claim a batch of inbox rows, process each in its own
transaction, deliver what is due from the outbox; when nothing is to do, wait
for a wake-up (chat.wakeup) or the fallback poll.
"""
from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable

from chat.inbox import Inbox
from chat.outbox import Deliverer
from chat.queue_stats import QueueStatistics
from chat.sequencer import Sequencer
from chat.wakeup import Signal, Waker

log = logging.getLogger(__name__)

INLINE, THREADS, WORKERS = "inline", "threads", "workers"
POLL_S = 1.0            # the fallback when no wake-up comes (Redis/PostgreSQL away, a lost word)
BATCH = 8
CHAIN_MAX = 64          # claims one worker follows after a batch before it claims again
# Every processed command wakes its process's outbox loop. When members' queues are
# paced (WeCom: 30 messages a minute), a round finds nothing to send, only new replies
# to park behind their queues; without a gap the loop ran one such round per command,
# a fifth of the workers' CPU in the end-to-end benchmark. With it, rounds that find
# nothing are at least this far apart and park what came meanwhile together. A round
# that sends something is followed at once; an idle loop answers its first word at once.
OUTBOX_IDLE_GAP_S = 0.05


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(2)}"


class Worker:
    def __init__(self, inbox: Inbox, sequencer: Sequencer, deliverer: Deliverer, waker: Waker,
                 name: str | None = None, batch: int = BATCH, poll_s: float = POLL_S,
                 outbox_signal: Signal | None = None, sequences: bool = True):
        self.inbox, self.sequencer, self.deliverer, self.waker = inbox, sequencer, deliverer, waker
        # One thread of a process tries the sequencer (one at a time across all
        # processes does it anyway); the others only claim.
        self.sequences = sequences
        # With a delivery thread beside it (outbox_signal), the worker leaves the
        # outbox to it: a chain of claims on one customer never waits on a send.
        self.outbox_signal = outbox_signal
        self.delivers = outbox_signal is None
        self.name = name or worker_name()
        self.batch, self.poll_s = batch, poll_s
        self.stopping = threading.Event()
        self.processed = 0

    def run_once(self) -> int:
        """One round; how much it did (0: nothing was waiting)."""
        did = self._inbox_round()
        if self.delivers:
            try:
                did += self.deliverer.deliver_due()
            except Exception:
                log.exception("outbox delivery failed")
        return did

    def _inbox_round(self) -> int:
        did = self._sequence() if self.sequences else 0
        try:
            did += self._process_batch()
        except Exception:
            log.exception("inbox claim failed")
        return did

    def _sequence(self) -> int:
        try:
            sequenced = self.sequencer.run()
        except Exception:
            log.exception("sequencer round failed")
            return 0
        if sequenced:
            self.waker.publish()              # other workers: claimable rows
        return sequenced

    def _process_batch(self) -> int:
        token, rows = self.inbox.claim(self.name, self.batch)
        keys: list[str] = []
        for i, row in enumerate(rows):
            if self.stopping.is_set():
                self.inbox.release(token)     # not started: another worker takes them at once
                return i
            self._process_one(row.id, token)
            if row.more:
                keys.append(row.key)          # the next claims on that customer: ours, below
        keys = list(dict.fromkeys(keys))
        if len(keys) > 1:
            self.waker.publish()              # we follow one customer at a time: others may take the rest
        done, budget = 0, CHAIN_MAX           # then back to claiming: other messages are not held up
        for key in keys:
            followed = self._follow(key, budget)
            done, budget = done + followed, budget - followed
            if budget <= 0 or self.stopping.is_set():
                break
        return len(rows) + done

    def _follow(self, key: str, budget: int) -> int:
        """The claims waiting on a customer whose earlier claim this worker just
        decided, one after another: a burst of claims on one customer (64 dealers
        at once) then costs one claim statement each and no wake-up round trip.
        Another worker may take the next one first; then this one stops."""
        done, more = 0, True
        while more and done < budget and not self.stopping.is_set():
            token, rows = self.inbox.claim(self.name, 1, key=key)
            if not rows:
                return done
            self._process_one(rows[0].id, token)
            done, more = done + 1, rows[0].more
        if more:
            self.waker.publish()              # out of budget, or stopping, with more waiting: whoever is free
        return done

    def _process_one(self, inbox_id: int, token: str) -> None:
        self.inbox.process_claimed(inbox_id, token)
        self.processed += 1
        if self.outbox_signal is not None:
            self.outbox_signal.set()          # its replies: the delivery thread sends them now

    def loop(self) -> None:
        """Until ``stopping`` is set; a command under way is finished first."""
        while not self.stopping.is_set():
            seen = self.waker.signal.generation
            if self.run_once() == 0 and not self.stopping.is_set():
                self.waker.signal.wait(seen, _wait_s(self.poll_s, self.sequencer.retry_in if self.sequences else None))

    def stop(self) -> None:
        self.stopping.set()
        self.waker.signal.set()


class Loop:
    """One step again and again while it finds work; then wait for ``signal`` (or
    the poll). The outbox of a process (woken when a command of this process
    committed replies, or by another process) and its sequencer (woken by each
    acknowledgement) each run in one."""

    def __init__(self, name: str, step, signal: Signal, poll_s: float = POLL_S,
                 retry_in: Callable[[], float | None] | None = None, idle_gap_s: float = 0.0):
        self.name, self.step, self.signal, self.poll_s = name, step, signal, poll_s
        self.retry_in = retry_in        # seconds until the step has work again, if it knows (None: the poll)
        # After a step that did nothing, the next starts no sooner than this: words
        # arriving meanwhile are answered together (see OUTBOX_IDLE_GAP_S).
        self.idle_gap_s = idle_gap_s
        self.stopping = threading.Event()

    def loop(self) -> None:
        while not self.stopping.is_set():
            seen = self.signal.generation
            try:
                did = self.step()
            except Exception:
                log.exception("%s failed", self.name)
                did = 0
            if not did and not self.stopping.is_set():
                idle_since = time.monotonic()
                self.signal.wait(seen, _wait_s(self.poll_s, self.retry_in))
                if self.idle_gap_s:
                    self.stopping.wait(self.idle_gap_s - (time.monotonic() - idle_since))


def _wait_s(poll_s: float, retry_in: Callable[[], float | None] | None) -> float:
    """How long an idle loop waits for a word: the poll, or less when its step knows
    work comes sooner (the sequencer waiting out a missing id's grace)."""
    retry = retry_in() if retry_in is not None else None
    return poll_s if retry is None else min(poll_s, retry)



class Runner:
    """The processing mode of one process (see the module docstring)."""

    def __init__(self, inbox: Inbox, deliverer: Deliverer, mode: str, sequencer: Sequencer | None = None,
                 waker: Waker | None = None, threads: int = 1, queue_stats: QueueStatistics | None = None):
        if mode not in (INLINE, THREADS, WORKERS):
            raise ValueError(f"unknown processing mode {mode!r}")
        self.inbox, self.deliverer, self.mode = inbox, deliverer, mode
        self.sequencer, self.waker, self.threads = sequencer, waker, threads
        self.queue_stats = queue_stats
        self.workers: list[Worker] = []
        self.loops: list[Loop] = []
        self._threads: list[threading.Thread] = []

    @property
    def inline(self) -> bool:
        return self.mode == INLINE

    def submit(self, inbox_id: int | None) -> None:
        """A message was accepted: process it now (inline) or wake the workers."""
        if inbox_id is None:
            return
        if self.inline:
            self.inbox.process(inbox_id)
            self.deliverer.drain()
            return
        self.waker.publish()

    def poke(self) -> None:
        """Work was written outside a message (an ERP post, a job): deliver it soon."""
        if self.inline:
            self.deliverer.drain()
        else:
            self.waker.publish()

    def start(self) -> None:
        """``threads`` mode: the serving process runs its workers in the background."""
        if self.mode == THREADS:
            self.start_workers(self.threads)

    def warm(self) -> None:
        """Build what the first message would need (the parser's tables, the converter)
        now, not on a user's time. Each warm-up is cached: a second call costs nothing."""
        self.inbox.router.registry.warm()

    def start_workers(self, n: int) -> list[Worker]:
        if self.inline or self._threads:
            return self.workers
        self.warm()
        self.waker.listen()
        name = worker_name()
        outbox_signal = Signal()
        self.waker.relay_to(outbox_signal)     # other processes' words (an ERP post, a job) reach it too
        for i in range(n):
            worker = Worker(self.inbox, self.sequencer, self.deliverer, self.waker, name=f"{name}/{i}",
                            outbox_signal=outbox_signal, sequences=False)
            self.workers.append(worker)
            self._spawn(worker.loop, f"qudao-worker-{i}")
        self.loops = [Loop("outbox delivery", self._deliver, outbox_signal, idle_gap_s=OUTBOX_IDLE_GAP_S),
                      Loop("sequencer", self._sequence, self.waker.signal, retry_in=self.sequencer.retry_in)]
        for loop in self.loops:
            self._spawn(loop.loop, f"qudao-{loop.name.split()[-1]}")
        return self.workers

    def _sequence(self) -> int:
        sequenced = self.sequencer.run()
        if sequenced:
            self.waker.publish()               # the workers (here and elsewhere): claimable rows
        if self.queue_stats is not None:
            self.queue_stats.tick(sequenced > 0)   # a burst arriving: the planner must know of it
        return sequenced

    def _deliver(self) -> int:
        delivered = self.deliverer.deliver_due()
        if self.queue_stats is not None:
            self.queue_stats.tick(delivered > 0)   # replies a job or an ERP post wrote, thousands at once
        return delivered

    def _spawn(self, target, name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the commands under way, give back the rest, stop."""
        for worker in self.workers:
            worker.stop()
        for loop in self.loops:
            loop.stopping.set()
            loop.signal.set()
        for thread in self._threads:
            thread.join(timeout)
        if self.queue_stats is not None:
            self.queue_stats.join(timeout)
        if self.waker is not None:
            self.waker.close()
        self.workers, self._threads, self.loops = [], [], []
