"""Routes one neutral inbound message to its handler.

Order: who is it → card click → a conversation waiting for an answer →
approver text commands → the parsed intent.
"""
from __future__ import annotations

import re

from chat.context import Context
from chat.messages import Markdown, Text
from domain.language import parse_message
from handlers.customers import aliases
from handlers import approvals
from handlers.approvals import cards
from handlers.registration import changes
from handlers.orders import commands as orders
from handlers.visits import plans
from handlers.registration import queries
from handlers.registration import register as registration
from handlers.special_prices import commands as special_prices
from handlers.visits import checkins as visits
from handlers.registration import extensions
from handlers.approvals import delegation
from models.catalog import DbCatalog
from handlers.common.texts import t

WELCOME_EVERY_S = 24 * 3600
CANCEL = {"取消", "算了", "不用了", "cancel", "quit", "stop"}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]{2,}")
def language_of(text: str | None) -> str:
    """Answer in English only to messages written in English (no Chinese at all)."""
    if text and not _CJK.search(text) and _LATIN.search(text):
        return "en"
    return "zh"


def dispatch(ctx: Context) -> None:
    ib = ctx.inbound
    if ctx.user is None:
        if ib.kind == "card_click":
            # Someone in the corp but not set up in Qudao tapped a card: refused, and kept on record.
            ctx.audit("card.click_refused", "card", ib.card.task_id, after={"key": ib.card.key,
                                                                            "reason": "unknown_user"})
        ctx.reply(Text(t("unknown_user", ctx.lang)))
        return
    if ib.kind == "card_click":
        _drop_reject_prompt(ctx, cards.subject_ref_of_card(ctx, ib.card.task_id))
        cards.on_card_click(ctx)
    elif ib.kind == "text":
        _text(ctx, ib.text or "")
    elif ib.kind == "event" and ib.event == "enter_agent":
        # WeCom sends this every time the user opens the app: greet once a day, not every time.
        key = f"welcomed:{ib.platform}:{ib.sender}"
        if not ctx.svc.kv.get(key, session=ctx.s):
            ctx.svc.kv.set(key, True, WELCOME_EVERY_S, session=ctx.s)
            ctx.reply(Markdown(t("help", ctx.lang)))
    elif ib.kind == "location":
        visits.on_location(ctx)
    elif ib.kind == "image":
        visits.on_photo(ctx)
    elif ib.kind == "event":
        pass   # other events (subscribe, view…) need no answer
    else:
        ctx.reply(Text(t("unsupported_message", ctx.lang)))


def _drop_reject_prompt(ctx: Context, decided_ref: str) -> None:
    """A tap on a card or a typed decision means the approver moved on from the
    reject they started: the next thing they type is not that reason. If the new
    decision is about the same registration/order, it simply replaces the reject
    (approving after all, or tapping 驳回 again) and needs no word of its own."""
    state = ctx.get_state()
    if state and state.get("flow") == "reject_reason":
        ctx.clear_state()
        started_ref = cards.subject_ref_of(ctx, state["approval_id"])
        if started_ref != decided_ref:
            ctx.reply(Text(t("reject_reason_dropped", ctx.lang, number=started_ref)))


def _lists_or_asks(parsed) -> bool:
    """Commands that only look things up: while a reject reason is awaited they are
    answered, not taken as the reason ("报备信息不全" still is a reason)."""
    return parsed.intent in ("query", "help") or parsed.action in ("mine", "my_orders", "my_visits")


def _text(ctx: Context, text: str) -> None:
    state = ctx.get_state()
    if state and state.get("lang") and not _CJK.search(text):
        ctx.lang = state["lang"]
    if state and text.strip().lower() in CANCEL:
        ctx.clear_state()
        ctx.reply(Text(t("cancelled", ctx.lang)))
        return
    decision = approvals.parse_decision(text)
    if decision:
        _drop_reject_prompt(ctx, decision[1])
        approvals.on_text_decision(ctx, *decision)
        return
    catalog = DbCatalog(ctx.s)
    parsed = parse_message(text, today=ctx.clock.today(), catalog=catalog)
    if state and state.get("flow") == "reject_reason":
        if _lists_or_asks(parsed):
            _route(ctx, parsed)
            ctx.reply(Text(t("reject_reason_waiting", ctx.lang,
                             number=cards.subject_ref_of(ctx, state["approval_id"]))))
            return
        # Anything else the approver writes now is the reason, even "报备信息不全…".
        approvals.on_reject_reason(ctx, state, text)
        return
    answer = state is not None and parsed.intent == "unknown" and parsed.action is None
    if answer and _continue(ctx, state, text, catalog):
        return
    _route(ctx, parsed)


def _continue(ctx: Context, state: dict, text: str, catalog: DbCatalog) -> bool:
    """A message that is not a command, while a conversation waits for an answer."""
    flow = state.get("flow")
    if flow == "register":
        registration.continue_registration(ctx, state, text, catalog)
        return True
    if flow == "special_reason":
        special_prices.continue_reason(ctx, state, text)
        return True
    if flow in ("order_fix", "order_qty"):
        return orders.continue_flow(ctx, state, text)
    return False


def _route(ctx: Context, parsed) -> None:
    intent, action, lang = parsed.intent, parsed.action, ctx.lang
    text = ctx.inbound.text or ""
    if intent == "register":
        if action == "amend":
            changes.amend(ctx, parsed)
        elif action == "withdraw":
            changes.withdraw(ctx, parsed)
        elif action == "extend":
            extensions.request(ctx, parsed)
        else:
            ctx.clear_state()
            registration.register(ctx, registration.fields_from(parsed, ctx.inbound.text))
    elif intent == "order":
        _order(ctx, parsed, action, text)
    elif intent == "special_price":
        _special_price(ctx, parsed, action, text)
    elif intent == "approval":
        if action == "transfer":
            approvals.transfer(ctx, parsed)
        elif action == "delegate":
            delegation.delegate(ctx, parsed)
        elif action == "undelegate":
            delegation.undelegate(ctx)
        else:
            ctx.reply(Text(t("not_understood", lang)))
    elif intent == "query":
        if action == "mine":
            queries.my_registrations(ctx)
        elif action == "my_visits":
            visits.my_visits(ctx)
        else:
            queries.query_customer(ctx, parsed.customer)
    elif intent == "checkin":
        visits.checkin_command(ctx, parsed)
    elif intent == "checkout":
        visits.checkout(ctx, parsed)
    elif intent == "visit_note":
        visits.add_note(ctx, parsed)
    elif intent == "plan":
        plans.plan(ctx, parsed)
    elif action == "alias":
        aliases.add_alias(ctx, parsed)
    elif intent == "help":
        ctx.reply(Markdown(t("help", lang)))
    else:
        ctx.reply(Text(t("not_understood", lang)))


def _order(ctx: Context, parsed, action: str | None, text: str) -> None:
    if action == "my_orders":
        orders.my_orders(ctx)
    elif action == "amend":
        orders.amend(ctx, parsed)
    elif action == "cancel":
        orders.cancel_by_text(ctx, parsed)
    elif action == "confirm":
        orders.confirm_by_text(ctx, parsed)
    elif action == "show":
        orders.show(ctx, parsed)
    else:
        orders.place(ctx, parsed, text)


def _special_price(ctx: Context, parsed, action: str | None, text: str) -> None:
    if action == "mine":
        special_prices.my_special_prices(ctx)
    elif action == "show":
        special_prices.show(ctx, parsed)
    elif action == "cancel":
        special_prices.withdraw(ctx, parsed)
    elif action == "amend":
        ctx.reply(Text(t("sp_amend_no", ctx.lang)))
    else:
        special_prices.request(ctx, parsed, text)
