"""Customer records as ops keep them from the console: two records of one
organisation merged into one, and a customer's English name and short names
(aliases) edited. Each is one transaction and one audit event naming who did it."""
from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from chat import audit
from chat.context import Services
from chat.operations import Refused
from handlers.customers.search import MAX_NAME_CHARS, alias_key, index_customer, lookup, named_elsewhere
from models import (
    Customer,
    CustomerAlias,
    CustomerToken,
    Order,
    Registration,
    RegistrationLock,
    SpecialPrice,
    Visit,
    VisitPlan,
)

MAX_ALIASES = 30
FILLED_FROM_MERGED = ("region", "city", "address", "lat", "lng", "coord_system", "radius_m", "english_name")


def find_customer(svc: Services, actor: str, name: str) -> dict:
    """What a registration of ``name`` would be matched to, and why (the chat's lookup)."""
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME_CHARS:
        raise Refused(f"请输入客户名称（最多 {MAX_NAME_CHARS} 个字）。",
                      f"Enter a customer name (at most {MAX_NAME_CHARS} characters).", code="name")
    with svc.factory() as s:
        return lookup(s, name).to_dict()


def _snapshot(c: Customer) -> dict:
    return {"id": c.id, "name": c.name, "english_name": c.english_name, "region": c.region,
            "credit_code": c.credit_code}


def _aliases_of(s: Session, name: str) -> list[CustomerAlias]:
    return list(s.execute(select(CustomerAlias).where(CustomerAlias.full_name == name)
                          .order_by(CustomerAlias.alias)).scalars())


def _locked(s: Session, customer_id: int) -> Customer:
    row = s.execute(select(Customer).where(Customer.id == customer_id).with_for_update()).scalar_one_or_none()
    if row is None:
        raise Refused(f"没有找到客户 #{customer_id}。", f"No customer #{customer_id}.", code="missing")
    return row


def merge(svc: Services, actor: str, keep_id: int, drop_id: int) -> dict:
    """Merge customer ``drop_id`` into ``keep_id``: its registrations, locks, orders,
    special prices, visits and plans move over, its name (and English name) become
    aliases of the kept one so the matcher still finds it, then the record goes."""
    if int(keep_id) == int(drop_id):
        raise Refused("不能把客户与自己合并。", "A customer can't be merged with itself.", code="same")
    with svc.factory() as s, s.begin():
        first, second = sorted((int(keep_id), int(drop_id)))      # one lock order: no deadlock
        rows = {first: _locked(s, first), second: _locked(s, second)}
        keep, drop = rows[int(keep_id)], rows[int(drop_id)]
        before = {"kept": _snapshot(keep), "merged": _snapshot(drop)}
        _refuse_lock_clash(s, keep, drop)
        moved = {
            "registrations": s.execute(update(Registration).where(Registration.customer_id == drop.id)
                                       .values(customer_id=keep.id)).rowcount,
            "locks": s.execute(update(RegistrationLock).where(RegistrationLock.customer_id == drop.id)
                               .values(customer_id=keep.id)).rowcount,
            "orders": s.execute(update(Order).where(Order.customer_id == drop.id)
                                .values(customer_id=keep.id)).rowcount,
            "special_prices": s.execute(update(SpecialPrice).where(SpecialPrice.customer_id == drop.id)
                                        .values(customer_id=keep.id)).rowcount,
            "visits": s.execute(update(Visit).where(Visit.customer_id == drop.id)
                                .values(customer_id=keep.id)).rowcount,
            "plans": _move_plans(s, keep.id, drop.id),
        }
        aliases = _keep_names(s, keep, drop, actor, svc)
        code = drop.credit_code
        for attr in FILLED_FROM_MERGED:
            if getattr(keep, attr) is None and getattr(drop, attr) is not None:
                setattr(keep, attr, getattr(drop, attr))
        s.execute(delete(CustomerToken).where(CustomerToken.customer_id == drop.id))
        s.delete(drop)
        s.flush()
        if keep.credit_code is None and code:
            keep.credit_code = code          # after the merged row is gone: the code is unique
        after = {"kept": _snapshot(keep), "moved": moved, "aliases": aliases}
        audit.record(s, at=svc.clock.now(), actor=actor, action="customer.merged", entity_type="customer",
                     entity_id=keep.id, before=before, after=after)
        return after


def _refuse_lock_clash(s: Session, keep: Customer, drop: Customer) -> None:
    """Two open registrations holding the same customer and scope can't both stand
    after a merge: one must be settled first (withdrawn, or decided by a manager)."""
    held = {lock.scope_key: lock.registration_id for lock in s.execute(
        select(RegistrationLock).where(RegistrationLock.customer_id == keep.id)).scalars()}
    clashes = [(held[lock.scope_key], lock.registration_id) for lock in s.execute(
        select(RegistrationLock).where(RegistrationLock.customer_id == drop.id)).scalars() if lock.scope_key in held]
    if clashes:
        numbers = dict(s.execute(select(Registration.id, Registration.number).where(
            Registration.id.in_([x for pair in clashes for x in pair]))).all())
        pairs = "、".join(f"{numbers[a]} / {numbers[b]}" for a, b in clashes)
        raise Refused(f"两个客户都有有效报备锁定同一范围（{pairs}），合并会让两家同时持有同一客户："
                      f"请先处理其中一个报备。",
                      f"Both customers are held by open registrations in the same scope ({pairs}); merged, two "
                      f"partners would hold one customer. Settle one of them first.", code="lock_clash")


def _move_plans(s: Session, keep_id: int, drop_id: int) -> int:
    """Visit plans move over, except where the same person already plans the kept customer that day."""
    planned = set(s.execute(select(VisitPlan.user_id, VisitPlan.plan_date).where(VisitPlan.customer_id == keep_id)))
    moved = 0
    for plan in s.execute(select(VisitPlan).where(VisitPlan.customer_id == drop_id)).scalars().all():
        if (plan.user_id, plan.plan_date) in planned:
            s.delete(plan)
        else:
            plan.customer_id = keep_id
            moved += 1
    return moved


def _keep_names(s: Session, keep: Customer, drop: Customer, actor: str, svc: Services) -> list[str]:
    """The merged record's names and aliases now lead to the kept customer."""
    s.execute(update(CustomerAlias).where(CustomerAlias.full_name == drop.name).values(full_name=keep.name))
    names = [n for n in (drop.name, drop.english_name) if n and n != keep.name and n != keep.english_name]
    for name in names:
        row = s.execute(select(CustomerAlias).where(CustomerAlias.alias == name)).scalar_one_or_none()
        if row is None:
            s.add(CustomerAlias(alias=name[:100], alias_key=alias_key(name), full_name=keep.name, created_by=actor,
                                created_at=svc.clock.now()))
        else:
            row.full_name = keep.name
    return names


def edit_names(svc: Services, actor: str, customer_id: int, english_name: str | None, aliases: list[str]) -> dict:
    """Set a customer's English name and the complete list of its aliases."""
    english_name = (english_name or "").strip() or None
    wanted = []
    for raw in aliases:
        alias = raw.strip()
        if alias and alias not in wanted:
            wanted.append(alias)
    if english_name and len(english_name) > 200:
        raise Refused("英文名太长（最多 200 个字符）。", "The English name is too long (at most 200 characters).",
                      code="english_name")
    too_long = [a for a in wanted if len(a) > MAX_NAME_CHARS]
    if too_long or len(wanted) > MAX_ALIASES:
        raise Refused(f"别名最多 {MAX_ALIASES} 个、每个最多 {MAX_NAME_CHARS} 个字。",
                      f"At most {MAX_ALIASES} aliases of at most {MAX_NAME_CHARS} characters each.", code="aliases")
    with svc.factory() as s, s.begin():
        customer = _locked(s, customer_id)
        wanted = [a for a in wanted if a != customer.name]
        current = {row.alias: row for row in _aliases_of(s, customer.name)}
        taken = dict(s.execute(select(CustomerAlias.alias, CustomerAlias.full_name).where(
            CustomerAlias.alias.in_(wanted), CustomerAlias.full_name != customer.name)).all()) if wanted else {}
        taken.update(named_elsewhere(s, wanted, customer.name))
        if taken:
            which = "、".join(f"{a} → {full}" for a, full in taken.items())
            raise Refused(f"别名已用于其他客户（或就是其他客户的名称）：{which}",
                          f"Aliases already used for, or the names of, other customers: {which}",
                          code="alias_taken")
        before = {"english_name": customer.english_name, "aliases": sorted(current)}
        for alias, row in current.items():
            if alias not in wanted:
                s.delete(row)
        for alias in wanted:
            if alias not in current:
                s.add(CustomerAlias(alias=alias, alias_key=alias_key(alias), full_name=customer.name,
                                    created_by=actor, created_at=svc.clock.now()))
        customer.english_name = english_name
        s.flush()
        index_customer(s, customer)         # filed under its English name too, so the lookup finds it by it
        after = {"english_name": english_name, "aliases": sorted(wanted)}
        if before != after:
            audit.record(s, at=svc.clock.now(), actor=actor, action="customer.edited", entity_type="customer",
                         entity_id=customer.id, before=before, after=after)
        return after
