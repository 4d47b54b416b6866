"""The acknowledgement's group commit (chat/ack_batch.py): rows that come while one
is being inserted share the next statement; a failed shared statement sends every
row back to be inserted on its own; nobody is ever left waiting."""
from __future__ import annotations

import threading
import time

import pytest

from chat.ack_batch import Combiner


class _Store:
    """``one`` blocks on the first item until released, so the others queue behind it."""

    def __init__(self, fail_shared: BaseException | None = None):
        self.release = threading.Event()
        self.started = threading.Event()
        self.statements: list[list[str]] = []
        self.fail_shared = fail_shared

    def one(self, item: str) -> str:
        if item == "first":
            self.started.set()
            assert self.release.wait(5)
        if item.startswith("bad"):
            raise ValueError(item)
        self.statements.append([item])
        return f"id-{item}"

    def many(self, items: list[str]) -> list[str]:
        if self.fail_shared is not None:
            raise self.fail_shared
        self.statements.append(list(items))
        return [f"id-{item}" for item in items]


def _call_all(combiner: Combiner, store: _Store, later: list[str]) -> dict[str, object]:
    """"first" leads and blocks; ``later`` queue behind it one after another (each
    started once the one before is waiting), then "first" goes through."""
    got: dict[str, object] = {}

    def call(item: str) -> None:
        try:
            got[item] = combiner(item)
        except BaseException as exc:     # what the caller would see
            got[item] = exc

    threads = [threading.Thread(target=call, args=("first",))]
    threads[0].start()
    assert store.started.wait(5)
    deadline = time.monotonic() + 5
    for k, item in enumerate(later, start=1):
        threads.append(threading.Thread(target=call, args=(item,)))
        threads[-1].start()
        while combiner.waiting < k and time.monotonic() < deadline:
            time.sleep(0.002)
        assert combiner.waiting == k
    store.release.set()
    for thread in threads:
        thread.join(5)
        assert not thread.is_alive()
    return got


def test_a_row_alone_is_inserted_at_once_on_its_own():
    store = _Store()
    store.release.set()
    combiner = Combiner(store.one, store.many, most=16)
    assert combiner("a") == "id-a"
    assert combiner("b") == "id-b"
    assert store.statements == [["a"], ["b"]] and combiner.shared == 0


def test_rows_that_come_meanwhile_share_the_next_statement_in_arrival_order():
    store = _Store()
    combiner = Combiner(store.one, store.many, most=16)
    later = ["r1", "r2", "r3", "r4"]
    got = _call_all(combiner, store, later)
    assert got == {"first": "id-first", **{item: f"id-{item}" for item in later}}
    assert store.statements == [["first"], later]
    assert combiner.shared == 1 and combiner.waiting == 0


def test_a_statement_carries_at_most_its_limit_and_the_rest_follow():
    store = _Store()
    combiner = Combiner(store.one, store.many, most=2)
    later = ["r1", "r2", "r3", "r4", "r5"]
    got = _call_all(combiner, store, later)
    assert all(got[item] == f"id-{item}" for item in later)
    assert store.statements == [["first"], ["r1", "r2"], ["r3", "r4"], ["r5"]]
    assert combiner.waiting == 0


def test_a_failed_shared_statement_goes_row_by_row_in_arrival_order():
    """One bad row (a held replay key, say) fails the shared statement: the leader
    then inserts the rows one by one, in the order they came, so the bad one's caller
    gets its own error and the others are stored, ids still in arrival order."""
    store = _Store(fail_shared=ValueError("shared statement refused"))
    combiner = Combiner(store.one, store.many, most=16)
    got = _call_all(combiner, store, ["r1", "bad-r2", "r3", "r4"])
    assert got["r1"] == "id-r1" and got["r3"] == "id-r3" and got["r4"] == "id-r4" and got["first"] == "id-first"
    assert isinstance(got["bad-r2"], ValueError) and str(got["bad-r2"]) == "bad-r2"
    assert store.statements == [["first"], ["r1"], ["r3"], ["r4"]]
    assert combiner.shared == 0


def test_a_statement_answering_for_the_wrong_number_of_rows_counts_as_failed():
    store = _Store()
    store.many = lambda items: ["id-?"]                  # one answer for several rows
    combiner = Combiner(store.one, store.many, most=16)
    got = _call_all(combiner, store, ["r1", "r2"])
    assert got == {"first": "id-first", "r1": "id-r1", "r2": "id-r2"}
    assert store.statements == [["first"], ["r1"], ["r2"]]


def test_an_error_of_a_row_alone_reaches_its_caller_and_the_lead_passes_on():
    store = _Store()
    store.release.set()
    combiner = Combiner(store.one, store.many, most=16)
    with pytest.raises(ValueError):
        combiner("bad")
    assert combiner("after") == "id-after"      # not stuck behind a lead never given back


def test_nobody_is_left_waiting_when_the_leader_is_interrupted():
    """Not even a BaseException in the shared statement (the process stopping)
    leaves the rows behind it waiting: it reaches the thread that led the statement,
    the other rows go alone, and the next caller is not stuck behind a lead never
    given back."""
    store = _Store(fail_shared=KeyboardInterrupt())
    combiner = Combiner(store.one, store.many, most=16)
    got = _call_all(combiner, store, ["r1", "r2"])
    assert got["first"] == "id-first"
    outcomes = sorted([got["r1"], got["r2"]], key=str)
    assert isinstance(outcomes[0], KeyboardInterrupt) and outcomes[1] in ("id-r1", "id-r2")
    store.fail_shared = None
    assert combiner("after") == "id-after"


class _InterruptedWait:
    """threading.Event whose wait, in the threads named, raises after (or instead of)
    waiting: an exception raised into a thread while it waits for its turn."""

    def __init__(self, names: set[str], after_wake: bool):
        self._event = threading.Event()
        self._names, self._after_wake = names, after_wake

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        if threading.current_thread().name in self._names:
            if self._after_wake:
                self._event.wait(timeout)
            raise KeyboardInterrupt
        return self._event.wait(timeout)


@pytest.mark.parametrize("after_wake", [False, True])
def test_a_caller_stopped_while_waiting_leaves_nobody_stuck(monkeypatch, after_wake):
    """Stopped before its turn came, its row is dropped; stopped just as it was
    handed the lead, the lead passes to the next row. Either way the rows behind it
    are inserted and the next caller is not stuck behind a lead never taken."""
    from chat import ack_batch

    class _Stoppable(ack_batch._Turn):
        def __init__(self, item):
            super().__init__(item)
            self.woken = _InterruptedWait({"stopped"}, after_wake)

    monkeypatch.setattr(ack_batch, "_Turn", _Stoppable)
    store = _Store()
    combiner = Combiner(store.one, store.many, most=1)    # one row a statement: r1 is handed the lead alone
    got: dict[str, object] = {}

    def call(item: str) -> None:
        try:
            got[item] = combiner(item)
        except BaseException as exc:
            got[item] = exc

    first = threading.Thread(target=call, args=("first",))
    first.start()
    assert store.started.wait(5)
    stopped = threading.Thread(target=call, args=("r1",), name="stopped")
    stopped.start()
    if not after_wake:
        stopped.join(5)                                  # gone before its turn came
    else:
        deadline = time.monotonic() + 5
        while combiner.waiting < 1 and time.monotonic() < deadline:
            time.sleep(0.002)
    behind = threading.Thread(target=call, args=("r2",))
    behind.start()
    deadline = time.monotonic() + 5
    while combiner.waiting < (2 if after_wake else 1) and time.monotonic() < deadline:
        time.sleep(0.002)
    store.release.set()
    for thread in (first, stopped, behind):
        thread.join(5)
        assert not thread.is_alive()
    assert isinstance(got["r1"], KeyboardInterrupt)
    assert got["first"] == "id-first" and got["r2"] == "id-r2"
    assert ["r1"] not in store.statements
    assert combiner("after") == "id-after" and combiner.waiting == 0
