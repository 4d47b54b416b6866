"""Outbound delivery against the local mock of the WeCom API: retries, token
refresh with a cap, pacing under WeCom's per-member limit, never twice."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from adapters.wecom.api import TOKEN_REFRESH_CAP
from chat import outbox
from chat.messages import Text
from models import OutboxMessage
from tests.support.outbox_rows import enqueue, rows
from tests.support.reading import texts_to


def q(app):
    return app.extensions["qudao"]


def test_enqueue_is_idempotent_and_delivery_happens_once(app, wecom):
    enqueue(app, "dealer_bj_li", "你好", "k1")
    enqueue(app, "dealer_bj_li", "你好", "k1")
    assert q(app).deliverer.drain() == 1
    assert q(app).deliverer.drain() == 0
    assert texts_to(wecom, "dealer_bj_li") == ["你好"]
    [row] = rows(app)
    assert row.status == "sent" and row.attempts == 1


def test_dead_token_is_refetched_with_a_cap(app, wecom):
    enqueue(app, "dealer_bj_li", "一", "k1")
    q(app).deliverer.drain()
    wecom.state.fail_next("message/send", 40014, times=1)
    enqueue(app, "dealer_bj_li", "二", "k2")
    q(app).deliverer.drain()
    assert texts_to(wecom, "dealer_bj_li") == ["一", "二"]
    assert len(wecom.state.calls_to("gettoken")) == 2
    # a token that keeps dying: TOKEN_REFRESH_CAP refetches, then back off (no endless loop)
    wecom.state.fail_next("message/send", 42001, times=50)
    enqueue(app, "dealer_bj_li", "三", "k3")
    q(app).deliverer.drain()
    assert len(wecom.state.calls_to("gettoken")) == 2 + TOKEN_REFRESH_CAP
    row = rows(app)[-1]
    assert row.status == "pending" and "cap" in row.last_error


def test_rate_limit_and_network_errors_back_off_and_retry(app, wecom, clock):
    wecom.state.fail_next("message/send", 45009, times=1)
    enqueue(app, "dealer_bj_li", "稍后到", "k1")
    assert q(app).deliverer.drain() == 0
    row = rows(app)[0]
    assert row.status == "pending" and row.next_attempt_at > clock.now()
    clock.advance(seconds=5)
    wecom.state.drop_next("message/send", times=1)
    assert q(app).deliverer.drain() == 0
    clock.advance(seconds=10)
    assert q(app).deliverer.drain() == 1
    assert texts_to(wecom, "dealer_bj_li") == ["稍后到"]
    assert rows(app)[0].attempts == 3


def test_later_messages_wait_for_an_earlier_one_to_the_same_person(app, wecom, clock):
    wecom.state.fail_next("message/send", -1, times=1)
    enqueue(app, "dealer_bj_li", "第一条", "k1")
    enqueue(app, "dealer_bj_li", "第二条", "k2")
    enqueue(app, "director", "别人的", "k3")
    q(app).deliverer.drain()
    assert texts_to(wecom, "dealer_bj_li") == [] and texts_to(wecom, "director") == ["别人的"]
    clock.advance(seconds=5)
    q(app).deliverer.drain()
    assert texts_to(wecom, "dealer_bj_li") == ["第一条", "第二条"]


def test_pacing_keeps_each_member_under_30_a_minute(app, wecom, clock):
    for i in range(35):
        enqueue(app, "dealer_bj_li", f"消息{i}", f"k{i}")
    q(app).deliverer.drain(max_rounds=50)
    assert len(texts_to(wecom, "dealer_bj_li")) == 30
    assert wecom.state.dropped("dealer_bj_li") == []          # nothing was silently lost
    clock.advance(seconds=61)
    q(app).deliverer.drain(max_rounds=50)
    assert texts_to(wecom, "dealer_bj_li") == [f"消息{i}" for i in range(35)]


def test_a_crash_after_claiming_is_recovered_by_the_lease(app, wecom, clock):
    enqueue(app, "dealer_bj_li", "你好", "k1")
    claimed = q(app).deliverer._claim(10)       # a worker claims, then dies before sending
    assert len(claimed) == 1 and q(app).deliverer.drain() == 0
    clock.advance(seconds=61)
    assert q(app).deliverer.drain() == 1
    assert texts_to(wecom, "dealer_bj_li") == ["你好"]
    # the first worker may have sent it before dying: the retry asks WeCom to drop a copy
    assert wecom.state.calls_to("message/send")[-1].body["enable_duplicate_check"] == 1


def test_permanent_errors_are_kept_for_ops_not_retried(app, wecom, clock):
    enqueue(app, "nobody_here", "你好", "k1")
    q(app).deliverer.drain()
    [row] = rows(app)
    assert row.status == "failed" and "81013" in row.last_error
    clock.advance(minutes=10)
    assert q(app).deliverer.drain() == 0


def test_a_batch_that_outlives_its_lease_is_still_sent_once(app, clock):
    """Worker A claims three rows; each send is slow (30 s). Worker B ticks during
    every send. Per-row lease renewal and fenced completion keep each row single."""
    from chat.outbox import Deliverer
    with q(app).factory() as s, s.begin():
        for i, who in enumerate(["dealer_bj_li", "dealer_hx_sun", "director"]):
            outbox.enqueue(s, clock, who, Text(f"m{i}"), f"k{i}", platform="wecom")
    sent = []

    class Slow:
        platform = "wecom"
        send_limits = ((60, 30), (3600, 1000))

        def __init__(self, name):
            self.name = name

        def deliver(self, recipient, msg, uncertain=False, card_ref=None):
            sent.append((self.name, recipient, uncertain))
            if self.name == "A":
                clock.advance(seconds=30)     # a slow API call…
                worker_b.deliver_due()        # …while another worker's runner ticks
            return {"msgid": "x"}

    worker_a = Deliverer(q(app).factory, clock, {"wecom": Slow("A")})
    worker_b = Deliverer(q(app).factory, clock, {"wecom": Slow("B")})
    worker_a.deliver_due()
    assert sorted(r for _, r, _ in sent) == ["dealer_bj_li", "dealer_hx_sun", "director"], sent
    assert ("B", "director", True) in sent      # B took over a row whose lease ran out: outcome unknown
    assert {r.status for r in rows(app)} == {"sent"}


def test_identical_replies_are_both_delivered(app, driver, wecom):
    driver.text("dealer_bj_li", "帮助")
    driver.text("dealer_bj_li", "帮助")
    assert len(texts_to(wecom, "dealer_bj_li")) == 2
    assert wecom.state.suppressed("dealer_bj_li") == []
    # Every send carries WeCom's duplicate check from the first try; the two answers are
    # two outbox rows, so their bodies differ (by an invisible tag) and neither is swallowed.
    first, second = wecom.state.calls_to("message/send")
    assert first.body["enable_duplicate_check"] == second.body["enable_duplicate_check"] == 1
    assert first.body != second.body
    assert texts_to(wecom, "dealer_bj_li")[0] == texts_to(wecom, "dealer_bj_li")[1]


def test_a_send_whose_worker_died_mid_flight_is_not_shown_twice(app, wecom, clock):
    """The send reached WeCom, then the worker died before recording it: the retry
    is the same request with the same duplicate check, and WeCom drops the copy."""
    enqueue(app, "dealer_bj_li", "只一次", "k1")
    [row] = q(app).deliverer._claim(10)
    q(app).deliverer._deliver_one(row, row.lease_until, None)          # sent…
    with q(app).factory() as s, s.begin():                              # …but never recorded
        s.execute(update(OutboxMessage).values(status="sending", sent_at=None, lease_until=row.lease_until))
    clock.advance(seconds=61)
    assert q(app).deliverer.drain() == 1
    first, retry = wecom.state.calls_to("message/send")
    assert first.body == retry.body and first.body["enable_duplicate_check"] == 1
    assert texts_to(wecom, "dealer_bj_li") == ["只一次"]
    assert len(wecom.state.suppressed("dealer_bj_li")) == 1


def test_a_platform_that_answers_again_is_noticed_by_a_probe_not_after_the_backoff(app, wecom, clock):
    """The platform was down long enough for the backoff to reach minutes: one
    message is tried every few seconds anyway, and once it goes through, the
    others that were backing off go at once (the clock does not move here)."""
    users = ["dealer_bj_li", "dealer_hx_sun", "director", "mgr_north"]
    wecom.state.drop_next("message/send", times=1000)
    for i, user in enumerate(users):
        enqueue(app, user, f"消息{i}", f"k{i}")
    deliverer = q(app).deliverer
    assert deliverer.drain() == 0
    with q(app).factory() as s, s.begin():       # as after minutes of failures: the next try is 5 minutes away
        for row in s.execute(select(OutboxMessage)).scalars():
            row.attempts, row.next_attempt_at = 9, clock.now() + timedelta(seconds=300)
    deliverer.probe_s = 0                          # the probe is due (normally every PROBE_S seconds)
    assert deliverer.drain() == 0                  # still down: the probe failed, nothing else was tried
    assert sum(1 for r in rows(app) if r.attempts == 10) == 1
    wecom.state.faults.clear()                     # the platform is back
    assert deliverer.drain() == len(users)
    assert [texts_to(wecom, u) for u in users] == [[f"消息{i}"] for i in range(len(users))]


def test_a_send_left_by_a_dead_worker_is_retried_after_the_configured_lease(db_url, wecom, clock, base_settings):
    """QUDAO_SEND_LEASE: a row whose worker died mid-send stays its until the lease
    ends, then the next worker sends it again (with the same duplicate check)."""
    from bot.settings import load_settings
    from tests.support.apps import build_app
    assert load_settings({"QUDAO_SEND_LEASE": "12"}).send_lease_s == 12
    with pytest.raises(ValueError, match="QUDAO_SEND_LEASE"):
        load_settings({"QUDAO_SEND_LEASE": "2"})
    settings = base_settings.with_(database_url=db_url, simulator=False, processing="inline", send_lease_s=12) \
        .with_wecom(api_base=wecom.base_url)
    app = build_app(settings, clock)
    try:
        enqueue(app, "dealer_bj_li", "租约", "k1")
        deliverer = q(app).deliverer
        transport = deliverer._transports["wecom"]
        real_deliver = transport.deliver

        class Died(BaseException):
            """The worker's process ended mid-send: nothing after the call ran."""

        def deliver_then_die(*args, **kwargs):
            real_deliver(*args, **kwargs)
            raise Died

        transport.deliver = deliver_then_die
        with pytest.raises(Died):
            deliverer.drain()
        transport.deliver = real_deliver
        [row] = rows(app)
        assert row.status == "sending" and row.lease_until == clock.now() + timedelta(seconds=12)
        clock.advance(seconds=11)
        assert deliverer.drain() == 0                                       # its lease still holds
        clock.advance(seconds=2)
        assert deliverer.drain() == 1
        assert len(wecom.state.calls_to("message/send")) == 2
        assert texts_to(wecom, "dealer_bj_li") == ["租约"]
    finally:
        q(app).runner.stop()
        q(app).engine.dispose()


def test_a_message_for_a_platform_not_wired_here_waits_for_one_that_is(app, wecom, clock):
    """A check-in link sent over DingTalk, posted after DingTalk was switched off: the
    reply is kept, backing off, and sent once a sender for the platform runs."""
    from chat.outbox import Deliverer
    with q(app).factory() as s, s.begin():
        outbox.enqueue(s, clock, "rep_zhang", Text("已签到"), "k-dt", platform="dingtalk")
    without = Deliverer(q(app).factory, clock, {"wecom": q(app).deliverer._transports["wecom"]})
    assert without.deliver_due() == 0
    [row] = rows(app)
    assert row.status == "pending" and "no sender for dingtalk" in row.last_error
    assert without._down == {}                         # not taken for the platform being down
    sent = []

    class DingTalk:
        platform = "dingtalk"
        send_limits = ((60, 20),)

        def deliver(self, recipient, msg, uncertain=False, card_ref=None):
            sent.append((recipient, msg.body))
            return {"msgid": "d1"}

    clock.advance(minutes=10)
    assert Deliverer(q(app).factory, clock, {"dingtalk": DingTalk()}).deliver_due() == 1
    assert sent == [("rep_zhang", "已签到")] and rows(app)[0].status == "sent"


def test_a_platform_switched_off_for_good_does_not_hold_the_member_s_queue(app, wecom, clock):
    from chat.outbox import Deliverer
    with q(app).factory() as s, s.begin():
        outbox.enqueue(s, clock, "rep_zhang", Text("钉钉上的回复"), "k-dt", platform="dingtalk")
        outbox.enqueue(s, clock, "rep_zhang", Text("企业微信上的回复"), "k-wc", platform="wecom")
    only_wecom = Deliverer(q(app).factory, clock, {"wecom": q(app).deliverer._transports["wecom"]})
    only_wecom.drain()
    assert texts_to(wecom, "rep_zhang") == []                  # in order: the first is kept for a sender
    clock.advance(minutes=61)
    only_wecom.drain()
    clock.advance(minutes=1)
    only_wecom.drain()
    assert texts_to(wecom, "rep_zhang") == ["企业微信上的回复"]
    assert {r.platform: r.status for r in rows(app)} == {"dingtalk": "failed", "wecom": "sent"}
