"""Won and lost: `成交 RG… 金额 150万` / `赢单 RG…`, `输单 RG… 原因 竞品 价格`,
and an order that names the deal (the orders capability publishes
"order.confirmed" with the deal it named): by the rules it marks the deal won.

A decided deal keeps its record (amount, date, why it was lost: the funnel
and the split read them) and no longer holds the customer: the opportunity
is closed. Partners refused on a lost deal hear the customer is free (the
lifecycle sweep); a won one is simply done."""
from __future__ import annotations

from decimal import Decimal

from chat.context import Context
from chat.messages import Text
from domain.language import Parsed
from domain.money import money
from domain.rules import pipeline_checks as checks
from domain.rules.verdict import REJECT
from domain.wording import yuan
from handlers.registration.lifecycle import end_protection, lock_registration
from handlers.registration.ownership import own_open
from handlers.registration.payload import snapshot
from handlers.registration.progress import record
from handlers.registration.register import amount_doubt_text, amount_problem, unread_amount_problem
from handlers.registration.texts import t
from models import FollowUpKind, Order, Registration, RegistrationStatus, User

PROTECTED = (RegistrationStatus.APPROVED,)


def won_command(ctx: Context, parsed: Parsed) -> None:
    reg = own_open(ctx, parsed.ref, t("action_won", ctx.lang), statuses=PROTECTED)
    if reg is not None:
        won(ctx, reg, parsed.amount_yuan, said=ctx.inbound.text, doubt=parsed.amount_doubt)


def lost_command(ctx: Context, parsed: Parsed) -> None:
    reg = own_open(ctx, parsed.ref, t("action_lost", ctx.lang), statuses=PROTECTED)
    if reg is not None:
        lost(ctx, reg, parsed.note)


def won(ctx: Context, reg: Registration, amount: Decimal | float | None, note: str | None = None,
        order: Order | None = None, said: str | None = None, doubt: str | None = None) -> None:
    """Mark the deal won at ``amount`` (default: the amount registered; a number
    read from a message is taken to the fen). ``said``: the words the amount was
    read from; an amount written there but unreadable ("金额 0") is asked for
    again, never replaced by the registered one, and so is one that is not clearly
    the deal's total (``doubt``: "-5万", "80-100万", "5万/台")."""
    lang = ctx.lang
    if reg.status not in PROTECTED:
        ctx.reply(Text(t("not_protected_yet", lang, number=reg.number)))
        return
    # Doubt first, as a registration asks: "80-100万" is a range before it is ¥80.
    problem = ((amount_doubt_text(ctx, doubt, amount) if doubt and amount is not None else None)
               or amount_problem(ctx, amount) or unread_amount_problem(ctx, said, amount))
    if problem:
        ctx.reply(Text(problem))
        return
    value = money(amount if amount is not None else reg.amount_yuan)
    before = snapshot(reg)
    # Won by an order: the bot recorded it (whoever confirmed or approved the order).
    record(ctx, reg, FollowUpKind.WON, None if order else ctx.user.id, note=note, order_id=order.id if order else None)
    end_protection(ctx, reg, RegistrationStatus.WON)
    reg.closed_at, reg.won_amount_yuan = ctx.now, value
    ctx.audit("registration.won", "registration", reg.number, before=before,
              after={**snapshot(reg), "won_amount_yuan": str(value), "order": order.number if order else None})
    ctx.publish("registration.won", registration_id=reg.id, partner_id=reg.partner_id, amount_yuan=str(value),
                order_id=order.id if order else None, at=ctx.now.isoformat())
    if order is None:
        ctx.reply(Text(t("won_done", lang, number=reg.number, customer=reg.customer_text, amount=yuan(value))))


def lost(ctx: Context, reg: Registration, reason_text: str | None) -> None:
    lang = ctx.lang
    if reg.status not in PROTECTED:
        ctx.reply(Text(t("not_protected_yet", lang, number=reg.number)))
        return
    verdict = checks.lost_reason(ctx.rules.pipeline, reason_text, lang)
    if verdict.outcome == REJECT:
        ctx.reply(Text(t("lost_needs_reason", lang, number=reg.number, message=verdict.message,
                         next_step=verdict.next_step)))
        return
    before = snapshot(reg)
    reasons, note = verdict.facts["reasons"], verdict.facts["note"] or None
    record(ctx, reg, FollowUpKind.LOST, ctx.user.id, note="、".join(reasons) + (f" {note}" if note else ""))
    end_protection(ctx, reg, RegistrationStatus.LOST)
    reg.closed_at, reg.lost_reasons, reg.lost_note = ctx.now, reasons, note
    ctx.audit("registration.lost", "registration", reg.number, before=before, after=snapshot(reg),
              verdicts=[verdict.to_dict()])
    ctx.reply(Text(t("lost_done", lang, number=reg.number, customer=reg.customer_text, reasons="、".join(reasons),
                     note=f"（{note}）" if note else "")))


def on_order_confirmed(ctx: Context, facts: dict) -> None:
    """An order naming the deal was confirmed: by the rules, the deal is won
    at the order's total (the first order that confirms decides)."""
    if not facts.get("registration_id"):
        return
    reg = lock_registration(ctx, facts["registration_id"])
    order = ctx.s.get(Order, facts["order_id"])
    verdict = checks.order_won(ctx.rules.pipeline, reg.number, reg.status in PROTECTED, order.number)
    ctx.audit("registration.order_linked", "registration", reg.number, after={"order": order.number},
              verdicts=[verdict.to_dict()])
    if verdict.reason_code != "MARK_WON":
        return
    won(ctx, reg, order.total_yuan, order=order)
    text = t("won_by_order", "zh", number=reg.number, customer=reg.customer_text, order=order.number,
             amount=yuan(order.total_yuan))
    ctx.reply_or_send(ctx.s.get(User, order.submitter_id), Text(text), key=f"won-by-order:{reg.id}")
