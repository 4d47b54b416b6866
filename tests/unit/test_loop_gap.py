"""The loops of a worker process (chat/runner.py): the outbox loop under a stream of
words (``Loop.idle_gap_s``: rounds that find nothing are spaced out so what arrives
meanwhile is handled together; a round that did something is followed at once), and
what the sequencer and delivery loops tell the queue statistics."""
from __future__ import annotations

import itertools
import threading
import time

from chat.runner import OUTBOX_IDLE_GAP_S, WORKERS, Loop, Runner
from chat.wakeup import Signal


def _run(loop: Loop, until) -> None:
    thread = threading.Thread(target=loop.loop, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not until() and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        loop.stopping.set()
        loop.signal.set()
        thread.join(5)
    assert not thread.is_alive()


def test_rounds_that_find_nothing_are_spaced_however_many_words_come():
    signal, rounds = Signal(), []

    def step():
        rounds.append(time.monotonic())
        signal.set()                    # another command committed replies meanwhile: a word
        return 0                        # …but every member's queue is paced: nothing to send

    started = time.monotonic()
    _run(Loop("outbox delivery", step, signal, poll_s=5, idle_gap_s=0.05), lambda: time.monotonic() - started > 0.5)
    elapsed = rounds[-1] - rounds[0]
    # Without the gap this loop runs thousands of rounds in half a second.
    assert 3 <= len(rounds) <= elapsed / 0.05 + 2, (len(rounds), elapsed)
    gaps = [b - a for a, b in itertools.pairwise(rounds)]
    assert min(gaps) >= 0.045, gaps


def test_a_round_that_sent_something_is_followed_at_once():
    signal, rounds = Signal(), []

    def step():
        rounds.append(time.monotonic())
        return 1 if len(rounds) < 30 else 0

    _run(Loop("outbox delivery", step, signal, poll_s=5, idle_gap_s=0.2), lambda: len(rounds) >= 30)
    assert len(rounds) >= 30
    assert rounds[29] - rounds[0] < 29 * 0.2 / 4      # far less than a gap per round



class _Stats:
    def __init__(self):
        self.ticks: list[bool] = []

    def tick(self, did_work):
        self.ticks.append(did_work)
        return []

    def join(self, timeout):
        pass


class _Waker:
    def __init__(self):
        from chat.wakeup import Signal
        self.signal = Signal()

    def publish(self):
        pass

    def listen(self):
        pass

    def relay_to(self, signal):
        pass

    def close(self):
        pass


def test_the_sequencer_and_delivery_loops_tell_the_statistics_what_they_did():
    class Seq:
        results = [3, 0]

        def run(self):
            return self.results.pop(0)

    class Deliverer:
        results = [0, 2]

        def deliver_due(self):
            return self.results.pop(0)

    stats = _Stats()
    runner = Runner(inbox=None, deliverer=Deliverer(), mode=WORKERS, sequencer=Seq(), waker=_Waker(),
                    queue_stats=stats)
    assert runner._sequence() == 3 and runner._sequence() == 0
    assert runner._deliver() == 0 and runner._deliver() == 2
    assert stats.ticks == [True, False, False, True]


def test_only_the_outbox_loop_has_the_gap():
    class Registry:
        def warm(self):
            pass

    class Inbox:
        class router:
            registry = Registry()

        def claim(self, holder, limit, key=None):
            return "t", []

    class Seq:
        def run(self):
            return 0

        def retry_in(self):
            return None

    class Deliverer:
        def deliver_due(self):
            return 0

    runner = Runner(Inbox(), Deliverer(), WORKERS, Seq(), _Waker(), queue_stats=_Stats())
    runner.start_workers(1)
    try:
        gaps = {loop.name: loop.idle_gap_s for loop in runner.loops}
    finally:
        runner.stop(timeout=5)
    assert gaps == {"outbox delivery": OUTBOX_IDLE_GAP_S, "sequencer": 0.0}
