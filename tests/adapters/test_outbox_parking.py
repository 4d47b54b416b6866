"""A member's queue behind a message that must wait (WeCom's 30 a minute) is parked,
so claims do not read it again and again, and is released one message at a time as
the one before it goes — on PostgreSQL, where several workers claim at once."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from chat import outbox, outbox_queue
from chat.messages import Text
from models import OutboxMessage
from tests.support.outbox_rows import enqueue, rows
from tests.support.reading import texts_to

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def q(app):
    return app.extensions["qudao"]


def _fill(app, n: int, who: str = "dealer_bj_li", start: int = 0) -> None:
    for i in range(start, start + n):
        enqueue(app, who, f"消息{i}", f"{who}:{i}")


def test_the_queue_behind_a_paced_message_is_parked_then_released_in_order(pg_app, wecom, clock):
    _fill(pg_app, 40)
    enqueue(pg_app, "director", "别人的", "other")
    deliverer = q(pg_app).deliverer
    deliverer.drain(max_rounds=50)
    assert len(texts_to(wecom, "dealer_bj_li")) == 30 and texts_to(wecom, "director") == ["别人的"]
    head, *queue = [r for r in rows(pg_app) if r.status == "pending"]
    assert head.next_attempt_at > clock.now()                     # paced: the minute is full
    assert queue and all(r.next_attempt_at > head.next_attempt_at for r in queue)   # parked behind it
    # Nothing is due now: a claim reads no row at all (before parking it read all ten, every time).
    with q(pg_app).factory() as s:
        assert s.execute(outbox_queue.DUE, {"now": clock.now(), "scan": 50}).all() == []
    clock.advance(seconds=61)
    deliverer.drain(max_rounds=50)
    assert texts_to(wecom, "dealer_bj_li") == [f"消息{i}" for i in range(40)]
    assert wecom.state.dropped("dealer_bj_li") == []


def test_a_sent_message_makes_the_next_one_due_at_once(pg_app, wecom, clock):
    _fill(pg_app, 33)
    deliverer = q(pg_app).deliverer
    deliverer.drain(max_rounds=50)
    pending = [r for r in rows(pg_app) if r.status == "pending"]
    assert len(pending) == 3
    clock.advance(seconds=61)
    [head] = deliverer._claim(1)                                   # the paced one goes now…
    deliverer._deliver_one(head, head.lease_until, None)
    after = {r.id: r for r in rows(pg_app)}
    assert after[pending[0].id].status == "sent"
    assert after[pending[1].id].next_attempt_at == clock.now()     # …its successor is due at once…
    assert after[pending[2].id].next_attempt_at > clock.now()      # …the one after it still waits its turn
    deliverer.drain(max_rounds=50)
    assert texts_to(wecom, "dealer_bj_li") == [f"消息{i}" for i in range(33)]


def test_a_head_another_worker_is_finishing_leaves_its_queue_due(pg_app, wecom, clock):
    """The head is locked by another worker recording its send: this claim can't know
    whether it is done, so it parks nothing behind it (a parked row then would be
    released by nobody until the backstop)."""
    _fill(pg_app, 31)
    deliverer = q(pg_app).deliverer
    deliverer.drain(max_rounds=50)
    [paced] = [r for r in rows(pg_app) if r.status == "pending"]
    enqueue(pg_app, "dealer_bj_li", "又一条", "late")
    _make_due(pg_app, "late", clock)     # written parked (its head is paced): due, as if written before
    with q(pg_app).factory() as other, other.begin():
        other.execute(select(OutboxMessage).where(OutboxMessage.id == paced.id).with_for_update())
        assert deliverer._claim_round(10) == ([], 0)               # the late one: blocked, not parked
        other.execute(update(OutboxMessage).where(OutboxMessage.id == paced.id)
                      .values(next_attempt_at=clock.now() - timedelta(seconds=1)))
    late = rows(pg_app)[-1]
    assert late.next_attempt_at <= clock.now()
    clock.advance(seconds=61)
    deliverer.drain(max_rounds=50)
    assert texts_to(wecom, "dealer_bj_li")[-2:] == ["消息30", "又一条"]


def _make_due(app, key: str, clock) -> None:
    with q(app).factory() as s, s.begin():
        s.execute(update(OutboxMessage).where(OutboxMessage.idem_key == key).values(next_attempt_at=clock.now()))


def test_a_reply_behind_a_held_back_queue_is_written_parked(pg_app, wecom, clock):
    """A reply whose member's queue is held back (its head paced for a while yet) is
    written parked, with the backstop a claim would give it, so claims do not read it
    only to park it; it goes when the row before it does. Behind a head that may go any
    moment (nothing queued, a head due, being sent, or due within HELD_S) it is written due."""
    enqueue(pg_app, "director", "空队列", "empty")
    assert rows(pg_app)[0].next_attempt_at == clock.now()        # nothing queued: due
    _fill(pg_app, 31)
    deliverer = q(pg_app).deliverer
    deliverer.drain(max_rounds=50)
    [paced] = [r for r in rows(pg_app) if r.status == "pending"]
    assert paced.next_attempt_at == clock.now() + timedelta(seconds=61)
    clock.advance(seconds=30)
    enqueue(pg_app, "dealer_bj_li", "又一条", "late")
    late = rows(pg_app)[-1]
    assert late.next_attempt_at == paced.next_attempt_at + timedelta(seconds=outbox.PARK_S)
    with q(pg_app).factory() as s:
        assert s.execute(outbox_queue.DUE, {"now": clock.now(), "scan": 50}).all() == []
    clock.advance(seconds=31 - outbox.HELD_S + 1)
    enqueue(pg_app, "dealer_bj_li", "快了", "soon")               # the head goes within HELD_S: due
    assert rows(pg_app)[-1].next_attempt_at == clock.now()
    clock.advance(seconds=outbox.HELD_S - 1)
    deliverer.drain(max_rounds=50)        # the paced one goes, and releases the parked ones in turn
    assert texts_to(wecom, "dealer_bj_li")[-3:] == ["消息30", "又一条", "快了"]
    # Behind a head that is due (not yet claimed) or being sent: written due.
    enqueue(pg_app, "dealer_bj_wang", "一", "w1")
    enqueue(pg_app, "dealer_bj_wang", "二", "w2")
    with q(pg_app).factory() as s, s.begin():
        s.execute(update(OutboxMessage).where(OutboxMessage.idem_key == "w1")
                  .values(status="sending", next_attempt_at=clock.now() + timedelta(seconds=40),
                          lease_until=clock.now() + timedelta(seconds=40)))
    enqueue(pg_app, "dealer_bj_wang", "三", "w3")
    _, w2, w3 = rows(pg_app)[-3:]
    assert w2.next_attempt_at == w3.next_attempt_at == clock.now()


def test_replies_joining_a_held_back_queue_are_written_parked_by_their_depth(pg_app, wecom, clock, monkeypatch):
    """Replies written behind a paced head are parked by their INSERT where a claim
    would park them: PARK_S past the head's time, a window (60 s) more for every 30
    rows ahead (each row's place in the queue less its head's). So no claim reads one
    only to park it again: the release chain sends them all, in order, as the minutes
    allow, without a single row parked."""
    parked = _count_parks(monkeypatch)
    _fill(pg_app, 31)
    deliverer = q(pg_app).deliverer
    deliverer.drain(max_rounds=50)
    [paced] = [r for r in rows(pg_app) if r.status == "pending"]
    written = clock.now()
    assert paced.next_attempt_at == written + timedelta(seconds=61)
    _fill(pg_app, 90, start=31)
    joined = [r for r in rows(pg_app) if r.id > paced.id]
    assert [r.queue_pos - paced.queue_pos for r in joined] == list(range(1, 91))
    offsets = [(r.next_attempt_at - written).total_seconds() for r in joined]
    assert offsets == [61 + outbox.PARK_S + (ahead // 30) * 60 for ahead in range(1, 91)], offsets
    parked.clear()
    for _ in range(125):                  # 4 minutes 10 s: three windows of 30, then the last
        deliverer.deliver_due()
        clock.advance(seconds=2)
    assert texts_to(wecom, "dealer_bj_li") == [f"消息{i}" for i in range(121)]
    assert wecom.state.dropped("dealer_bj_li") == [] and sum(parked) == 0, parked


def test_a_commands_reply_behind_a_held_back_queue_is_parked_by_the_platforms_pacing(pg_app, pg_driver, wecom,
                                                                                      clock):
    """A command's reply (not the test helper's) is parked by WeCom's pacing: 31 rows
    ahead of it (its head and the 30 parked behind it) are a window more than PARK_S."""
    _fill(pg_app, 61)
    q(pg_app).deliverer.drain(max_rounds=50)
    head, *_ = waiting = [r for r in rows(pg_app) if r.status == "pending"]
    assert len(waiting) == 31
    assert pg_driver.text("dealer_bj_li", "我的报备").status_code == 200
    reply = rows(pg_app)[-1]
    assert reply.idem_key.startswith("in:") and reply.status == "pending"
    assert reply.queue_pos - head.queue_pos == 31
    assert reply.next_attempt_at == head.next_attempt_at + timedelta(seconds=outbox.PARK_S + 60)


def test_a_reply_written_parked_counts_at_most_ahead_cap_rows_ahead(pg_app, wecom, clock, monkeypatch):
    """However deep the queue, a reply written parked waits at most the windows of
    AHEAD_CAP rows ahead (two hours on WeCom; here 60 rows: two windows)."""
    monkeypatch.setattr(outbox, "AHEAD_CAP", 60)
    _fill(pg_app, 31)
    q(pg_app).deliverer.drain(max_rounds=50)
    [paced] = [r for r in rows(pg_app) if r.status == "pending"]
    _fill(pg_app, 91, start=31)
    *_, k88, k89, k90, k91 = [r for r in rows(pg_app) if r.id > paced.id]
    waits = [(r.next_attempt_at - paced.next_attempt_at).total_seconds() for r in (k88, k89, k90, k91)]
    assert waits == [outbox.PARK_S + 120] * 4, waits       # uncapped, 90 and 91 ahead: three windows


def test_a_reply_behind_a_row_without_a_place_is_parked_park_s_out(pg_app, wecom, clock):
    """A head written before migration 0022 has no place in its queue: the rows ahead
    are unknown, so a reply behind it is parked PARK_S from now, as before (paced or
    not: the console's replies have no pacing)."""
    _fill(pg_app, 31)
    q(pg_app).deliverer.drain(max_rounds=50)
    with q(pg_app).factory() as s, s.begin():
        s.execute(update(OutboxMessage).where(OutboxMessage.status == "pending").values(queue_pos=None))
    enqueue(pg_app, "dealer_bj_li", "旧队列后面", "behind-old")
    late = rows(pg_app)[-1]
    assert late.queue_pos == 0 and late.next_attempt_at == clock.now() + timedelta(seconds=outbox.PARK_S)
    with q(pg_app).factory() as s, s.begin():
        outbox.enqueue(s, clock, "dealer_bj_li", Text("不限速"), "unpaced", platform="wecom", limits=())
    assert rows(pg_app)[-1].next_attempt_at == clock.now() + timedelta(seconds=outbox.PARK_S)


def test_a_parked_reply_whose_release_came_before_its_commit_waits_only_its_backstop(pg_app, wecom, clock):
    """The one case the release chain misses: a reply written parked (its queue held
    back) whose queue moves up to it before its command commits (the release can't see
    the uncommitted row). The reply then waits for its backstop, PARK_S past its head's
    time, not longer."""
    _fill(pg_app, 31)
    deliverer = q(pg_app).deliverer
    deliverer.drain(max_rounds=50)
    [paced] = [r for r in rows(pg_app) if r.status == "pending"]
    clock.advance(seconds=30)
    with q(pg_app).factory() as writer, writer.begin():
        outbox.enqueue(writer, clock, "dealer_bj_li", Text("竞态"), "race", platform="wecom",
                       limits=q(pg_app).services.pacing("wecom", "dealer_bj_li"))
        clock.advance(seconds=31)                 # meanwhile the paced row goes
        assert deliverer.drain(max_rounds=5) == 1
    assert [r.status for r in rows(pg_app) if r.id == paced.id] == ["sent"]
    assert rows(pg_app)[-1].next_attempt_at == paced.next_attempt_at + timedelta(seconds=outbox.PARK_S)
    assert deliverer.drain() == 0                 # not released: it waits…
    clock.advance(seconds=outbox.PARK_S)          # from the head's send, when its queue reached it
    assert deliverer.drain() == 1                 # …for its backstop only
    assert texts_to(wecom, "dealer_bj_li")[-1] == "竞态"


def test_a_message_failed_for_good_releases_the_next(pg_app, wecom, clock):
    """A permanent failure ends the head too: the queue behind it goes on."""
    _fill(pg_app, 30)
    deliverer = q(pg_app).deliverer
    deliverer.drain(max_rounds=50)
    enqueue(pg_app, "dealer_bj_li", "失败", "bad")
    enqueue(pg_app, "dealer_bj_li", "之后", "after")
    deliverer.drain()
    bad, after = rows(pg_app)[-2:]
    assert bad.next_attempt_at > clock.now() and after.next_attempt_at > bad.next_attempt_at
    clock.advance(seconds=61)
    wecom.state.fail_next("message/send", 81013, times=1)           # no such user: permanent
    [head] = deliverer._claim(1)
    deliverer._deliver_one(head, head.lease_until, None)
    bad, after = rows(pg_app)[-2:]
    assert bad.status == "failed" and after.next_attempt_at == clock.now()
    deliverer.drain()
    assert texts_to(wecom, "dealer_bj_li")[-1] == "之后"


def test_a_queue_longer_than_a_batch_never_hides_its_head(pg_app, wecom, clock):
    """120 messages to one member, 30 a minute: after each minute the next head is paced
    a moment later than the queue behind it was parked, so the queue comes due first and
    fills whole batches. It is parked again behind its head, and everything goes, in order."""
    _fill(pg_app, 120)
    deliverer = q(pg_app).deliverer
    for minute in range(5):
        deliverer.drain(max_rounds=50)
        assert len(texts_to(wecom, "dealer_bj_li")) == min(120, 30 * (minute + 1)), minute
        clock.advance(seconds=62)
    assert texts_to(wecom, "dealer_bj_li") == [f"消息{i}" for i in range(120)]
    assert wecom.state.dropped("dealer_bj_li") == []


def test_a_row_an_older_worker_is_sending_is_not_taken_before_its_lease_ends(pg_app, wecom, clock):
    """Before migration 0019 a sending row's next attempt stayed where it was; a worker
    of that version still sending during a rolling deploy keeps its row until its lease ends."""
    enqueue(pg_app, "dealer_bj_li", "旧版本在发", "old")
    with q(pg_app).factory() as s, s.begin():
        s.execute(update(OutboxMessage).values(status="sending", next_attempt_at=clock.now() - timedelta(seconds=5),
                                               lease_until=clock.now() + timedelta(seconds=30)))
    deliverer = q(pg_app).deliverer
    assert deliverer.drain() == 0 and texts_to(wecom, "dealer_bj_li") == []
    clock.advance(seconds=31)
    assert deliverer.drain() == 1 and texts_to(wecom, "dealer_bj_li") == ["旧版本在发"]


def _count_parks(monkeypatch) -> list[int]:
    """Rows each parking round parks, in a list that fills as the deliverer works."""
    parked: list[int] = []
    real_park = outbox.Deliverer._park
    monkeypatch.setattr(outbox.Deliverer, "_park",
                        lambda self, *a, **k: parked.append(real_park(self, *a, **k)) or parked[-1])
    return parked


def test_a_deep_queue_is_not_read_again_whole_at_each_backstop(pg_app, wecom, clock, monkeypatch):
    """200 messages behind a paced member (WeCom: 30 a minute): a parked row waits a
    window (60 s) more for every 30 open rows ahead of it in its queue (the head
    included), so at the first backstop a claim finds the queue's front due, not all
    of it, and over the minutes the queue is parked again far less often; everything
    still goes, in order, as the minutes allow."""
    parked = _count_parks(monkeypatch)
    _fill(pg_app, 200)
    deliverer = q(pg_app).deliverer
    deliverer.drain(max_rounds=50)
    _head, *queue = [r for r in rows(pg_app) if r.status == "pending"]
    assert len(queue) == 169
    first = min(r.next_attempt_at for r in queue)
    offsets = [(r.next_attempt_at - first).total_seconds() for r in queue]
    # In queue order, a window later for about every 30 rows: 169 rows over six windows.
    assert offsets == sorted(offsets), offsets
    per_window = Counter(offsets)
    assert sorted(per_window) == [0, 60, 120, 180, 240, 300], offsets
    assert all(29 <= per_window[w] <= 31 for w in (0, 60, 120, 180, 240)), per_window
    with q(pg_app).factory() as s:
        due = s.execute(outbox_queue.DUE, {"now": first + timedelta(seconds=5), "scan": 500}).all()
    assert 0 < len(due) < len(queue), len(due)
    for _ in range(7):
        clock.advance(seconds=62)
        deliverer.drain(max_rounds=50)
    assert texts_to(wecom, "dealer_bj_li") == [f"消息{i}" for i in range(200)]
    assert wecom.state.dropped("dealer_bj_li") == []
    print(f"parked {sum(parked)} times")


def test_two_members_parked_in_one_claim_each_wait_by_their_own_queue(pg_app, wecom, clock):
    """One claim parks two members' queues at once, each row by the open rows ahead of
    it in its own queue: a window (60 s) more for every 30 of them, past its head's
    time and PARK_S. Here li's rows 70–99 and wang's 31–39 come due together (as if
    every release had been missed), behind heads paced after the minute's 30 went."""
    for i in range(100):
        enqueue(pg_app, "dealer_bj_li", f"李{i}", f"li:{i}")
    for i in range(40):
        enqueue(pg_app, "dealer_bj_wang", f"王{i}", f"wang:{i}")
    deliverer = q(pg_app).deliverer
    deliverer.drain(max_rounds=50)
    assert len(texts_to(wecom, "dealer_bj_li")) == 30 and len(texts_to(wecom, "dealer_bj_wang")) == 30
    due = [f"li:{i}" for i in range(70, 100)] + [f"wang:{i}" for i in range(31, 40)]
    with q(pg_app).factory() as s, s.begin():
        s.execute(update(OutboxMessage).where(OutboxMessage.idem_key.in_(due)).values(next_attempt_at=clock.now()))
    assert deliverer._claim_round(10) == ([], len(due))
    by_key = {r.idem_key: r for r in rows(pg_app)}
    heads = {"dealer_bj_li": by_key["li:30"], "dealer_bj_wang": by_key["wang:30"]}
    assert all(h.status == "pending" and h.next_attempt_at > clock.now() for h in heads.values())
    for key in due:
        row = by_key[key]
        ahead = int(key.split(":")[1]) - 30          # its head and the open rows between
        expected = heads[row.recipient].next_attempt_at + timedelta(seconds=outbox.PARK_S + (ahead // 30) * 60)
        assert row.next_attempt_at == expected, (key, row.next_attempt_at, expected)
    for _ in range(4):
        clock.advance(seconds=62)
        deliverer.drain(max_rounds=50)
    assert texts_to(wecom, "dealer_bj_li") == [f"李{i}" for i in range(100)]
    assert texts_to(wecom, "dealer_bj_wang") == [f"王{i}" for i in range(40)]


def test_a_deep_queue_is_parked_again_less_than_once_a_minute(pg_app, wecom, clock, monkeypatch):
    """The count behind docs/benchmarks.md's figure: 300 replies to one member, a
    claim every 2 s for 6 simulated minutes (180 sent as WeCom's pacing allows).
    Each row used to be parked again at every backstop (about once a minute: 704
    parks); with backstops by its depth in the queue a row is parked about once."""
    parked = _count_parks(monkeypatch)
    _fill(pg_app, 300)
    deliverer = q(pg_app).deliverer
    for _ in range(180):
        deliverer.deliver_due()
        clock.advance(seconds=2)
    sent = texts_to(wecom, "dealer_bj_li")
    assert sent == [f"消息{i}" for i in range(len(sent))] and len(sent) >= 150
    print(f"300 replies, 6 minutes: {len(sent)} sent, rows parked {sum(parked)} times")
    assert sum(parked) < 400, sum(parked)
