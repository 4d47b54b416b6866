"""The set-based writes of a claim (issue 16) keep their guarantees: a customer
made at the same moment by two workers is one customer, and a claim's locks
are taken all together or not at all."""
from __future__ import annotations

import threading

from sqlalchemy import func, select, text

from chat.context import Context
from domain.matching import analyse
from handlers.customers.lookup import create
from handlers.customers.search import tokens_for
from handlers.registration import locks
from models import Customer, CustomerToken, Registration, RegistrationLock
from tests.support.reading import wait_for

NAME = "北京市丰台区新建康复医院"


def _waiting_for_locks(factory) -> int:
    """Statements of this database waiting for a row lock now."""
    with factory() as s:
        return s.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                              " AND wait_event_type = 'Lock'")).scalar()


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


def _at_once(app, driver, messages: list[tuple[str, str]]) -> list[int]:
    """Colleagues' (one partner's) registrations run together: each does its work and
    then waits for the partner's row lock, held here (FOR NO KEY UPDATE, as a bump
    or a final run holds it) until all wait, at their bump or behind one another."""
    from models import Partner
    factory = q(app).factory
    ids = [q(app).inbox.accept(driver._inbound(user, "text", text=text), f"test:at-once:{user}")
           for user, text in messages]
    results = {}
    with factory() as holder:
        holder.begin()
        partner_id = holder.execute(select(Partner.id).where(Partner.code == "P-BJ-KJ")).scalar_one()
        holder.execute(select(Partner.id).where(Partner.id == partner_id).with_for_update(key_share=True))
        workers = [threading.Thread(target=lambda i=i: results.update({i: q(app).inbox.process(i)})) for i in ids]
        [w.start() for w in workers]
        assert wait_for(lambda: _waiting_for_locks(factory) == len(ids), timeout=60), "the claims never met the lock"
        holder.commit()
        [w.join(30) for w in workers]
    assert results == {i: "done" for i in ids}
    return ids


def test_two_claims_of_one_partner_at_once_count_each_other_against_the_quota(pg_app, pg_driver):
    """Each claim reads the quota without the partner's lock and takes the lock
    last: the one that took it second finds a registration committed since its
    read, which could reach the quota, and is run again, when it counts the other
    one (read in the locking statement, it would still see none)."""
    from models import RuleSet
    svc = q(pg_app).services
    factory = q(pg_app).factory
    with factory() as s, s.begin():
        content = s.execute(select(RuleSet.content).where(RuleSet.active.is_(True))).scalar_one()
        reg_rules = {**(content.get("registration") or {}), "open_quota": 1}
        svc.rules.load_content(s, {**content, "registration": reg_rules}, source="test: quota 1")
    # two colleagues (one partner), two customers: nothing but the partner's lock orders them
    _at_once(pg_app, pg_driver, [("dealer_bj_li", "报备 北京协和医院 彩超 80万"),
                                 ("dealer_bj_wang", "报备 北京大学第一医院 彩超 60万")])
    assert q(pg_app).inbox.reruns == 1
    with factory() as s:
        statuses = sorted(s.execute(select(Registration.status)).scalars())
        quota = [v for r in s.execute(select(Registration)).scalars() for v in r.verdicts
                 if v["rule_id"] == "registration.quota" and v["outcome"] == "reject"]
    assert statuses == ["approved", "rejected"]
    assert len(quota) == 1 and quota[0]["facts"]["open_registrations"] == 1


def test_two_lookalike_names_of_one_partner_at_once_are_not_both_taken_for_new(pg_app, pg_driver, chat):
    """Neither name is known, and each claim's lookup ran before the other's
    customer existed. The one that takes the partner's lock second finds, among
    the partner's claims committed since its read, a customer its name resembles:
    it runs again and asks, as it would have one after the other."""
    _at_once(pg_app, pg_driver, [("dealer_bj_li", f"报备 {NAME} 彩超 80万"),
                                 ("dealer_bj_wang", f"报备 {NAME}东院 彩超 60万")])
    assert q(pg_app).inbox.reruns == 1
    with q(pg_app).factory() as s:
        reg = s.execute(select(Registration)).scalar_one()          # one registration, not two
        customers = s.execute(select(Customer.name).where(Customer.source == "chat")).scalars().all()
    assert reg.status == "approved" and reg.match["verdict"] == "distinct"
    assert customers == [reg.customer_text]
    q(pg_app).deliverer.drain()
    other = "dealer_bj_wang" if reg.customer_text == NAME else "dealer_bj_li"
    asked = chat.texts_to(other)[-1]
    assert reg.customer_text in asked and reg.number in asked and "是同一客户吗" in asked


def test_unrelated_claims_of_one_partner_at_once_both_stand_without_running_again(pg_app, pg_driver):
    """Registrations committed since a claim's read that claimed unrelated
    customers, well under the quota, change nothing: the claim commits as it
    decided. The partner's claim number counts both, and its ring keeps both customers."""
    from models import Partner, RecentClaim
    _at_once(pg_app, pg_driver, [("dealer_bj_li", f"报备 {NAME} 彩超 80万"),
                                 ("dealer_bj_wang", "报备 北京市海淀区明远护理院 彩超 60万")])
    assert q(pg_app).inbox.reruns == 0
    with q(pg_app).factory() as s:
        regs = s.execute(select(Registration).order_by(Registration.id)).scalars().all()
        partner = s.execute(select(Partner).where(Partner.code == "P-BJ-KJ")).scalar_one()
        ring = s.execute(select(RecentClaim.seq, RecentClaim.slot, RecentClaim.customer_id)
                         .where(RecentClaim.partner_id == partner.id).order_by(RecentClaim.seq)).all()
    assert [r.status for r in regs] == ["approved", "approved"]
    assert partner.claim_seq == 2
    assert [(seq, slot) for seq, slot, _ in ring] == [(1, 1), (2, 2)]
    assert sorted(c for _, _, c in ring) == sorted(r.customer_id for r in regs)


def test_two_names_of_one_partner_at_once_each_like_a_known_customer_are_one_claim_and_a_question(
        pg_app, pg_driver, chat):
    """东院 and 西院 each resemble 北京协和医院 and not each other. One after the
    other, the second is a question about the partner's claim waiting on that
    customer's card; at once, the second to take the partner's lock finds that the
    claim committed since its read resembled the same customer, and runs again."""
    _at_once(pg_app, pg_driver, [("dealer_bj_li", "报备 北京协和医院东院 彩超 80万"),
                                 ("dealer_bj_wang", "报备 北京协和医院西院 彩超 60万")])
    assert q(pg_app).inbox.reruns == 1
    with q(pg_app).factory() as s:
        reg = s.execute(select(Registration)).scalar_one()          # one claim on the card, not two
    assert reg.status == "pending" and reg.match["matched_name"] == "北京协和医院"
    q(pg_app).deliverer.drain()
    other = "dealer_bj_wang" if reg.customer_text.endswith("东院") else "dealer_bj_li"
    asked = chat.texts_to(other)[-1]
    assert reg.number in asked and "北京协和医院" in asked


def test_a_refused_claim_on_a_known_customer_takes_no_partner_lock(app, driver, chat):
    """The losers of a race for one customer change nothing another registration of
    their partner reads (no open registration, no customer): they are not counted
    and take no partner lock. A registration that stands, or makes a customer, is."""
    from models import Partner, RecentClaim

    def claim_seqs() -> dict[str, int]:
        with q(app).factory() as s:
            return dict(s.execute(select(Partner.code, Partner.claim_seq)
                                  .where(Partner.code.in_(("P-BJ-KJ", "P-BJ-HX")))).all())
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")            # stands: counted
    assert claim_seqs() == {"P-BJ-KJ": 1, "P-BJ-HX": 0}
    driver.text("dealer_hx_sun", "报备 北京协和医院 彩超 60万")           # another partner: refused
    driver.text("dealer_bj_wang", "报备 北京协和医院 彩超 70万")          # the holder's colleague: refused
    assert "报备未通过" in chat.texts_to("dealer_hx_sun")[-1] and "报备未通过" in chat.texts_to("dealer_bj_wang")[-1]
    assert claim_seqs() == {"P-BJ-KJ": 1, "P-BJ-HX": 0}
    driver.text("dealer_hx_sun", f"报备 {NAME} 彩超 60万")                 # a new customer: counted
    assert claim_seqs() == {"P-BJ-KJ": 1, "P-BJ-HX": 1}
    with q(app).factory() as s:
        assert s.execute(select(func.count()).select_from(RecentClaim)).scalar() == 2
