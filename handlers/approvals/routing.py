"""Who approves: the area manager covering a region, or the director; and
the stand-in of an approver who is away (委托)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select

from chat.context import Context
from models import Delegation, Role, User

APPROVER_ROLES = (Role.MANAGER, Role.DIRECTOR)
# A step waiting too long goes up: an area manager's, or a key account owner's, to the director.
NEXT_LEVEL = {"area_manager": "director", "account_owner": "director"}


def director(ctx: Context) -> User:
    found = ctx.s.execute(select(User).where(User.role == Role.DIRECTOR).order_by(User.id)).scalars().first()
    if found is None:
        raise LookupError("no director configured: approvals cannot be routed")
    return found


def approver_for(ctx: Context, role: str, region: str | None) -> User:
    """The area manager covering the region, or the director (also when no
    manager covers it: a decision must always have someone to make it)."""
    if role == "area_manager" and region:
        for m in ctx.s.execute(select(User).where(User.role == Role.MANAGER).order_by(User.id)).scalars():
            if region in (m.regions or []):
                return m
    return director(ctx)


def approver_of_step(ctx: Context, step: dict, region: str | None) -> User:
    """Who a flow's step names: a person (``user``: a key account's owner, a
    userid) when it names one who exists, else the role's approver."""
    if step.get("user"):
        named = ctx.s.execute(select(User).where(User.external_id == step["user"])).scalar_one_or_none()
        if named is not None:
            return named
        return approver_for(ctx, "area_manager", region)
    return approver_for(ctx, step["role"], region)


def active_delegation(ctx: Context, user: User, on: date) -> Delegation | None:
    return ctx.s.execute(select(Delegation).where(
        Delegation.user_id == user.id, Delegation.cancelled_at.is_(None),
        Delegation.starts_on <= on, Delegation.ends_on >= on).order_by(Delegation.id.desc())).scalars().first()


def stand_in(ctx: Context, user: User) -> tuple[User, User | None]:
    """(who gets the card, on whose behalf). Follows one hop only: a stand-in
    who is away too still gets it, rather than a chain nobody can follow."""
    d = active_delegation(ctx, user, ctx.clock.today())
    if d is None or d.delegate_id == user.id:
        return user, None
    return ctx.s.get(User, d.delegate_id), user


def find_staff(ctx: Context, target: str) -> User | None:
    """A manager or director named by userid, name or title ("张伟", "director", "王经理")."""
    target = (target or "").strip().lstrip("@")
    if not target:
        return None
    rows = ctx.s.execute(select(User).where(User.role.in_(APPROVER_ROLES), or_(
        User.external_id == target, User.name == target, User.title == target))).scalars().all()
    if len(rows) == 1:
        return rows[0]
    if not rows and target.lower() in ("director", "总监", "销售总监"):
        return ctx.s.execute(select(User).where(User.role == Role.DIRECTOR).order_by(User.id)).scalars().first()
    return None
