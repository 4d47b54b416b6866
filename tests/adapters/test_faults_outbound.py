"""Outbound faults against the local fake WeCom: a worker killed while its send
was in flight, and a platform outage of minutes, then recovery."""
from __future__ import annotations

import pytest

from tests.support.outbox_rows import enqueue, rows
from tests.support.reading import texts_to

pytestmark = pytest.mark.fault


def q(app):
    return app.extensions["qudao"]


class Killed(BaseException):
    """The worker process dies: nothing after the call runs, nothing is recorded."""


class DiesAfterSending:
    """The real WeCom transport, in a worker killed right after WeCom got the send."""

    def __init__(self, real):
        self.real = real
        self.platform, self.send_limits = real.platform, real.send_limits
        self.takes_send_id = getattr(real, "takes_send_id", False)

    def deliver(self, *args, **kwargs):
        self.real.deliver(*args, **kwargs)
        raise Killed()


def test_a_worker_killed_mid_send_and_its_retry_make_one_message(app, wecom, clock):
    from chat.outbox import Deliverer
    enqueue(app, "dealer_bj_li", "订单 SO20261123-0001 已确认", "k1")
    real = q(app).platforms["wecom"].transport
    doomed = Deliverer(q(app).factory, clock, {"wecom": DiesAfterSending(real)})
    with pytest.raises(Killed):
        doomed.deliver_due()
    assert texts_to(wecom, "dealer_bj_li") == ["订单 SO20261123-0001 已确认"]     # WeCom has it
    assert rows(app)[0].status == "sending"                                      # we never learned it
    clock.advance(seconds=61)                                                     # the lease runs out
    assert q(app).deliverer.drain() == 1
    first, retry = wecom.state.calls_to("message/send")
    assert first.body == retry.body and first.body["enable_duplicate_check"] == 1   # the same body from the start
    assert texts_to(wecom, "dealer_bj_li") == ["订单 SO20261123-0001 已确认"]     # one message, not two
    assert [s.reason for s in wecom.state.suppressed("dealer_bj_li")] == ["duplicate"]
    assert rows(app)[0].status == "sent"


def outage(app, wecom, clock, minutes: int, people: list[str]) -> None:
    """The platform answers -1 (busy) to every send for ``minutes``; the deliverer keeps ticking."""
    wecom.state.fail_next("message/send", -1, times=100_000)
    for i, who in enumerate(people):
        enqueue(app, who, f"回复{i}", f"k{i}")
    for _ in range(minutes * 6):
        q(app).deliverer.drain()
        clock.advance(seconds=10)
    q(app).deliverer.drain()
    assert all(texts_to(wecom, who) == [] for who in people)
    wecom.state.faults.clear()                          # the platform is back


PEOPLE = ["dealer_bj_li", "dealer_hx_sun", "director", "mgr_north"]


def test_after_an_outage_the_queue_is_delivered_within_the_backoff_cap(app, wecom, clock):
    outage(app, wecom, clock, 3, PEOPLE)
    waited = 0
    while not all(texts_to(wecom, who) for who in PEOPLE) and waited < 600:
        clock.advance(seconds=1)
        waited += 1
        q(app).deliverer.drain()
    assert waited <= 31, f"the first resend came {waited} s after recovery"   # was 108 s with a 300 s cap
    assert [texts_to(wecom, who) for who in PEOPLE] == [[f"回复{i}"] for i in range(len(PEOPLE))]


def test_after_an_outage_the_first_send_that_succeeds_brings_the_queue_forward(app, wecom, clock):
    outage(app, wecom, clock, 3, PEOPLE)
    enqueue(app, "rep_zhang", "新的回复", "fresh")      # someone writes just after recovery
    q(app).deliverer.drain()                            # no waiting at all
    assert texts_to(wecom, "rep_zhang") == ["新的回复"]
    assert [texts_to(wecom, who) for who in PEOPLE] == [[f"回复{i}"] for i in range(len(PEOPLE))]
    assert {r.status for r in rows(app)} == {"sent"}
