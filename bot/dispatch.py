"""Routes one neutral inbound message to its handler.

Order: who is it → card click → a conversation waiting for an answer →
approver text commands → the parsed intent.
"""
from __future__ import annotations

import re

from bot.context import Context
from bot.messages import Markdown, Text
from bot.nlp import parse_message
from handlers import aliases, approvals, cards, changes, queries, registration
from handlers.catalog import DbCatalog
from handlers.texts import t

WELCOME_EVERY_S = 24 * 3600
CANCEL = {"取消", "算了", "不用了", "cancel", "quit", "stop"}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]{2,}")
NOT_YET = {"order": ("订货", "orders"), "special_price": ("特价申请", "special prices"),
           "checkin": ("拜访签到", "visit check-in"), "checkout": ("拜访签退", "visit check-out"),
           "visit_note": ("拜访小结", "visit notes")}


def language_of(text: str | None) -> str:
    """Answer in English only to messages written in English (no Chinese at all)."""
    if text and not _CJK.search(text) and _LATIN.search(text):
        return "en"
    return "zh"


def dispatch(ctx: Context) -> None:
    ib = ctx.inbound
    if ctx.user is None:
        ctx.reply(Text(t("unknown_user", ctx.lang)))
        return
    if ib.kind == "card_click":
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
        if ib.event != "LOCATION":   # periodic location reports need no answer
            ctx.reply(Text(t("location_not_yet", ctx.lang, label=ib.label or f"{ib.lat},{ib.lng}")))
    elif ib.kind == "event":
        pass   # other events (subscribe, view…) need no answer
    else:
        ctx.reply(Text(t("unsupported_message", ctx.lang)))


def _text(ctx: Context, text: str) -> None:
    state = ctx.get_state()
    if state and text.strip().lower() in CANCEL:
        ctx.clear_state()
        ctx.reply(Text(t("cancelled", ctx.lang)))
        return
    decision = approvals.parse_decision(text)
    if decision:
        approvals.on_text_decision(ctx, *decision)
        return
    if state and state.get("flow") == "reject_reason":
        # Whatever the approver writes now is the reason, even "报备信息不全…".
        approvals.on_reject_reason(ctx, state, text)
        return
    catalog = DbCatalog(ctx.s)
    parsed = parse_message(text, today=ctx.clock.today(), catalog=catalog)
    if state and state.get("flow") == "register" and parsed.intent == "unknown" and parsed.action is None:
        # An answer to our question: read it as the rest of the registration.
        more = parse_message("报备 " + text, today=ctx.clock.today(), catalog=catalog)
        registration.register(ctx, registration.merge(state["fields"], registration.fields_from(more, text)))
        return
    _route(ctx, parsed)


def _route(ctx: Context, parsed) -> None:
    intent, action, lang = parsed.intent, parsed.action, ctx.lang
    if intent == "register":
        if action == "amend":
            changes.amend(ctx, parsed)
        elif action == "withdraw":
            changes.withdraw(ctx, parsed)
        elif action == "extend":
            ctx.reply(Text(t("not_yet", lang, what="延期" if lang == "zh" else "extensions")))
        else:
            ctx.clear_state()
            registration.register(ctx, registration.fields_from(parsed, ctx.inbound.text))
    elif intent == "query":
        if action == "mine":
            queries.my_registrations(ctx)
        else:
            queries.query_customer(ctx, parsed.customer)
    elif action == "alias":
        aliases.add_alias(ctx, parsed)
    elif intent == "help":
        ctx.reply(Markdown(t("help", lang)))
    elif intent in NOT_YET:
        zh, en = NOT_YET[intent]
        ctx.reply(Text(t("not_yet", lang, what=en if lang == "en" else zh)))
    else:
        ctx.reply(Text(t("not_understood", lang)))
