"""A tap can reach one process before another has recorded the card it taps:
the second writer of a card's row must not fail on the key (which rolled back
the delivery record and sent the card again). Real PostgreSQL, two sessions
interleaved so the insert meets an uncommitted row."""
from __future__ import annotations

import threading
from datetime import datetime

import pytest

from chat import cards
from models import CardRef
from models.db import make_engine, make_session_factory

pytestmark = pytest.mark.postgres
NOW = datetime(2026, 12, 6, 9, 0)


@pytest.fixture
def factory(pg_url):
    engine = make_engine(pg_url)
    yield make_session_factory(engine)
    engine.dispose()


def _interleave(factory, first, second) -> list[BaseException]:
    """``first`` writes and holds its transaction open while ``second`` writes
    the same card's row (it waits on the key), then ``first`` commits."""
    errors: list[BaseException] = []
    written = threading.Event()

    def other():
        try:
            written.wait(10)
            with factory() as s, s.begin():
                second(s)
        except BaseException as exc:      # reported to the test, not lost in the thread
            errors.append(exc)

    t = threading.Thread(target=other)
    t.start()
    with factory() as s, s.begin():
        first(s)
        s.flush()
        written.set()
        t.join(0.5)                        # the other writer is now waiting on our uncommitted key
    t.join(10)
    return errors


def test_a_tap_recorded_before_the_send_does_not_break_the_send(factory):
    errors = _interleave(factory,
                         lambda s: cards.clicked(s, "T1", "wecom", "mgr_north", "click-ref", NOW),
                         lambda s: cards.sent(s, "T1", "wecom", "mgr_north", "send-ref", NOW))
    assert errors == []
    with factory() as s:
        row = s.get(CardRef, "T1")
        assert (row.recipient, row.ref) == ("mgr_north", "click-ref")     # the click's newer handle kept


def test_a_send_recorded_before_the_tap_takes_the_taps_handle(factory):
    errors = _interleave(factory,
                         lambda s: cards.sent(s, "T2", "wecom", "mgr_north", "send-ref", NOW),
                         lambda s: cards.clicked(s, "T2", "wecom", "mgr_north", "click-ref", NOW))
    assert errors == []
    with factory() as s:
        assert s.get(CardRef, "T2").ref == "click-ref"
        assert cards.placed(s, "T2") == ("wecom", "mgr_north")


def test_another_users_tap_does_not_take_over_the_card(factory):
    with factory() as s, s.begin():
        cards.sent(s, "T3", "wecom", "mgr_north", "send-ref", NOW)
    with factory() as s, s.begin():
        cards.clicked(s, "T3", "wecom", "dealer_bj_li", "their-ref", NOW)
    with factory() as s:
        assert cards.ref_of(s, "T3") == "send-ref"
