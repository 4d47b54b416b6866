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
    """"first" leads and blocks; ``later`` queue behind it; then "first" goes through."""
    got: dict[str, object] = {}

    def call(item: str) -> None:
        try:
            got[item] = combiner(item)
        except BaseException as exc:     # what the caller would see
            got[item] = exc

    threads = [threading.Thread(target=call, args=("first",))]
    threads[0].start()
    assert store.started.wait(5)
    for item in later:
        threads.append(threading.Thread(target=call, args=(item,)))
        threads[-1].start()
    deadline = time.monotonic() + 5
    while combiner.waiting < len(later) and time.monotonic() < deadline:
        time.sleep(0.005)
    assert combiner.waiting == len(later)
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
    assert store.statements[0] == ["first"]
    assert len(store.statements) == 2 and sorted(store.statements[1]) == later
    assert combiner.shared == 1 and combiner.waiting == 0


def test_a_statement_carries_at_most_its_limit_and_the_rest_follow():
    store = _Store()
    combiner = Combiner(store.one, store.many, most=2)
    later = ["r1", "r2", "r3", "r4", "r5"]
    got = _call_all(combiner, store, later)
    assert all(got[item] == f"id-{item}" for item in later)
    assert [len(s) for s in store.statements] == [1, 2, 2, 1]
    assert combiner.waiting == 0


def test_a_failed_shared_statement_sends_each_row_back_to_go_alone():
    """One bad row (a held replay key, say) fails the shared statement: each row is
    then inserted by its own caller, so the bad one gets its own error and the
    others are stored."""
    store = _Store(fail_shared=ValueError("shared statement refused"))
    combiner = Combiner(store.one, store.many, most=16)
    got = _call_all(combiner, store, ["r1", "bad-r2", "r3"])
    assert got["r1"] == "id-r1" and got["r3"] == "id-r3" and got["first"] == "id-first"
    assert isinstance(got["bad-r2"], ValueError) and str(got["bad-r2"]) == "bad-r2"
    assert sorted(map(tuple, store.statements)) == [("first",), ("r1",), ("r3",)]
    assert combiner.shared == 0


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
