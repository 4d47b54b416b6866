"""Background work in a serving process: process accepted messages, deliver the outbox.

"Ack fast, work later": the callback only persists and enqueues; this thread
does the work. Several processes may each run one — inbox claims and outbox
leases keep them from doing anything twice. In "inline" mode (tests) the
same steps run synchronously inside the request instead.
"""
from __future__ import annotations

import logging
import queue
import threading
import time

from chat.inbox import Inbox
from chat.outbox import Deliverer

log = logging.getLogger(__name__)


class Runner:
    def __init__(self, inbox: Inbox, deliverer: Deliverer, inline: bool, sweep_every_s: float = 5.0):
        self.inbox, self.deliverer, self.inline = inbox, deliverer, inline
        self._queue: queue.Queue[int] = queue.Queue()
        self._deferred: list[int] = []
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._sweep_every = sweep_every_s
        self._thread: threading.Thread | None = None

    def submit(self, inbox_id: int | None) -> None:
        if inbox_id is None:
            return
        if self.inline:
            self.inbox.process(inbox_id)
            self.deliverer.drain()
            return
        self._queue.put(inbox_id)
        self._wake.set()

    def poke(self) -> None:
        """Work was written outside a message (an ERP post, a job): deliver it soon."""
        if self.inline:
            self.deliverer.drain()
        else:
            self._wake.set()

    def start(self) -> None:
        if self.inline or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="qudao-runner", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)

    def _loop(self) -> None:
        last_sweep = 0.0
        while not self._stop.is_set():
            try:
                retry, self._deferred = self._deferred, []
                for inbox_id in retry:      # waited for an earlier claim on the same customer
                    self._run(inbox_id)
                while True:
                    try:
                        self._run(self._queue.get_nowait())
                    except queue.Empty:
                        break
                if time.monotonic() - last_sweep > self._sweep_every:
                    last_sweep = time.monotonic()
                    for inbox_id in self.inbox.pending_ids():   # crashed or failed earlier: retry
                        self._run(inbox_id)
                self.deliverer.drain()
            except Exception:   # never let the worker thread die
                log.exception("runner loop error")
            self._wake.wait(0.05 if self._deferred else 0.5)
            self._wake.clear()

    def _run(self, inbox_id: int) -> None:
        if self.inbox.process(inbox_id) == "deferred" and inbox_id not in self._deferred:
            self._deferred.append(inbox_id)
