"""A manager's area: the regions they cover (a director covers them all), and
the registrations, visits and approvals that fall in it over a period."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from chat import sweeps
from chat.context import Context, Services
from models import (
    Approval,
    ApprovalFlow,
    ApprovalStatus,
    Customer,
    FlowStatus,
    Order,
    Partner,
    Registration,
    RegistrationStatus,
    Role,
    User,
    Visit,
)


@dataclass(frozen=True)
class Area:
    manager: User
    regions: tuple[str, ...] | None      # None: everywhere (the director)

    def covers(self, region: str | None) -> bool:
        return self.regions is None or (region in self.regions)

    @property
    def label(self) -> str:
        return "全国" if self.regions is None else "、".join(self.regions)


def for_each_manager(svc: Services, step: Callable[[Context, Area], str]) -> dict[str, int]:
    """``step`` for each manager's area, each in its own transaction; counts of its outcomes."""
    ids = sweeps.read(svc, lambda ctx: [a.manager.id for a in managers(ctx)])
    return sweeps.each(svc, ids, lambda ctx, manager_id: step(
        ctx, next(a for a in managers(ctx) if a.manager.id == manager_id)), outcomes=("sent", "quiet"))


def managers(ctx: Context) -> list[Area]:
    rows = ctx.s.execute(select(User).where(User.role.in_((Role.MANAGER, Role.DIRECTOR))).order_by(User.id)).scalars()
    return [Area(u, None if u.role == Role.DIRECTOR else tuple(u.regions or ())) for u in rows]


def registrations(ctx: Context, area: Area, start: datetime, end: datetime) -> list[Registration]:
    q = (select(Registration).join(Customer, Customer.id == Registration.customer_id)
         .where(Registration.received_at >= start, Registration.received_at < end).order_by(Registration.received_at))
    if area.regions is not None:
        q = q.where(Customer.region.in_(area.regions))
    return list(ctx.s.execute(q).scalars())


def conflicts(regs: list[Registration]) -> list[Registration]:
    return [r for r in regs if r.status == RegistrationStatus.REJECTED and any(
        v["rule_id"] == "registration.conflict" and v["outcome"] == "reject" for v in r.verdicts)]


def visits(ctx: Context, area: Area, start: datetime, end: datetime) -> list[Visit]:
    """Visits to customers in the area, and (with no customer) by visitors who cover it."""
    q = (select(Visit).outerjoin(Customer, Customer.id == Visit.customer_id)
         .where(Visit.checkin_at >= start, Visit.checkin_at < end).order_by(Visit.checkin_at))
    rows = list(ctx.s.execute(q).scalars())
    if area.regions is None:
        return rows
    return [v for v in rows if (v.customer and area.covers(v.customer.region))
            or (v.customer is None and set(v.user.regions or []) & set(area.regions))]


def pending_for(ctx: Context, user: User) -> list[tuple[Approval, ApprovalFlow]]:
    return list(ctx.s.execute(select(Approval, ApprovalFlow).join(ApprovalFlow, ApprovalFlow.id == Approval.flow_id)
                              .where(Approval.approver_id == user.id, Approval.status == ApprovalStatus.PENDING,
                                     ApprovalFlow.status == FlowStatus.PENDING).order_by(Approval.created_at)).all())


def orders(ctx: Context, area: Area, start: datetime, end: datetime) -> list[Order]:
    rows = ctx.s.execute(select(Order, Partner).join(Partner, Partner.id == Order.partner_id).where(
        Order.confirmed_at >= start, Order.confirmed_at < end)).all()
    if area.regions is None:
        return [o for o, _ in rows]
    return [o for o, p in rows if set(p.regions or []) & set(area.regions)]



