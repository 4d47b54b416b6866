"""修改 / 撤销: a dealer changes or withdraws its own registration.

Any change voids approvals that showed the old payload (product.md point 3),
then the rules decide afresh whether an approval is needed.
"""
from __future__ import annotations

from datetime import timedelta

from chat.context import Context
from chat.messages import Text
from domain.language import Parsed
from domain.money import money
from domain.rules import checks
from domain.rules.verdict import NEEDS_APPROVAL, Verdict
from domain.wording import yuan
from handlers.approvals import void_open_flows
from handlers.registration import contests, joint_cards, locks
from handlers.registration.approved_terms import approved_terms_of, restore_approved_terms
from handlers.registration.ownership import own_open
from handlers.registration.payload import snapshot
from handlers.registration.register import amount_doubt_text, amount_problem, request_approval
from handlers.registration.texts import status_word, t
from models import Customer, JointStatus, Registration, RegistrationStatus


def amend(ctx: Context, parsed: Parsed) -> None:
    lang = ctx.lang
    reg = own_open(ctx, parsed.ref, "修改" if lang == "zh" else "changed")
    if reg is None:
        return
    if parsed.customer or parsed.products:
        ctx.reply(Text(t("amend_lines_no", lang)))
        return
    if reg.joint_status == JointStatus.INVITED:
        ctx.reply(Text(t("joint_wait_amend", lang, number=reg.number)))
        return
    problem = amount_problem(ctx, parsed.amount_yuan)
    if problem:
        ctx.reply(Text(problem))
        return
    if parsed.amount_doubt and parsed.amount_yuan is not None:
        ctx.reply(Text(amount_doubt_text(ctx, parsed.amount_doubt, parsed.amount_yuan)))
        return
    changes: list[str] = []
    before = snapshot(reg)
    terms = approved_terms_of(reg)
    if parsed.amount_yuan is not None and money(parsed.amount_yuan) != money(reg.amount_yuan or 0):
        changes.append(t("change_amount", lang, old=yuan(reg.amount_yuan), new=yuan(parsed.amount_yuan)))
        reg.amount_yuan = money(parsed.amount_yuan)
    if parsed.close_date is not None and parsed.close_date != reg.close_date:
        changes.append(t("change_close_date", lang, old=reg.close_date or t("not_given", lang), new=parsed.close_date))
        reg.close_date = parsed.close_date
    if not changes:
        ctx.reply(Text(t("amend_nothing", lang, ref=reg.number)))
        return
    if reg.status == RegistrationStatus.APPROVED and not reg.change_waiting:
        reg.approved_terms = terms          # what a refused change falls back to
    reg.revision += 1
    reg.updated_at = ctx.now
    void_open_flows(ctx, "registration", reg.id)
    rules = ctx.rules.registration
    tier = checks.tiering(rules, money(reg.amount_yuan), lang)
    # Reasons other than the amount (possible duplicate, unknown region) still stand.
    standing = [Verdict(**v) for v in reg.verdicts
                if v["outcome"] == NEEDS_APPROVAL
                and v["rule_id"] not in (tier.rule_id, "registration.approval", "registration.joint")]
    reg.verdicts = [v for v in reg.verdicts if v["rule_id"] != tier.rule_id] + [tier.to_dict()]
    needing = ([tier] if tier.outcome == NEEDS_APPROVAL else []) + standing
    if not needing:
        routine = checks.routine(rules, lang)
        needing = [routine] if routine.outcome == NEEDS_APPROVAL else []
    customer = ctx.s.get(Customer, reg.customer_id)
    if contests.in_open_contest(ctx, reg):
        # Still a claim on a name like a known customer: its contest's one card shows the new terms.
        contests.claim_changed(ctx, reg)
    elif needing:
        # An approved deal stays approved (protected, on its approved terms) while
        # its change waits: the change, not the deal, is what the approver decides.
        if not reg.change_waiting:
            reg.status = RegistrationStatus.PENDING
        role = "director" if any(v.approver_role == "director" for v in needing) else "area_manager"
        request_approval(ctx, reg, role, customer.region if customer else None, needing)
    elif reg.change_waiting:
        # A change of an approved deal that no longer needs anyone: approved as it
        # was, with the protection it already had (changes don't restart the clock).
        reg.approved_terms = None
    elif reg.status == RegistrationStatus.PENDING:
        # It only waited for the approval the change made unnecessary.
        reg.status, reg.decided_at = RegistrationStatus.APPROVED, ctx.now
        reg.lock_until = ctx.now + timedelta(days=rules.protection_days)
        locks.extend(ctx, reg)
    ctx.audit("registration.amended", "registration", reg.number, before=before, after=snapshot(reg),
              verdicts=reg.verdicts)
    ctx.reply(Text(t("amended", lang, number=reg.number, changes="；".join(changes)) + "\n"
                   + status_line(ctx, reg)))


def status_line(ctx: Context, reg: Registration) -> str:
    lang, until = ctx.lang, ctx.fmt(reg.lock_until, "%Y-%m-%d")
    if reg.change_waiting:
        return t("status_change_pending", lang, until=until, amount=yuan(reg.approved_terms["amount_yuan"]))
    if reg.status == RegistrationStatus.PENDING:
        return t("status_pending", lang, until=until)
    return t("status_open", lang, status=status_word(reg.status, lang), until=until)


def withdraw(ctx: Context, parsed: Parsed) -> None:
    reg = own_open(ctx, parsed.ref, "撤销" if ctx.lang == "zh" else "withdrawn")
    if reg is None:
        return
    before = snapshot(reg)
    void_open_flows(ctx, "registration", reg.id)
    if reg.joint_status == JointStatus.INVITED:
        joint_cards.stamp_invites(ctx, reg, t("stamp_void_withdrawn", "zh"))
    restore_approved_terms(reg)             # what was withdrawn is the deal as approved
    reg.status, reg.updated_at, reg.revision = RegistrationStatus.WITHDRAWN, ctx.now, reg.revision + 1
    reg.ended_at = ctx.now                  # the cool-down runs from here
    locks.release(ctx, reg)
    contests.claim_changed(ctx, reg)            # its contest's card no longer lists it
    ctx.audit("registration.withdrawn", "registration", reg.number, before=before, after=snapshot(reg))
    ctx.reply(Text(t("withdrawn", ctx.lang, number=reg.number, customer=reg.customer_text)))
