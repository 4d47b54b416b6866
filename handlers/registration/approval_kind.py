"""Registrations as a subject of the approval engine: what their cards show and
what a decision does (approve → protected for the protection period; reject →
the customer is released)."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from chat.context import Context
from chat.messages import Text
from domain.rules.earnings import split_deal
from domain.rules.pipeline_checks import percent
from domain.rules.words import reason_label
from domain.wording import sentences, yuan, yuan_exact
from handlers.approvals.kinds import CardView, RowSubject
from handlers.registration import locks
from handlers.registration.approved_terms import restore_approved_terms
from handlers.registration.payload import payload_of, snapshot
from handlers.registration.texts import t
from models import Approval, ApprovalFlow, Partner, Registration, RegistrationStatus, User

# Row priorities on the approval card (chat.messages.Row).
ALWAYS, ESSENTIAL, FILLER = 3, 2, 1


class RegistrationKind(RowSubject):
    model = Registration
    name, prefix, noun = "registration", "RG", "报备"

    def payload(self, ctx: Context, reg: Registration) -> dict:
        return payload_of(reg)

    def is_open(self, reg: Registration) -> bool:
        # Waiting for a decision: a new registration, or a change to an approved one.
        return reg.status == RegistrationStatus.PENDING or reg.change_waiting

    def card(self, ctx: Context, flow: ApprovalFlow, reg: Registration, appr: Approval) -> CardView:
        partner = ctx.s.get(Partner, reg.partner_id)
        submitter = ctx.s.get(User, reg.submitter_id)
        # What the decision turns on comes first; the close date and the time it
        # came in fill what room a platform's card has left; the reasons always show.
        essential = [("客户", reg.customer_text + (f" {reg.department}" if reg.department else ""), ESSENTIAL),
                     ("产品线", "、".join(reg.product_lines), ESSENTIAL),
                     ("金额", yuan(reg.amount_yuan), ESSENTIAL)]
        if reg.change_waiting:
            # A change to an approved deal: what was approved is the comparison.
            essential.append(("已批准金额", yuan(reg.approved_terms["amount_yuan"]), ESSENTIAL))
        resembled = next((r["facts"] for r in flow.reasons if r["reason_code"] == "POSSIBLE_DUPLICATE"), None)
        if resembled:
            # The decision is "same customer or not": what it resembles, and who holds it.
            essential.append(("相似客户", f"{resembled['matched']}（{resembled['score']:.2f}）", ESSENTIAL))
            if resembled.get("matched_holder_partner"):
                until = ctx.fmt(datetime.fromisoformat(resembled["matched_locked_until"]), "%Y-%m-%d")
                essential.append(("已被报备", f"{resembled['matched_holder_partner']} 至 {until}", ESSENTIAL))
        account = next((r["facts"] for r in flow.reasons if r["reason_code"] == "KEY_ACCOUNT"), None)
        if account:
            # A co-sell request: whose account it is, and what the partner would get.
            essential.append(("重点客户", f"{account['tier']}级 · 伙伴分成 "
                                          f"{percent(ctx.rules.key_accounts.partner_share)}", ESSENTIAL))
        if reg.joint_partner_id is not None:
            essential.append(("联合报备", ctx.s.get(Partner, reg.joint_partner_id).name, ESSENTIAL))
        split = split_preview(ctx, reg, partner, cosell=account is not None)
        if split:
            essential.append(("分润预估", split, ESSENTIAL))
        filler = [("预计签约", reg.close_date.isoformat() if reg.close_date else "未填", FILLER),
                  ("报备时间", ctx.fmt(reg.received_at, "%Y-%m-%d %H:%M"), FILLER)]
        if reg.note:
            filler.insert(0, ("备注", reg.note[:60], FILLER))      # what the dealer added after the fields
        reasons = ("审批原因", "、".join(reason_label(r["reason_code"]) for r in flow.reasons), ALWAYS)
        rows = essential + filler + [reasons]
        return CardView(title=t("card_title", "zh", number=reg.number),
                        desc=t("card_desc", "zh", partner=partner.name, submitter=submitter.name), rows=tuple(rows),
                        note=sentences(r["message"] for r in flow.reasons if r.get("message")))

    def approved(self, ctx: Context, flow: ApprovalFlow, reg: Registration, appr: Approval) -> None:
        before = snapshot(reg)
        now = ctx.now
        reg.status, reg.decided_by_id = RegistrationStatus.APPROVED, appr.decided_by_id
        reg.decided_at, reg.updated_at = now, now
        if reg.change_waiting:
            # An approved change: the protection already running goes on, not restarts.
            reg.approved_terms = None
        else:
            reg.lock_until = now + timedelta(days=ctx.rules.registration.protection_days)
            locks.extend(ctx, reg)
        cosell = reg.key_account is not None and reg.partner_share is None
        if cosell:                  # a co-sell request accepted: the partner sells with the direct team
            reg.partner_share = ctx.rules.key_accounts.partner_share
        ctx.audit("registration.approved", "registration", reg.number, before=before,
                  after={**snapshot(reg), "partner_share": str(reg.partner_share) if reg.partner_share else None})
        who = ctx.s.get(User, appr.decided_by_id)
        dealer = self.requester(ctx, reg)
        lang = ctx.lang_of(dealer)
        text = t("reg_decided_approved", lang, number=reg.number, customer=reg.customer_text, who=who.name,
                 until=ctx.fmt(reg.lock_until, "%Y-%m-%d"))
        if cosell:
            text += t("cosell_accepted", lang, customer=reg.key_account, share=percent(reg.partner_share))
        ctx.send(dealer, Text(text), key=f"decision:{appr.id}")

    def rejected(self, ctx: Context, flow: ApprovalFlow, reg: Registration, appr: Approval, reason: str) -> None:
        if reg.change_waiting:
            self._change_rejected(ctx, reg, reason)
            return
        before = snapshot(reg)
        now = ctx.now
        reg.status, reg.decided_by_id = RegistrationStatus.REJECTED, appr.decided_by_id
        reg.decided_at, reg.updated_at = now, now
        reg.decision_reason = reason
        locks.release(ctx, reg)
        ctx.audit("registration.rejected", "registration", reg.number, before=before, after=snapshot(reg))
        dealer = self.requester(ctx, reg)
        ctx.send(dealer, Text(t("reg_decided_rejected", ctx.lang_of(dealer), number=reg.number,
                                customer=reg.customer_text, who=ctx.user.name, reason=reason)),
                 key=f"decision:{appr.id}")

    def _change_rejected(self, ctx: Context, reg: Registration, reason: str) -> None:
        """A refused change to an approved registration: the approved terms stand."""
        before = snapshot(reg)
        restore_approved_terms(reg)
        reg.updated_at = ctx.now
        reg.revision += 1
        ctx.audit("registration.change_rejected", "registration", reg.number, before=before, after=snapshot(reg))
        ctx.send(self.requester(ctx, reg),
                 Text(t("reg_change_rejected", "zh", number=reg.number, customer=reg.customer_text, who=ctx.user.name,
                        reason=reason, amount=yuan(reg.amount_yuan), until=ctx.fmt(reg.lock_until, "%Y-%m-%d"))),
                 key=f"change-rejected:{reg.id}:{reg.revision}")


SPLIT_ROLE_WORDS = {"registering": "报备方", "delivering": "交付方", "introducing": "引荐方", "direct": "直销团队"}


def split_preview(ctx: Context, reg: Registration, partner: Partner, cosell: bool) -> str | None:
    """The commission split (rules: splits) the deal would bring if won at its
    registered amount, shown before anyone agrees: who gets what, by which rule."""
    parties = {"registering": partner.id, "introducing": reg.joint_partner_id, "direct": "direct" if cosell else None}
    line = reg.product_lines[0] if reg.product_lines else None
    split = split_deal(ctx.rules.splits, Decimal(str(reg.amount_yuan or 0)), line, partner.tier, parties)
    if not split.lines:
        return None
    names = {partner.id: partner.name}
    if reg.joint_partner_id:
        names[reg.joint_partner_id] = ctx.s.get(Partner, reg.joint_partner_id).name
    parts = [f"{SPLIT_ROLE_WORDS[x.role]}{'' if x.party == 'direct' else ' ' + names.get(x.party, '')} "
             f"{yuan_exact(x.amount)}" for x in split.lines]
    return "、".join(parts) + f"（规则 {split.rule_id}）"
