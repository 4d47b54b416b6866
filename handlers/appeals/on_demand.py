"""证据 <客户>: a manager's (or the director's) evidence bundle on a customer,
as a message and as a workbook to hand to headquarters. A manager sees the
customers of the regions they cover; the request is audited (who looked at
whose evidence, when)."""
from __future__ import annotations

from chat.context import Context
from chat.messages import File, Markdown, Text
from domain.language import Parsed
from handlers.appeals import evidence, workbook
from handlers.appeals.texts import t
from handlers.customers import lookup as customers
from models import MANAGING_ROLES, Role


def evidence_command(ctx: Context, parsed: Parsed) -> None:
    lang, user = ctx.lang, ctx.user
    if user.role not in MANAGING_ROLES:
        ctx.reply(Text(t("evidence_staff_only", lang)))
        return
    if not parsed.customer:
        ctx.reply(Text(t("evidence_need_customer", lang)))
        return
    match = customers.find(ctx.s, parsed.customer)
    if match.matched is None or match.verdict == "distinct":
        ctx.reply(Text(t("evidence_not_found", lang, customer=parsed.customer)))
        return
    customer = match.matched
    if user.role == Role.MANAGER and customer.region not in (user.regions or []):
        ctx.reply(Text(t("evidence_outside_area", lang, customer=customer.name, area="、".join(user.regions or []))))
        return
    bundle = evidence.for_customer(ctx, customer)
    if not bundle.sides:
        ctx.reply(Text(t("evidence_none", lang, customer=customer.name)))
        return
    ctx.reply(Markdown(evidence.message(ctx, bundle, [t("role_claim", "zh")] * len(bundle.sides), t)))
    blob = workbook.stored(ctx, bundle)
    ctx.reply(File(blob.id))
    ctx.audit("evidence.exported", "customer", customer.id,
              after={"customer": customer.name, "claims": [s.registration.number for s in bundle.sides],
                     "file": blob.filename, "sha256": blob.sha256})
