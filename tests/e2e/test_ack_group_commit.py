"""Group commit on the real PostgreSQL (chat/ack_batch.py): acknowledgements that
arrive while an INSERT is under way share the next one, ids in arrival order, each
caller told its own id; a duplicate or a replay inside a shared INSERT is treated as
it would be alone."""
from __future__ import annotations

import threading
import time

import psycopg
import pytest
from sqlalchemy import select, text

from chat.inbox import Replayed
from models import InboxMessage
from tests.support.inbox_rows import stored_keys as _keys
from tests.support.inbox_rows import text_message as _msg

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def _accept_behind_a_blocked_insert(q, clock, later: list[tuple[str, str | None]]):
    """The first acknowledgement's INSERT waits on a lock held elsewhere, so the ones
    after it (dedup key, replay key) queue up; then the lock goes. Returns (the first's
    id, what each later ``accept`` returned or raised, by its place in ``later``, the
    INSERT statements sent)."""
    blocker = q.engine.connect()
    tx = blocker.begin()
    blocker.execute(text("LOCK TABLE inbox IN SHARE MODE"))
    statements: list[str] = []
    execute = psycopg.Cursor.execute

    def counting(cur, query, *a, **kw):
        statements.append(query if isinstance(query, str) else query.as_string(cur))
        return execute(cur, query, *a, **kw)

    got: dict[int, object] = {}

    def accept(key: str, replay: str | None, n: int) -> None:
        try:
            got[n] = q.inbox.accept(_msg(clock, "dealer_bj_li", "帮助", n), key, replay)
        except Exception as exc:
            got[n] = exc

    combiner = q.inbox._ack.combiner
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(psycopg.Cursor, "execute", counting)
        threads = [threading.Thread(target=accept, args=("wecom:first", None, 0))]
        threads[0].start()
        deadline = time.monotonic() + 5
        while not statements and time.monotonic() < deadline:
            time.sleep(0.01)                  # the first INSERT is sent (and waits on the lock)
        for n, (key, replay) in enumerate(later, start=1):     # one after another: a known arrival order
            threads.append(threading.Thread(target=accept, args=(key, replay, n)))
            threads[-1].start()
            while combiner.waiting < n and time.monotonic() < deadline:
                time.sleep(0.005)
            assert combiner.waiting == n
        tx.rollback()
        blocker.close()
        for thread in threads:
            thread.join(10)
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO INBOX")]
    return got.pop(0), [got[n] for n in range(1, len(later) + 1)], inserts


def test_acknowledgements_that_arrive_together_share_one_insert(pg_app, clock):
    """Group commit: the rows that came while an INSERT was under way go in the next
    one, each caller told its own id, ids in the order the rows are stored."""
    q = pg_app.extensions["qudao"]
    later = [(f"wecom:s{i}", f"wecom:17:{i}") for i in range(5)]
    first, got, inserts = _accept_behind_a_blocked_insert(q, clock, later)
    assert len(inserts) == 2 and q.inbox._ack.combiner.shared == 1
    assert got == list(range(first + 1, first + 6))                 # ids in arrival order
    assert sorted(_keys(q)) == sorted([("wecom:first", None), *later])
    with q.factory() as s:
        stored = dict(s.execute(select(InboxMessage.dedup_key, InboxMessage.id)).all())
    assert [stored[key] for key, _ in later] == got


def test_a_message_twice_in_one_shared_insert_is_stored_once(pg_app, clock):
    q = pg_app.extensions["qudao"]
    q.inbox.accept(_msg(clock, "dealer_bj_li", "帮助", 9), "wecom:known")
    _first, got, inserts = _accept_behind_a_blocked_insert(
        q, clock, [("wecom:twice", "wecom:18:a"), ("wecom:twice", "wecom:18:a"), ("wecom:known", None),
                   ("wecom:new", None)])
    twice = sorted(got[:2], key=lambda x: x is None)      # either copy may be the first
    assert isinstance(twice[0], int) and twice[1] is None
    assert got[2] is None and isinstance(got[3], int)
    assert len(inserts) == 2 and q.inbox._ack.combiner.shared == 1
    assert sorted(k for k, _ in _keys(q)) == ["wecom:first", "wecom:known", "wecom:new", "wecom:twice"]


def test_a_replay_in_a_shared_insert_is_refused_alone_and_the_others_are_stored(pg_app, clock):
    """Two messages under one replay key in the same shared INSERT fail it: each row
    is then inserted on its own, so one of the two is refused (Replayed) and every
    other row is stored."""
    q = pg_app.extensions["qudao"]
    first, got, inserts = _accept_behind_a_blocked_insert(
        q, clock, [("wecom:a", "wecom:19:same"), ("wecom:b", "wecom:19:same"), ("wecom:c", None)])
    assert isinstance(first, int) and isinstance(got[2], int)
    refused = [key for key, outcome in zip(("wecom:a", "wecom:b"), got) if isinstance(outcome, Replayed)]
    kept = [key for key, outcome in zip(("wecom:a", "wecom:b"), got) if isinstance(outcome, int)]
    assert len(refused) == 1 and len(kept) == 1
    assert q.inbox._ack.combiner.shared == 0
    assert kept == ["wecom:a"] and refused == ["wecom:b"]            # row by row, in arrival order
    assert _keys(q) == [("wecom:first", None), ("wecom:a", "wecom:19:same"), ("wecom:c", None)]
    assert len(inserts) == 2 + 3                # the first, the failed shared one, then one each
