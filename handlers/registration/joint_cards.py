"""The invitation of a joint registration (报备 … 合作 <伙伴>): a card to each
of the second partner's users, with 接受 / 拒绝; the first answer counts and
every card turns into a stamp."""
from __future__ import annotations

import re

from sqlalchemy import select

from chat.context import Context
from chat.messages import Button, ButtonStyle, Card, CardStamp
from domain.wording import yuan
from handlers.registration.texts import t
from models import Partner, Registration, Role, User

_TASK = re.compile(r"^jt-(\d+)-r(\d+)-u(\d+)$")


def task_id(reg: Registration, user: User) -> str:
    return f"jt-{reg.id}-r{reg.revision}-u{user.id}"


def registration_for_task(ctx: Context, task: str) -> Registration | None:
    found = _TASK.match(task or "")
    return ctx.s.get(Registration, int(found.group(1))) if found else None


def invitees(ctx: Context, partner_id: int) -> list[User]:
    return list(ctx.s.execute(select(User).where(User.partner_id == partner_id, User.role == Role.DEALER)
                              .order_by(User.id)).scalars())


def invite(ctx: Context, reg: Registration, co_partner: Partner, partner: Partner) -> None:
    submitter = ctx.s.get(User, reg.submitter_id)
    for user in invitees(ctx, co_partner.id):
        card = Card(task_id=task_id(reg, user), title=t("joint_card_title", "zh", number=reg.number),
                    desc=f"{partner.name} · {submitter.name}",
                    rows=(("客户", reg.customer_text), ("产品线", "、".join(reg.product_lines)),
                          ("金额", yuan(reg.amount_yuan)), ("发起方", partner.name),
                          ("报备时间", ctx.fmt(reg.received_at, "%Y-%m-%d %H:%M"))),
                    buttons=(Button("accept", "接受", ButtonStyle.PRIMARY),
                             Button("decline", "拒绝", ButtonStyle.DANGER)),
                    note=t("joint_card_note", "zh", number=reg.number))
        ctx.send(user, card, key=f"card:{card.task_id}")


def stamp_invites(ctx: Context, reg: Registration, text: str) -> None:
    """Every invitation card of the registration becomes ``text``."""
    if reg.joint_partner_id is None:
        return
    for user in invitees(ctx, reg.joint_partner_id):
        ctx.send(user, CardStamp(task_id(reg, user), text), key=f"stamp:{task_id(reg, user)}")
