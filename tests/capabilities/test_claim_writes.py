"""The set-based writes of a claim (issue 16) keep their guarantees: a customer
made at the same moment by two workers is one customer, and a claim's locks
are taken all together or not at all."""
from __future__ import annotations

import threading

from sqlalchemy import func, select

from chat.context import Context
from domain.matching import analyse
from handlers.customers.lookup import create
from handlers.customers.search import tokens_for
from handlers.registration import locks
from models import Customer, CustomerToken, Registration, RegistrationLock

NAME = "北京市丰台区新建康复医院"


def q(app):
    return app.extensions["qudao"]


def test_a_customer_made_meanwhile_by_another_worker_is_taken_not_doubled(pg_app, clock):
    factory = q(pg_app).factory
    got = {}
    with factory() as first:
        first.begin()
        made = create(first, clock, NAME)
        assert made.new

        def second():
            # blocks on the first's uncommitted name key, then finds its row
            with factory() as s, s.begin():
                other = create(s, clock, NAME)
                got.update(new=other.new, id=other.customer.id)

        worker = threading.Thread(target=second)
        worker.start()
        worker.join(0.5)
        first.commit()
        worker.join(10)
    assert got == {"new": False, "id": made.customer.id}
    with factory() as s:
        assert s.execute(select(func.count()).select_from(Customer).where(Customer.name == NAME)).scalar() == 1
        filed = set(s.execute(select(CustomerToken.token).where(CustomerToken.customer_id == made.customer.id))
                    .scalars())
    assert filed == set(tokens_for(analyse(NAME)))


def test_a_claim_takes_all_its_locks_or_none(app, driver):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    with q(app).factory() as s, s.begin():
        reg = s.execute(select(Registration)).scalar_one()
        ctx = Context.for_system(s, q(app).services)
        # 监护 is free, 超声 is held (by this very claim): neither is taken
        assert locks.take(ctx, reg, reg.customer_id, ["line:监护", "line:超声"]) is False
        assert s.execute(select(RegistrationLock.scope_key)).scalars().all() == ["line:超声"]
        assert locks.take(ctx, reg, reg.customer_id, ["line:监护"]) is True
        assert sorted(s.execute(select(RegistrationLock.scope_key)).scalars()) == ["line:监护", "line:超声"]
