"""Receive order on the real PostgreSQL: the acknowledgement is one INSERT, the
sequencer gives claim keys in id order and never passes an id that could still
appear, and a claim waits for every earlier claim on the same customer."""
from __future__ import annotations

import threading
import time

import psycopg
import pytest
from sqlalchemy import func, select, text

from chat.inbox import Replayed
from chat.sequencer import Sequencer
from models import InboxCursor, InboxMessage
from tests.support.inbox_rows import stored_keys as _keys
from tests.support.inbox_rows import text_message as _msg
from tests.support.reading import texts_to

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

CLAIM = "报备 北京协和医院 彩超 50万"


def _sequencer(q) -> Sequencer:
    return Sequencer(q.factory, q.services.registry.ordering_key, grace_s=0)


def _rows(q):
    with q.factory() as s:
        return s.execute(select(InboxMessage.id, InboxMessage.status, InboxMessage.claim_key, InboxMessage.sender)
                         .order_by(InboxMessage.id)).all()


def _upto(q) -> int:
    with q.factory() as s:
        return s.execute(select(InboxCursor.upto)).scalar_one()


def test_the_ack_is_one_insert_and_no_language_work(pg_app, clock, monkeypatch):
    q = pg_app.extensions["qudao"]
    parsed = []
    monkeypatch.setattr(q.services.registry, "ordering_key", lambda body: parsed.append(body))
    # Counted at the driver: the ack's INSERT bypasses SQLAlchemy (chat/ack_insert.py),
    # so every statement any connection sends goes through psycopg's execute.
    q.inbox.accept(_msg(clock, "dealer_bj_wang", "我的报备", 0), "wecom:m0")   # the ack's pool connects first
    statements = []
    execute = psycopg.Cursor.execute

    def counting(cur, query, *a, **kw):
        statements.append(query if isinstance(query, str) else query.as_string(cur))
        return execute(cur, query, *a, **kw)

    monkeypatch.setattr(psycopg.Cursor, "execute", counting)
    first = q.inbox.accept(_msg(clock, "dealer_bj_li", CLAIM, 1), "wecom:m1")
    again = q.inbox.accept(_msg(clock, "dealer_bj_li", CLAIM, 1), "wecom:m1")     # the platform's retry
    monkeypatch.undo()
    assert first is not None and again is None
    assert len(statements) == 2 and all(s.lstrip().upper().startswith("INSERT INTO INBOX") for s in statements)
    assert parsed == []                       # the claim key is the sequencer's business
    assert [r.claim_key for r in _rows(q)] == [None, None]


def test_claim_keys_in_id_order_and_a_rolled_back_id_closed_by_a_tombstone(pg_app, clock):
    q = pg_app.extensions["qudao"]
    a = q.inbox.accept(_msg(clock, "dealer_bj_li", CLAIM, 1), "wecom:m1")
    with q.engine.begin() as conn:            # an insert that rolled back spent this id
        lost = conn.execute(text("SELECT nextval(pg_get_serial_sequence('inbox', 'id'))")).scalar()
    b = q.inbox.accept(_msg(clock, "dealer_hx_sun", CLAIM, 2), "wecom:m2")
    assert (a, lost, b) == (a, a + 1, a + 2)
    seq = _sequencer(q)
    assert seq.run() == 2 and _upto(q) == a            # the first row, and the gap closed, not passed
    assert seq.run() == 2 and _upto(q) == b            # the tombstone, and the row after it
    assert seq.run() == 0
    rows = _rows(q)
    assert [(r.id, r.status) for r in rows] == [(a, "new"), (lost, "gap"), (b, "new")]
    assert rows[0].claim_key and rows[0].claim_key == rows[2].claim_key
    # only the earliest claim on the customer can be claimed; the second waits for it
    token, claimed = q.inbox.claim("test", 10)
    assert claimed == [(a, rows[0].claim_key, True)]          # and says a later claim on it waits
    assert q.inbox.process_claimed(a, token) == "done"
    token, claimed = q.inbox.claim("test", 10)
    assert [c.id for c in claimed] == [b]


def test_an_idle_sequencer_comes_back_when_a_gaps_grace_ends_not_at_the_next_poll(pg_app, clock):
    """Duplicate deliveries spend ids, one gap per duplicate; each gap is closed once
    its grace has passed. The sequencer's loop waits that long, not the 1 s poll, or a
    burst of retried callbacks would be answered a second per duplicate."""
    from chat.runner import Loop
    from chat.wakeup import Signal
    q = pg_app.extensions["qudao"]
    a = q.inbox.accept(_msg(clock, "dealer_bj_li", CLAIM, 1), "wecom:m1")
    with q.engine.begin() as conn:
        conn.execute(text("SELECT nextval(pg_get_serial_sequence('inbox', 'id'))"))
    q.inbox.accept(_msg(clock, "dealer_hx_sun", CLAIM, 2), "wecom:m2")
    seq = Sequencer(q.factory, q.services.registry.ordering_key, grace_s=0.2)
    assert seq.retry_in() is None
    assert seq.run() == 1 and _upto(q) == a                 # the first row; the gap is seen, within its grace
    assert 0 < seq.retry_in() <= 0.2
    rounds = []
    loop = Loop("sequencer", lambda: rounds.append(time.monotonic()) or seq.run(), Signal(), poll_s=5,
                retry_in=seq.retry_in)
    worker = threading.Thread(target=loop.loop, daemon=True)
    started = time.monotonic()
    worker.start()
    try:
        deadline = time.monotonic() + 4
        while _upto(q) < a + 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        loop.stopping.set()
        loop.signal.set()
        worker.join(5)
    assert _upto(q) == a + 2, "the gap waited for the poll"
    assert rounds[-1] - started < 2                       # well before the 5 s poll
    assert seq.retry_in() is None


def test_an_insert_still_in_flight_is_waited_for_not_passed(pg_app, clock):
    """An earlier id committed after a later one: the sequencer can't pass it, and
    it is the earlier claim — the one that must win."""
    q = pg_app.extensions["qudao"]
    slow = q.engine.connect()
    tx = slow.begin()
    early = slow.execute(q.inbox._accept_stmt, {
        "platform": "wecom", "dedup_key": "wecom:slow", "sender": "dealer_hx_sun",
        "payload": _msg(clock, "dealer_hx_sun", CLAIM, 9).to_dict(), "received_at": clock.now(), "status": "new",
        "attempts": 0}).scalar()
    late = q.inbox.accept(_msg(clock, "dealer_bj_li", CLAIM, 10), "wecom:fast")
    assert late == early + 1
    seq = _sequencer(q)
    rounds: list[int] = []
    worker = threading.Thread(target=lambda: rounds.append(seq.run()))
    worker.start()
    time.sleep(0.5)
    assert worker.is_alive()                 # the tombstone waits on the insert in flight…
    tx.commit()                              # …which commits
    slow.close()
    worker.join(10)
    while seq.run():
        pass
    rows = _rows(q)
    assert [(r.id, r.status, r.sender) for r in rows] == [(early, "new", "dealer_hx_sun"),
                                                          (late, "new", "dealer_bj_li")]
    assert _upto(q) == late and rows[0].claim_key == rows[1].claim_key
    _token, claimed = q.inbox.claim("test", 10)
    assert [c.id for c in claimed] == [early]


def test_an_id_taken_by_a_tombstone_is_inserted_again(pg_app, clock):
    q = pg_app.extensions["qudao"]
    with q.engine.begin() as conn:
        nxt = conn.execute(text("SELECT nextval(pg_get_serial_sequence('inbox', 'id'))")).scalar() + 1
        conn.execute(text("INSERT INTO inbox (id, platform, dedup_key, sender, payload, received_at, status, attempts)"
                          " VALUES (:i, '', :k, '', '{}', now(), 'gap', 0)"), {"i": nxt, "k": f"gap:{nxt}"})
    got = q.inbox.accept(_msg(clock, "dealer_bj_li", "帮助", 1), "wecom:m1")
    assert got == nxt + 1
    with q.factory() as s:
        assert s.execute(select(func.count()).select_from(InboxMessage)).scalar() == 2


def test_a_replay_key_is_held_by_one_message(pg_app, clock):
    """The replay key is unique: another message under it is refused and nothing
    is stored; the same message under it again is a duplicate, not a replay."""
    q = pg_app.extensions["qudao"]
    first = q.inbox.accept(_msg(clock, "dealer_bj_li", "帮助", 1), "wecom:r1", "wecom:1700:abc")
    assert first is not None
    assert q.inbox.accept(_msg(clock, "dealer_bj_li", "帮助", 1), "wecom:r1", "wecom:1700:abc") is None
    with pytest.raises(Replayed):
        q.inbox.accept(_msg(clock, "dealer_bj_li", "我的报备", 2), "wecom:r2", "wecom:1700:abc")
    # a message without one (DingTalk, the console) is never a replay
    assert q.inbox.accept(_msg(clock, "dealer_bj_li", "我的报备", 3), "wecom:r3") is not None
    assert q.inbox.accept(_msg(clock, "dealer_bj_li", "我的报备", 4), "wecom:r4") is not None
    assert _keys(q) == [
        ("wecom:r1", "wecom:1700:abc"), ("wecom:r3", None), ("wecom:r4", None)]


def test_the_same_message_twice_at_once_is_one_row_and_no_error(pg_app, clock):
    """Two copies in flight together: the second waits on the first's uncommitted row
    and then finds it a duplicate, whichever unique index it meets first."""
    q = pg_app.extensions["qudao"]
    slow = q.engine.connect()
    tx = slow.begin()
    slow.execute(q.inbox._accept_stmt, {
        "platform": "wecom", "dedup_key": "wecom:twice", "sender": "dealer_bj_li",
        "payload": _msg(clock, "dealer_bj_li", "帮助", 5).to_dict(), "received_at": clock.now(), "status": "new",
        "attempts": 0, "replay_key": "wecom:1800:xyz"})
    got: list = []
    second = threading.Thread(target=lambda: got.append(
        q.inbox.accept(_msg(clock, "dealer_bj_li", "帮助", 5), "wecom:twice", "wecom:1800:xyz")))
    second.start()
    time.sleep(0.3)
    assert second.is_alive()                 # waiting on the first copy's row
    tx.commit()
    slow.close()
    second.join(10)
    assert got == [None]
    assert _keys(q) == [("wecom:twice", "wecom:1800:xyz")]


def test_threads_mode_on_postgres_answers_in_the_background(pg_url, redis_url, wecom, clock, base_settings):
    from tests.support.apps import build_app
    from tests.support.reading import wait_for
    from tests.support.wecom import WeComDriver
    settings = base_settings.with_(database_url=pg_url, redis_url=redis_url, simulator=False,
                                   processing="threads").with_wecom(api_base=wecom.base_url)
    app = build_app(settings, clock)
    q = app.extensions["qudao"]
    try:
        driver = WeComDriver(app, clock, base_settings, wecom)
        for user in ("dealer_hx_sun", "dealer_bj_li"):
            assert driver.text(user, CLAIM).status_code == 200
        assert wait_for(lambda: texts_to(wecom, "dealer_hx_sun") and texts_to(wecom, "dealer_bj_li"), timeout=30)
        assert "报备成功" in texts_to(wecom, "dealer_hx_sun")[-1]       # received first, holds it
        assert "北京华信" in texts_to(wecom, "dealer_bj_li")[-1]
    finally:
        if q.scheduler is not None:
            q.scheduler.stop()
        q.runner.stop()
        q.engine.dispose()


@pytest.mark.parametrize("via", ["postgresql", "redis"])
def test_an_acknowledgement_wakes_a_worker_in_another_process(pg_app, redis_url, via):
    """Across processes the word travels by Redis pub/sub, or by LISTEN/NOTIFY
    when there is no Redis (two wakers here: each would be in its own process)."""
    from chat.wakeup import Waker
    engine = pg_app.extensions["qudao"].engine
    url = redis_url if via == "redis" else None
    worker, web = Waker(engine, url), Waker(engine, url)
    assert worker.remote == via
    try:
        worker.listen()
        assert worker.signal.wait(0, 10)               # subscribed (it looks once then)
        seen = worker.signal.generation
        assert not worker.signal.wait(seen, 0.3)        # nothing said: nothing heard
        web.publish()
        assert worker.signal.wait(seen, 5)
    finally:
        worker.close()


def test_a_failing_claim_is_retried_then_told_busy_and_the_next_claim_waits_for_it(pg_app, clock, monkeypatch):
    from chat.inbox import MAX_ATTEMPTS
    from models import OutboxMessage
    q = pg_app.extensions["qudao"]
    first = q.inbox.accept(_msg(clock, "dealer_hx_sun", CLAIM, 1), "wecom:m1")
    second = q.inbox.accept(_msg(clock, "dealer_bj_li", CLAIM, 2), "wecom:m2")
    _sequencer(q).run()
    real_dispatch = q.inbox.router.dispatch

    def broken(ctx):
        if ctx.inbox_id == first:
            raise RuntimeError("the database hiccuped")
        real_dispatch(ctx)
    monkeypatch.setattr(q.inbox.router, "dispatch", broken)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        token, claimed = q.inbox.claim("test", 10)
        assert [(c.id, c.more) for c in claimed] == [(first, True)]     # the later claim on the customer waits
        assert q.inbox.process_claimed(first, token) == "failed"
        if attempt < MAX_ATTEMPTS:
            _token, claimed = q.inbox.claim("test", 10)
            assert claimed == []                              # not before its retry time; the next waits
        with q.engine.begin() as conn:
            row = conn.execute(select(InboxMessage.status, InboxMessage.attempts, InboxMessage.next_attempt_at,
                                      InboxMessage.claimed_by).where(InboxMessage.id == first)).one()
            assert row.attempts == attempt and row.claimed_by is None
            conn.execute(text("UPDATE inbox SET next_attempt_at = now() - interval '1 second' WHERE id = :i"),
                         {"i": first})
    assert row.status == "dead"
    with q.factory() as s:
        [busy] = s.execute(select(OutboxMessage).where(OutboxMessage.recipient == "dealer_hx_sun")).scalars()
    assert busy.idem_key == f"in:{first}:dead"
    token, claimed = q.inbox.claim("test", 10)                # now the second claim goes
    assert [c.id for c in claimed] == [second]
    assert q.inbox.process_claimed(second, token) == "done"


def test_a_worker_decides_the_claims_waiting_on_its_customer_one_after_another(pg_app, clock, monkeypatch):
    """A burst of claims on one customer: the worker that decided the first goes on
    with the next ones (in receive order) without waiting to be woken; other
    customers' messages are not held up behind them."""
    from chat.runner import Worker
    from models import Registration
    q = pg_app.extensions["qudao"]
    racers = ["dealer_hx_sun", "dealer_bj_li", "dealer_bj_wang"] * 3
    ids = [q.inbox.accept(_msg(clock, u, CLAIM, i), f"wecom:c{i}") for i, u in enumerate(racers)]
    other = q.inbox.accept(_msg(clock, "dealer_bj_li", "帮助", 99), "wecom:other")
    _sequencer(q).run()
    order = []
    real = q.inbox.process_claimed
    monkeypatch.setattr(q.inbox, "process_claimed", lambda i, token: (order.append(i), real(i, token))[1])
    published = []
    monkeypatch.setattr(q.runner.waker, "publish", lambda: published.append(1))
    worker = Worker(q.inbox, q.runner.sequencer, q.deliverer, q.runner.waker, name="w", batch=8, sequences=False)
    assert worker._process_batch() == len(ids) + 1          # one round: the whole burst and the other message
    assert order == [ids[0], other, *ids[1:]]                # the burst in receive order, the other not behind it
    assert published == []                                   # nobody else was woken for them
    with q.factory() as s:
        holders = s.execute(select(Registration.received_at, Registration.status)
                            .order_by(Registration.received_at)).all()
    assert [h.status for h in holders] == ["approved"] + ["rejected"] * (len(ids) - 1)   # the earliest holds it


def test_a_follow_stops_at_its_budget_and_says_more_wait(pg_app, clock, monkeypatch):
    """After a batch a worker follows at most CHAIN_MAX claims, then claims afresh;
    what still waits on the customer is announced, so an idle worker goes on."""
    from chat import runner as runner_mod
    from chat.runner import Worker
    q = pg_app.extensions["qudao"]
    racers = ["dealer_hx_sun", "dealer_bj_li", "dealer_bj_wang"] * 2
    ids = [q.inbox.accept(_msg(clock, u, CLAIM, i), f"wecom:b{i}") for i, u in enumerate(racers)]
    _sequencer(q).run()
    monkeypatch.setattr(runner_mod, "CHAIN_MAX", 3)
    published = []
    monkeypatch.setattr(q.runner.waker, "publish", lambda: published.append(1))
    worker = Worker(q.inbox, q.runner.sequencer, q.deliverer, q.runner.waker, name="w", batch=8, sequences=False)
    assert worker._process_batch() == 1 + 3                  # the earliest, then three followed
    assert published == [1]                                  # two still wait: said once
    with q.factory() as s:
        left = s.execute(select(InboxMessage.id).where(InboxMessage.status == "new")
                         .order_by(InboxMessage.id)).scalars().all()
    assert left == ids[4:]                                   # in receive order, the rest untouched


def test_a_restarted_database_costs_the_ack_one_retry_not_a_500(pg_app, clock):
    """Every pooled connection of the ack dies with the server (a restart, a
    failover): the first failure throws the whole pool away, the retry connects
    afresh, and the message is stored."""
    from tests.support.apps import pg_admin
    q = pg_app.extensions["qudao"]
    ack_engine = q.inbox._ack._engine
    # Several connections in the ack's pool (rows that fall back from a shared statement
    # each take one), then the ack's own row, on one of them.
    held = [ack_engine.raw_connection() for _ in range(3)]
    for conn in held:
        conn.close()
    assert q.inbox.accept(_msg(clock, "dealer_bj_li", "帮助", 0), "wecom:w0") is not None
    ack_pool = ack_engine.pool
    assert ack_pool.checkedin() == 3
    db = q.engine.url.database
    pg_admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}' "
             f"AND pid <> pg_backend_pid()")
    got = q.inbox.accept(_msg(clock, "dealer_bj_li", CLAIM, 99), "wecom:after-restart")
    assert got is not None
    q.engine.dispose()                                       # (the app's own pool died too: read afresh)
    with q.factory() as s:
        assert s.execute(select(InboxMessage.sender).where(InboxMessage.id == got)).scalar_one() == "dealer_bj_li"
