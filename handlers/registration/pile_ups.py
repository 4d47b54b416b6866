"""No pile-ups: a partner's second lookalike claim becomes one question, not
another card.

报备 协和医院, then 报备 北京协和…, then 报备 北京协和医院东院…: each name
resembles 北京协和医院, and each would lock a name and put a card on the
area manager's desk. When the partner already has a claim waiting on that
customer, or holds the customer itself, the bot asks the dealer instead:

- a claim waits: is the new name that claim's customer? 是 → the name is added
  to the claim (its card shows it), nothing new is locked; 不是 → the new name
  joins the same card as a claim of its own;
- the partner holds it: is it the customer you hold? 是 → nothing to do;
  不是 → it goes to the area manager as a claim (one card per customer).
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from chat.context import Context
from chat.messages import Text
from domain.language.suggest import is_no, is_yes
from handlers.approvals.deciders import decider_words
from handlers.customers.search import CustomerMatch
from handlers.registration import contests, locks
from handlers.registration.texts import t
from models import Customer, CustomerContest, Partner, Registration

FLOW = "lookalike"


def ask_first(ctx: Context, partner: Partner, match: CustomerMatch, fields: dict, lines: list[str]) -> bool:
    """Ask instead of filing when this partner already claims or holds what the
    name resembles. True when a question was asked."""
    lang = ctx.lang
    resembled = match.matched
    name = fields["customer"].strip()
    rules = ctx.rules.registration
    contest = contests.open_contest_on(ctx, resembled)
    waiting = contests.partner_claim(ctx, contest, partner.id)
    if waiting is not None:
        ctx.set_state({"flow": FLOW, "fields": fields, "claim": waiting.number})
        ctx.reply(Text(t("pileup_claim_waiting", lang, name=name, number=waiting.number,
                         claimed=waiting.customer_text, resembled=_contested_name(ctx, contest))))
        return True
    scope_keys = locks.scope_keys(rules.conflict_scope, lines, fields.get("department"))
    held = locks.holder(ctx, resembled.id, scope_keys, rules.conflict_scope, partner.id)
    if held is not None and held.same_partner:
        ctx.set_state({"flow": FLOW, "fields": fields, "held": held.registration_number})
        ctx.reply(Text(t("pileup_held_by_you", lang, name=name, resembled=resembled.name,
                         number=held.registration_number, until=ctx.fmt(held.until, "%Y-%m-%d"))))
        return True
    return False


def _contested_name(ctx: Context, contest: CustomerContest) -> str:
    return ctx.s.get(Customer, contest.customer_id).name


def answer(ctx: Context, state: dict, text: str, register: Callable[[Context, dict], None]) -> bool:
    """是 / 不是 to the question (``register`` files the registration after a
    不是); anything else is a message of its own."""
    if not (is_yes(text) or is_no(text)):
        ctx.clear_state()
        return False
    ctx.clear_state()
    fields = state["fields"]
    name = fields["customer"].strip()
    if is_no(text):
        register(ctx, {**fields, "lookalike_confirmed": True})
        return True
    if state.get("held"):
        ctx.reply(Text(t("pileup_nothing_to_do", ctx.lang, number=state["held"])))
        return True
    claim = ctx.s.execute(select(Registration).where(Registration.number == state["claim"])
                          .with_for_update()).scalar_one_or_none()
    if claim is None or not contests.in_open_contest(ctx, claim):
        ctx.reply(Text(t("pileup_claim_gone", ctx.lang, number=state["claim"])))
        return True
    if name not in (claim.other_names or []) and name != claim.customer_text:
        claim.other_names = [*(claim.other_names or []), name]
        claim.updated_at = ctx.now
        ctx.audit("registration.other_name", "registration", claim.number, after={"other_names": claim.other_names})
        flow = contests.renew(ctx, ctx.s.get(CustomerContest, claim.contest_id))
    else:
        flow = None
    ctx.reply(Text(t("pileup_added", ctx.lang, name=name, number=claim.number,
                     who=decider_words(ctx, flow, ctx.lang) or t("pileup_same_card", ctx.lang))))
    return True
