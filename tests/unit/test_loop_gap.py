"""The outbox loop under a stream of words (chat/runner.py ``Loop.idle_gap_s``):
rounds that find nothing are spaced out so what arrives meanwhile is handled
together; a round that did something is followed at once."""
from __future__ import annotations

import itertools
import threading
import time

from chat.runner import Loop
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
    # Without the gap this loop runs thousands of rounds in half a second.
    assert 3 <= len(rounds) <= 0.6 / 0.05 + 2, len(rounds)
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

