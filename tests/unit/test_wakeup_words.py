"""A web process under a burst of acknowledgements says few wake-up words, and
never leaves the last one unsaid."""
from __future__ import annotations

import time

from chat import wakeup
from chat.wakeup import Waker
from tests.support.reading import wait_for


class _CountingWaker(Waker):
    def __init__(self):
        super().__init__(engine=None, redis_url=None)
        self.words = 0

    @property
    def remote(self) -> str:
        return "counted"                   # not "none": words go out, to the counter

    def _send_word(self) -> None:
        self.words += 1
        time.sleep(0.001)                  # a round trip


def test_a_burst_of_publishes_is_a_few_words_and_the_last_is_said(monkeypatch):
    monkeypatch.setattr(wakeup, "WORD_GAP_S", 0.05)
    waker = _CountingWaker()
    try:
        started = time.monotonic()
        for _ in range(500):               # 500 acknowledgements in a quarter of a second
            waker.publish()
            time.sleep(0.0005)
        elapsed = time.monotonic() - started
        assert wait_for(lambda: not waker._outgoing.is_set(), timeout=2)
        said = waker.words
        assert 1 <= said <= elapsed / wakeup.WORD_GAP_S + 2      # one per gap at most, not one per message
        waker.publish()                     # a lone publish after the burst still goes out
        assert wait_for(lambda: waker.words == said + 1, timeout=2)
    finally:
        waker.close()
