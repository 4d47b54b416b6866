"""Customer records from the console: two records of one organisation merged
(registrations, locks, orders, visits moved; the merged name kept as an alias so
the matcher still finds it; audited), refused when both are held in one scope;
English names and aliases edited."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from chat import operations
from chat.operations import Refused
from handlers.customers.search import lookup
from models import AuditEvent, Customer, CustomerAlias, Registration, RegistrationLock


def q(app):
    return app.extensions["qudao"]


def call(app, name, **params):
    return operations.call(q(app).services, name, "admin", **params)


def customer_id(app, name):
    with q(app).factory() as s:
        return s.execute(select(Customer.id).where(Customer.name == name)).scalar_one()


def test_merge_moves_everything_and_keeps_the_name(app, driver):
    driver.text("dealer_hx_sun", "报备 北京协和医院 彩超 80万")
    driver.text("dealer_bj_li", "报备 北京协和医学院附属医院 监护 30万")     # a second record of the same hospital
    keep, drop = customer_id(app, "北京协和医院"), customer_id(app, "北京协和医学院附属医院")
    result = call(app, "customers.merge", keep_id=keep, drop_id=drop)
    assert result["moved"]["registrations"] == 1 and result["moved"]["locks"] == 1
    assert result["aliases"] == ["北京协和医学院附属医院"]
    with q(app).factory() as s:
        assert s.get(Customer, drop) is None
        assert set(s.execute(select(Registration.customer_id)).scalars()) == {keep}
        assert set(s.execute(select(RegistrationLock.customer_id)).scalars()) == {keep}
        assert s.execute(select(CustomerAlias.full_name).where(
            CustomerAlias.alias == "北京协和医学院附属医院")).scalar_one() == "北京协和医院"
        m = lookup(s, "北京协和医学院附属医院")
        assert m.verdict == "duplicate" and m.matched.id == keep      # the old name finds the kept record
        ev = s.execute(select(AuditEvent).where(AuditEvent.action == "customer.merged")).scalar_one()
    assert ev.actor == "admin" and ev.before["merged"]["id"] == drop and ev.after["moved"]["registrations"] == 1


def test_merge_of_two_customers_held_in_one_scope_is_refused(app, driver):
    driver.text("dealer_hx_sun", "报备 北京协和医院 彩超 80万")
    driver.text("dealer_bj_li", "报备 北京协和医学院附属医院 彩超 50万")    # both hold line 超声
    keep, drop = customer_id(app, "北京协和医院"), customer_id(app, "北京协和医学院附属医院")
    with pytest.raises(Refused) as refused:
        call(app, "customers.merge", keep_id=keep, drop_id=drop)
    assert refused.value.code == "lock_clash" and "RG" in refused.value.zh
    with q(app).factory() as s:
        assert s.get(Customer, drop) is not None
    with pytest.raises(Refused):
        call(app, "customers.merge", keep_id=keep, drop_id=keep)


def test_english_name_and_aliases_are_set_as_a_whole(app):
    cid = customer_id(app, "北京协和医院")
    call(app, "customers.edit_names", customer_id=cid, english_name="Peking Union Medical College Hospital",
         aliases=["协和", "PUMCH", " 协和 "])
    after = call(app, "customers.edit_names", customer_id=cid, english_name="Peking Union Medical College Hospital",
                 aliases=["PUMCH", "北京协和"])
    assert after == {"english_name": "Peking Union Medical College Hospital", "aliases": ["PUMCH", "北京协和"]}
    with q(app).factory() as s:
        assert s.get(Customer, cid).english_name == "Peking Union Medical College Hospital"
        assert sorted(s.execute(select(CustomerAlias.alias).where(
            CustomerAlias.full_name == "北京协和医院")).scalars()) == ["PUMCH", "北京协和"]
        actions = s.execute(select(AuditEvent.action).where(AuditEvent.entity_type == "customer")).scalars().all()
    assert actions == ["customer.edited", "customer.edited"]
    other = customer_id(app, "北京大学第一医院")
    with pytest.raises(Refused) as refused:
        call(app, "customers.edit_names", customer_id=other, english_name=None, aliases=["PUMCH"])
    assert refused.value.code == "alias_taken"


def test_an_english_name_set_in_the_console_finds_the_customer(app):
    cid = customer_id(app, "北京大学第一医院")
    with q(app).factory() as s:
        assert lookup(s, "Xishiku Teaching Campus").matched is None      # no reading of the name gives it
    call(app, "customers.edit_names", customer_id=cid, english_name="Xishiku Teaching Campus", aliases=[])
    with q(app).factory() as s:
        m = lookup(s, "XISHIKU TEACHING CAMPUS")
    assert (m.verdict, m.matched.name) == ("duplicate", "北京大学第一医院")
