"""Statements per registration on the accepted path (issue 16): counted with
SQLAlchemy's ``before_cursor_execute`` over processing one inbox row, from the
claim to the commit; outbox delivery (batched separately) is not part of it."""
from __future__ import annotations

import os

from sqlalchemy import select

from models import Registration
from tests.support.statements import counting

WARM_UP = ("dealer_bj_li", "报备 北京大学第一医院 彩超 60万")   # the sender now writes from this platform
KNOWN = ("dealer_bj_li", "报备 北京协和医院 心内科 彩超2台 80万 12月底签")
NEW = ("dealer_bj_li", "报备 北京市海淀医院 彩超 80万")


def _process(app, driver, user, text):
    q = app.extensions["qudao"]
    inbox_id = q.inbox.accept(driver._inbound(user, "text", text=text), f"test:budget:{user}:{text}")
    with counting(q.engine) as st:
        assert q.inbox.process(inbox_id) == "done"
    q.deliverer.drain()
    with q.factory() as s:
        reg = s.execute(select(Registration).order_by(Registration.id.desc()).limit(1)).scalar_one()
    return st, reg


def _measure(app, driver):
    _process(app, driver, *WARM_UP)
    out = {}
    for label, (user, text) in (("known", KNOWN), ("new", NEW)):
        st, reg = _process(app, driver, user, text)
        assert reg.status == "approved", reg.verdicts
        out[label] = st
        if os.environ.get("QUDAO_SHOW_STATEMENTS"):
            print(f"\n--- {label}: {len(st)} statements\n{st.listing(220)}")
    return out


def test_statements_sqlite(app, driver):
    _measure(app, driver)


def test_statements_postgres(pg_app, pg_driver):
    _measure(pg_app, pg_driver)
