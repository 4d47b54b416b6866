"""确认 / 取消 an order, from its summary card or by text.

Confirming checks again (prices, credit and stock may have moved since the
summary was shown). A check that fails now refuses the confirmation and
leaves the draft as it was, so the dealer can change it as the answer says
(修改订单 …) or cancel it; it no longer turns the order into a dead
"未通过" one. An order outside the territory waits for its approver (窜货).
"""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from chat.context import Context
from chat.messages import Text
from domain.language import Parsed
from domain.rules.decision import overall
from domain.rules.words import rule_name
from domain.wording import sentences, yuan
from handlers.approvals import start_flow
from handlers.approvals.deciders import decider_words
from handlers.orders.access import lock_for_change, own_order, refused_as_fixed
from handlers.orders.cards import resend_card, stamp_card
from handlers.orders.checks import OrderOutcome
from handlers.orders.deal_link import announce_confirmed
from handlers.orders.pricing import apply_pricing, price_afresh
from handlers.orders.special_terms import terms_of
from handlers.orders.status import end_order, notify_status, order_snapshot, set_status
from handlers.orders.texts import t
from models import Order, OrderStatus


def on_card_click(ctx: Context, order: Order) -> None:
    click = ctx.inbound.card
    if ctx.user.id != order.submitter_id:
        ctx.reply(Text(t("order_card_not_yours", ctx.lang)))
        return
    if click.task_id != order.card_task_id:
        ctx.reply(Text(t("order_card_stale", ctx.lang, number=order.number)))
        return
    if click.key == "confirm":
        confirm(ctx, order)
    elif click.key == "cancel":
        cancel(ctx, order)
    else:
        ctx.reply(Text(t("card_gone", ctx.lang)))


def confirm_by_text(ctx: Context, parsed: Parsed) -> None:
    order = own_order(ctx, parsed.ref)
    if order is not None:
        confirm(ctx, order)


def cancel_by_text(ctx: Context, parsed: Parsed) -> None:
    order = own_order(ctx, parsed.ref)
    if order is not None:
        cancel(ctx, order)


def draft_expired(ctx: Context, order: Order) -> bool:
    """A summary lapses this long after it was last shown (placed, changed, repriced)."""
    return order.updated_at + timedelta(hours=ctx.rules.orders.draft_valid_hours) < ctx.now


def refusal(ctx: Context, order: Order, outcome: OrderOutcome, key: str, **more) -> Text:
    """The answer to an order, a change or a confirmation the checks refused:
    the first rule broken, every reason, and what to do next."""
    first = outcome.rejects[0]
    return Text(t(key, ctx.lang, number=order.number, rule_name=rule_name(first.rule_id, ctx.lang),
                  rule=first.rule_id, message="\n".join(v.message for v in outcome.rejects),
                  next_step=first.next_step, **more))


def confirm(ctx: Context, order: Order) -> None:
    lang, now = ctx.lang, ctx.now
    partner, order = lock_for_change(ctx, order)
    if order.status != OrderStatus.DRAFT:
        ctx.reply(Text(t(f"order_confirm_{order.status}", lang, number=order.number)))
        return
    # A special price still being decided keeps the summary alive (as the sweep
    # does), and the dealer waits for it rather than seeing the order lapse.
    terms = terms_of(ctx, order)
    pending_sp = terms.pending
    if pending_sp:
        ctx.reply(Text(t("order_wait_special", lang, number=order.number, sp=pending_sp)))
        return
    if draft_expired(ctx, order):
        notes = end_order(ctx, order, OrderStatus.CANCELLED, "expired", reason="draft expired")
        stamp_card(ctx, order, t("order_stamp_expired", "zh"), "expired")
        ctx.reply(Text("\n".join(x for x in (t("order_draft_expired", lang, number=order.number,
                                                hours=ctx.rules.orders.draft_valid_hours), notes) if x)))
        return
    before = order_snapshot(order)
    priced = price_afresh(ctx, partner, order, approved=terms.approved)
    outcome = priced.outcome
    if outcome.rejects:
        ctx.audit("order.confirm_refused", "order", order.number, before=before, after=before,
                  verdicts=[v.to_dict() for v in outcome.verdicts])
        ctx.reply_private(refusal(ctx, order, outcome, "order_confirm_refused", sku=order.lines[0].sku),
                          group_note=t("order_refused_privately", lang))
        return
    apply_pricing(ctx, order, priced, shown_again=False)
    if Decimal(str(order.total_yuan)) != Decimal(str(before["total_yuan"])):
        resend_card(ctx, order, t("order_prices_moved", "zh", number=order.number,
                                                  before=yuan(before["total_yuan"]), now=yuan(order.total_yuan)))
        ctx.audit("order.repriced", "order", order.number, before=before, after=order_snapshot(order))
        return
    stamp_card(ctx, order, t("order_stamp_confirmed", "zh", who=ctx.user.name, when=ctx.fmt(now)),
               "confirmed")
    if outcome.needing:
        set_status(ctx, order, OrderStatus.PENDING_APPROVAL)
        flow = start_flow(ctx, "order", order, [overall(outcome.needing).approver], outcome.needing,
                          region=(partner.regions or [None])[0])
        ctx.audit("order.confirmed_pending", "order", order.number, before=before, after=order_snapshot(order),
                  verdicts=order.verdicts)
        ctx.reply(Text(t("order_pending", lang, number=order.number, total=yuan(order.total_yuan, lang),
                         who=decider_words(ctx, flow, lang),
                         reasons=sentences((v.message for v in outcome.needing), lang).rstrip("。."))))
        return
    set_status(ctx, order, OrderStatus.CONFIRMED)
    ctx.audit("order.confirmed", "order", order.number, before=before, after=order_snapshot(order),
              verdicts=order.verdicts)
    notify_status(ctx, order, OrderStatus.CONFIRMED, reply=True)
    announce_confirmed(ctx, order)


def cancel(ctx: Context, order: Order) -> None:
    _partner, order = lock_for_change(ctx, order)
    if refused_as_fixed(ctx, order, "cancel"):
        return
    was_draft = order.status == OrderStatus.DRAFT
    notes = end_order(ctx, order, OrderStatus.CANCELLED, "cancelled")
    if was_draft:
        stamp_card(ctx, order, t("order_stamp_cancelled", "zh", who=ctx.user.name, when=ctx.fmt(ctx.now)),
                   "cancelled")
    notify_status(ctx, order, OrderStatus.CANCELLED, reply=True, extra=notes)
