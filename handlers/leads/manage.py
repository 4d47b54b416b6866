"""分配线索 LD… <伙伴>: the area manager (or the director, an admin) hands a lead
that came to them — nobody qualified, or every partner tried gave it up — to a
partner of their choice; the partner gets the card and the SLA runs as for any offer."""
from __future__ import annotations

import re

from sqlalchemy import select

from chat.context import Context
from chat.messages import Text
from domain.language import Parsed
from handlers.leads.assign import lock_lead, offer_to, snapshot
from handlers.leads.texts import t
from handlers.registration.partners import find_partner
from models import MANAGING_ROLES, Lead, LeadStatus

_ASK = re.compile(r"(LD\d{8}-\d{4,})\s*(.*)$", re.IGNORECASE | re.DOTALL)


def assign_command(ctx: Context, parsed: Parsed) -> None:
    lang = ctx.lang
    if ctx.user is None or ctx.user.role not in MANAGING_ROLES:
        ctx.reply(Text(t("assign_managers_only", lang)))
        return
    found = _ASK.search(ctx.inbound.text or "")
    if found is None or not found.group(2).strip():
        ctx.reply(Text(t("assign_usage", lang)))
        return
    lead = ctx.s.execute(select(Lead).where(Lead.number == found.group(1).upper())).scalar_one_or_none()
    partner = find_partner(ctx.s, found.group(2).strip())
    if lead is None:
        ctx.reply(Text(t("not_yours", lang, ref=found.group(1).upper())))
        return
    if partner is None or partner.direct:
        ctx.reply(Text(t("assign_unknown_partner", lang, partner=found.group(2).strip()[:40])))
        return
    lead = lock_lead(ctx, lead.id)
    if lead.status not in (LeadStatus.MANAGER, LeadStatus.NEW):
        ctx.reply(Text(t("assign_not_waiting", lang, number=lead.number)))
        return
    before = snapshot(lead)
    lead.manager_id = None
    offer_to(ctx, lead, partner, None, [])
    ctx.audit("lead.assigned", "lead", lead.number, before=before,
              after={**snapshot(lead), "by": ctx.user.external_id, "partner": partner.name})
    ctx.reply(Text(t("assigned", lang, number=lead.number, partner=partner.name,
                     due=ctx.fmt(lead.due_at, "%Y-%m-%d %H:%M"))))
