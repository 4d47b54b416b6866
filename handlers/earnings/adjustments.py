"""分润调整: a split line changes only through an approval. A manager asks
(`分润调整 RG… 报备方 5000 理由 客户追加折让`), the director decides on the
approval card (the engine's flow, reminders and stamps), and only then the
line takes the new amount, keeping the computed one beside it."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from chat.context import Context
from chat.messages import Text
from domain.language import Parsed
from domain.money import LARGEST_AMOUNT, money
from domain.rules.verdict import NEEDS_APPROVAL, Verdict
from domain.wording import yuan_exact
from handlers.approvals import start_flow
from handlers.approvals.kinds import CardView, RowSubject
from handlers.earnings.texts import ROLE_WORDS, role_word, t
from models import (
    MANAGING_ROLES,
    Approval,
    ApprovalFlow,
    Customer,
    Registration,
    SplitAdjustment,
    SplitEntry,
    User,
)

_ASK = re.compile(r"(RG\d{8}-\d{4,})\s+(\S+)\s+([\d,.]+)\s*(万)?\s*(?:理由|原因)?\s*[:：]?\s*(.*)$",
                  re.IGNORECASE | re.DOTALL)
MAX_REASON = 300
MAX_ADJUSTED = LARGEST_AMOUNT


def _role(word: str) -> str | None:
    word = word.strip().lower()
    return next((k for k, (zh, en) in ROLE_WORDS.items() if word in (k, zh, en)), None)


def ask(ctx: Context, parsed: Parsed) -> None:
    lang = ctx.lang
    if ctx.user is None or ctx.user.role not in MANAGING_ROLES:
        ctx.reply(Text(t("adjust_managers_only", lang)))
        return
    m = _ASK.search(ctx.inbound.text or "")
    role = _role(m.group(2)) if m else None
    try:
        amount = Decimal(m.group(3).replace(",", "")) * (10000 if m.group(4) else 1) if m else None
    except InvalidOperation:
        amount = None
    reason = m.group(5).strip() if m else ""
    if (m is None or role is None or amount is None or not 0 <= amount <= MAX_ADJUSTED or not reason
            or len(reason) > MAX_REASON):
        ctx.reply(Text(t("adjust_usage", lang)))
        return
    number = m.group(1).upper()
    entry = ctx.s.execute(select(SplitEntry).join(Registration, Registration.id == SplitEntry.registration_id)
                          .where(Registration.number == number, SplitEntry.role == role)).scalar_one_or_none()
    if entry is None:
        ctx.reply(Text(t("adjust_no_line", lang, number=number, role=role_word(role, lang))))
        return
    amount = money(amount)
    adj = SplitAdjustment(entry_id=entry.id, requester_id=ctx.user.id, amount_before=entry.amount_yuan,
                          amount_after=amount, reason=reason, status="pending", created_at=ctx.now)
    ctx.s.add(adj)
    ctx.s.flush()
    adj.number = f"SA{ctx.clock.local(ctx.now):%Y%m%d}-{adj.id:04d}"
    reg = ctx.s.get(Registration, entry.registration_id)
    customer = ctx.s.get(Customer, reg.customer_id) if reg.customer_id else None
    why = Verdict("splits.adjustment", NEEDS_APPROVAL, "SPLIT_ADJUSTMENT",
                  f"分润调整须经总监同意：{number} {role_word(role, 'zh')} {yuan_exact(entry.amount_yuan)} → "
                  f"{yuan_exact(amount)}", facts={"entry": entry.id}, approver_role="director")
    flow = start_flow(ctx, "split_adjustment", adj, ["director"], [why], customer.region if customer else None)
    ctx.audit("split.adjustment_asked", "registration", number,
              after={"adjustment": adj.number, "role": role, "before": str(entry.amount_yuan), "after": str(amount),
                     "reason": reason, "flow": flow.id})
    approver_id = _approver_id(ctx, flow)
    approver = ctx.s.get(User, approver_id) if approver_id else None
    ctx.reply(Text(t("adjust_sent", lang, adj=adj.number, approver=approver.name if approver else "总监",
                     number=number, role=role_word(role, lang), before=yuan_exact(entry.amount_yuan),
                     after=yuan_exact(amount))))


def _approver_id(ctx: Context, flow: ApprovalFlow) -> int | None:
    appr = ctx.s.execute(select(Approval).where(Approval.flow_id == flow.id).order_by(Approval.id.desc())
                         ).scalars().first()
    return appr.approver_id if appr else None


class AdjustmentKind(RowSubject):
    model = SplitAdjustment
    name, prefix, noun = "split_adjustment", "SA", "分润调整"
    requester_column = "requester_id"

    def revision(self, adj: SplitAdjustment) -> int:
        return 1

    def payload(self, ctx: Context, adj: SplitAdjustment) -> dict:
        return {"entry": adj.entry_id, "before": str(adj.amount_before), "after": str(adj.amount_after),
                "reason": adj.reason}

    def is_open(self, adj: SplitAdjustment) -> bool:
        return adj.status == "pending"

    def card(self, ctx: Context, flow: ApprovalFlow, adj: SplitAdjustment, appr: Approval) -> CardView:
        entry = ctx.s.get(SplitEntry, adj.entry_id)
        reg = ctx.s.get(Registration, entry.registration_id)
        requester = ctx.s.get(User, adj.requester_id)
        return CardView(title=t("adjust_card_title", "zh", adj=adj.number), desc=f"{reg.number} · {requester.name}",
                        rows=(("客户", reg.customer_text), ("角色", role_word(entry.role, "zh")),
                              ("计算值", f"{yuan_exact(adj.amount_before)}"
                                        f"（规则 {entry.rule_id} v{entry.rules_version}）"),
                              ("调整为", yuan_exact(adj.amount_after)), ("理由", adj.reason[:60])),
                        note="同意后对账单按调整后金额计。")

    def approved(self, ctx: Context, flow: ApprovalFlow, adj: SplitAdjustment, appr: Approval) -> None:
        entry = ctx.s.get(SplitEntry, adj.entry_id)
        reg = ctx.s.get(Registration, entry.registration_id)
        before = entry.amount_yuan
        entry.computed_yuan = entry.computed_yuan if entry.computed_yuan is not None else entry.amount_yuan
        entry.amount_yuan, entry.adjusted_by, entry.updated_at = adj.amount_after, adj.number, ctx.now
        adj.status, adj.decided_at = "approved", ctx.now
        ctx.audit("split.adjusted", "registration", reg.number,
                  before={"role": entry.role, "amount": str(before)},
                  after={"role": entry.role, "amount": str(entry.amount_yuan), "adjustment": adj.number})
        requester = self.requester(ctx, adj)
        ctx.send(requester, Text(t("adjust_approved", ctx.lang_of(requester), adj=adj.number, number=reg.number,
                                   role=role_word(entry.role, "zh"), before=yuan_exact(before),
                                   after=yuan_exact(entry.amount_yuan))), key=f"adjusted:{adj.id}")

    def rejected(self, ctx: Context, flow: ApprovalFlow, adj: SplitAdjustment, appr: Approval, reason: str) -> None:
        adj.status, adj.decided_at = "rejected", ctx.now
        ctx.audit("split.adjustment_rejected", "split_adjustment", adj.number, after={"reason": reason})
        requester = self.requester(ctx, adj)
        ctx.send(requester, Text(t("adjust_rejected", ctx.lang_of(requester), adj=adj.number, reason=reason)),
                 key=f"adjust-rejected:{adj.id}")
