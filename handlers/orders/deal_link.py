"""The deal an order fills: the registration it names (`报备号 RG…`), or the
partner's protected deal at the customer it names (`客户 …`). The order keeps
the link (orders.registration_id); when it is confirmed, the orders capability
publishes "order.confirmed" with it, and registration decides what that does
to the deal (the rules: it may mark it won). Read from the shared tables:
ordering never imports the registration capability."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from chat.context import Context
from models import Customer, Order, Registration, RegistrationStatus


@dataclass(frozen=True)
class DealLink:
    registration: Registration | None
    refused: str | None = None        # the number named that is no deal of this partner's to fill


def deal_for(ctx: Context, partner_id: int, ref: str | None, customer: Customer | None) -> DealLink:
    if ref and ref.upper().startswith("RG"):
        reg = ctx.s.execute(select(Registration).where(Registration.number == ref.upper())).scalar_one_or_none()
        ours = reg is not None and partner_id in (reg.partner_id, reg.joint_partner_id)
        if not ours or reg.status != RegistrationStatus.APPROVED:
            return DealLink(None, ref.upper())
        return DealLink(reg)
    if customer is None:
        return DealLink(None)
    reg = ctx.s.execute(select(Registration).where(
        Registration.customer_id == customer.id, Registration.status == RegistrationStatus.APPROVED,
        or_(Registration.partner_id == partner_id, Registration.joint_partner_id == partner_id))
        .order_by(Registration.received_at.desc())).scalars().first()
    return DealLink(reg)


def announce_confirmed(ctx: Context, order: Order) -> None:
    """Tell whoever acts on confirmed orders (registration: the deal it fills)."""
    ctx.publish("order.confirmed", order_id=order.id, order_number=order.number, partner_id=order.partner_id,
                customer_id=order.customer_id, registration_id=order.registration_id,
                total_yuan=str(order.total_yuan), at=ctx.now.isoformat())
