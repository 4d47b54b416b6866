"""商机报备: register a deal, check it against the rule store, lock, route for approval."""
from __future__ import annotations

import math
import re
from datetime import date, timedelta

from chat.context import Context
from chat.messages import Text
from domain.language import Parsed, intent_of, parse_message
from domain.language.vocabulary import Vocabulary
from domain.matching import analyse
from domain.money import LARGEST_AMOUNT, money, plain
from domain.rules import checks
from domain.rules import pipeline_checks as pipeline
from domain.rules.verdict import NEEDS_APPROVAL, Verdict
from domain.wording import yuan
from handlers.approvals import start_flow
from handlers.customers import lookup as customers
from handlers.customers.search import credit_code_in
from handlers.registration import (
    claims,
    contests,
    joint_cards,
    key_accounts,
    lifecycle,
    locks,
    partner_lock,
    pile_ups,
    recall,
)
from handlers.registration.answer import outcome_of, reply_outcome
from handlers.registration.ownership import acting_partner_id, works_deals
from handlers.registration.partners import find_partner
from handlers.registration.payload import snapshot
from handlers.registration.texts import t
from models import JointStatus, Partner, Registration, RegistrationStatus, User
from models.db import add_inserted

# Bounds on what a message can put in the database: beyond them the user gets
# a polite correction instead of a failed command.
MAX_CUSTOMER_CHARS = 100
MAX_DEPARTMENT_CHARS = 30
MAX_NOTE_CHARS = 500
MAX_AMOUNT_YUAN = LARGEST_AMOUNT
# Below this a deal amount is almost surely a missing unit ("金额80" meant 80万):
# asking costs the dealer one message, a ¥80 deal would sail through every rule.
MIN_AMOUNT_YUAN = 1_000
NO_CO_PARTNER = {"无", "没有", "不合作", "单独", "单独报备", "自己", "none", "no"}


def amount_problem(ctx: Context, amount) -> str | None:
    if amount is None:
        return None
    try:
        value = money(amount)
    except ValueError:                      # beyond any amount: 400 digits read as a float's inf
        return _out_of_range(ctx, amount)
    if 0 < value < MIN_AMOUNT_YUAN:
        return t("amount_too_small", ctx.lang, amount=yuan(value), example=f"{plain(value)}万")
    if 0 < value <= MAX_AMOUNT_YUAN:
        return None
    return t("amount_out_of_range", ctx.lang, amount=yuan(amount), limit=yuan(MAX_AMOUNT_YUAN))


# "金额 0", "金额 -5万": a number was said as the amount, but none that reads as one.
# Words after 金额 ("金额不变", "客户说金额下周定") are no amount: the registered one stands.
_AMOUNT_SAID = re.compile(r"(?:金额|\bamount\b)\s*(?:(?:[:：=]|为|是)\s*)?((?:[¥￥$+\-−－]\s*)?[.．]?[0-9０-９零]\S*)",
                          re.IGNORECASE)


def unread_amount_problem(ctx: Context, text: str | None, amount) -> str | None:
    """The answer when ``text`` names an amount the parser could not read (so the
    command must not go on as if none had been given), else None."""
    said = _AMOUNT_SAID.search(text or "") if amount is None else None
    return _out_of_range(ctx, said.group(1)) if said else None


def _out_of_range(ctx: Context, amount) -> str:
    said = "∞" if isinstance(amount, float) and math.isinf(amount) else str(amount)[:40]
    return t("amount_out_of_range", ctx.lang, amount=said, limit=yuan(MAX_AMOUNT_YUAN))


def amount_doubt_text(ctx: Context, doubt: str, amount) -> str:
    """The question to ask when the number found is not clearly the deal's total."""
    try:
        value = money(amount or 0)
    except ValueError:                      # "-999…9万" past a float: no number to ask about
        return _out_of_range(ctx, amount)
    return t(f"amount_{doubt}", ctx.lang, amount=yuan(value), example=yuan(value * 2) if value else "160万")


# ---- collecting the fields (possibly over several messages) ----------------

def claim_key(text: str, vocabulary: Vocabulary) -> str | None:
    """The customer a new registration message claims, as a canonical key; read
    when the message is accepted so claims on one customer queue in receive order.
    Any other message (an order, a check-in) is known by its intent alone, unparsed."""
    if intent_of(text, vocabulary) != ("register", None):
        return None
    parsed = parse_message(text, vocabulary)
    if parsed.intent != "register" or parsed.action is not None or not parsed.customer:
        return None
    return analyse(parsed.customer).key[:200]


def fields_from(parsed: Parsed, text: str | None = None) -> dict:
    return {
        "credit_code": credit_code_in(text),
        "customer": parsed.customer,
        "candidates": list(parsed.candidates),
        "note": parsed.note,
        "department": parsed.department,
        "products": [{"word": p.word, "sku": p.sku, "qty": p.qty} for p in parsed.products],
        "amount_yuan": parsed.amount_yuan,
        "amount_doubt": parsed.amount_doubt,
        "close_date": parsed.close_date.isoformat() if parsed.close_date else None,
        "co_partner": parsed.co_partner,
    }


def merge(old: dict, new: dict) -> dict:
    out = dict(old)
    for key, value in new.items():
        if value not in (None, [], ""):
            out[key] = value
    if new.get("amount_yuan") is not None:
        out["amount_doubt"] = new.get("amount_doubt")   # a new amount brings its own doubt, or none
    return out


def register_command(ctx: Context, parsed: Parsed) -> None:
    """报备 …: a new registration starts over whatever was being asked."""
    ctx.clear_state()
    register(ctx, fields_from(parsed, ctx.inbound.text))


def continue_registration(ctx: Context, state: dict, text: str) -> bool:
    """The dealer's answer to our question. It adds what was missing; it never
    replaces a customer already named (a whole new "报备 …" starts over), and an
    answer we can't read is asked for again rather than guessed into a field."""
    old = state["fields"]
    if state.get("asked") == "co_partner":
        # Which partner to register with; "无" / "不合作" registers alone.
        named = text.strip()
        register(ctx, {**old, "co_partner": None if named in NO_CO_PARTNER else named})
        return True
    if state.get("asked") == "which":
        chosen = _chosen(text, old.get("candidates") or [])
        if chosen is None:
            ctx.set_state(state)
            ctx.reply(Text(t("answer_not_understood", ctx.lang, answer=text.strip()[:40],
                             ask=_which_question(ctx, old["candidates"]))))
            return True
        register(ctx, {**old, "customer": chosen, "candidates": []})
        return True
    more = fields_from(ctx.parse("报备 " + text), text)
    more["candidates"] = []
    if old.get("customer"):
        more["customer"] = more["credit_code"] = None
    if not any(more.get(k) not in (None, [], "") for k in ("customer", "products", "amount_yuan", "close_date",
                                                            "department", "credit_code")):
        asked = state.get("asked") or "customer"
        ask = t("ask_amount_unit" if asked == "amount" else f"ask_{asked}", ctx.lang)
        ctx.set_state(state)
        ctx.reply(Text(t("answer_not_understood", ctx.lang, answer=text.strip()[:40], ask=ask)))
        return True
    register(ctx, merge(old, more))
    return True


_ORDINALS = {"1": 0, "一": 0, "①": 0, "第一个": 0, "前者": 0, "2": 1, "二": 1, "②": 1, "第二个": 1, "后者": 1,
             "3": 2, "三": 2, "③": 2, "第三个": 2}


def _chosen(text: str, candidates: list[str]) -> str | None:
    """The candidate an answer picks: its number, or (part of) its name."""
    answer = text.strip().strip("。.!！ ")
    if answer in _ORDINALS and _ORDINALS[answer] < len(candidates):
        return candidates[_ORDINALS[answer]]
    named = [c for c in candidates if answer and (answer in c or c in answer)]
    return named[0] if len(named) == 1 else None


def _which_question(ctx: Context, candidates: list[str]) -> str:
    listed = "　".join(f"{'①②③④⑤'[i]} {c}" for i, c in enumerate(candidates[:5]))
    return t("ask_which_customer", ctx.lang, choices=listed)


def _ask(ctx: Context, fields: dict, asked: str, message: str) -> None:
    ctx.set_state({"flow": "register", "fields": fields, "asked": asked})
    ctx.reply(Text(message))


def register(ctx: Context, fields: dict) -> None:
    user = ctx.user
    if not works_deals(ctx):
        ctx.clear_state()
        return
    catalog = ctx.catalog
    lines: list[str] = []
    for p in fields.get("products") or []:
        line = catalog.line_for(p["word"], p.get("sku"))
        if line is None:
            _ask(ctx, {**fields, "products": []}, "product",
                 t("unknown_product", ctx.lang, word=p["word"], choices=catalog.choices()))
            return
        if line not in lines:
            lines.append(line)
    doubt = fields.pop("amount_doubt", None)
    if doubt and fields.get("amount_yuan") is not None:
        _ask(ctx, {**fields, "amount_yuan": None}, "amount", amount_doubt_text(ctx, doubt, fields["amount_yuan"]))
        return
    missing = [f for f, ok in (("customer", fields.get("customer")), ("product", lines),
                               ("amount", fields.get("amount_yuan"))) if not ok]
    problem = _bounds_problem(ctx, fields)
    if problem:
        field, text = problem
        _ask(ctx, {**fields, field: None}, "amount" if field == "amount_yuan" else field, text)
        return
    if len(fields.get("candidates") or []) > 1:
        # "报备 北京协和医院 北京大学第一医院 …": one registration names one customer.
        _ask(ctx, {**fields, "customer": None}, "which", _which_question(ctx, fields["candidates"]))
        return
    if missing:
        _ask(ctx, fields, missing[0], t(f"ask_{missing[0]}", ctx.lang))
        return
    co_partner = None
    if fields.get("co_partner"):
        co_partner = find_partner(ctx.s, fields["co_partner"])
        if co_partner is None or co_partner.direct or co_partner.id == acting_partner_id(ctx):
            why = "joint_unknown_partner" if co_partner is None or co_partner.direct else "joint_self"
            _ask(ctx, {**fields, "co_partner": None}, "co_partner", t(why, ctx.lang, partner=fields["co_partner"]))
            return
    ctx.clear_state()
    _submit(ctx, user, fields, lines, co_partner)


def _bounds_problem(ctx: Context, fields: dict) -> tuple[str, str] | None:
    if fields.get("customer") and len(fields["customer"].strip()) > MAX_CUSTOMER_CHARS:
        return "customer", t("customer_too_long", ctx.lang, limit=MAX_CUSTOMER_CHARS)
    if fields.get("department") and len(fields["department"]) > MAX_DEPARTMENT_CHARS:
        return "department", t("department_too_long", ctx.lang, limit=MAX_DEPARTMENT_CHARS)
    text = amount_problem(ctx, fields.get("amount_yuan"))
    return ("amount_yuan", text) if text else None


# ---- evaluation -------------------------------------------------------------

def _submit(ctx: Context, user: User, fields: dict, lines: list[str], co_partner: Partner | None) -> None:
    s, rules, lang = ctx.s, ctx.rules.registration, ctx.lang
    name = fields["customer"].strip()
    # Row locks serialise what must not interleave across workers: all claims on one
    # customer, taken before what they protect is read (handlers/registration/claims.py),
    # and one partner's quota and look-alike names, taken last (partner_lock.py).
    partner_id = acting_partner_id(ctx, create=True)
    partner, reg_id, claim_seq = partner_lock.partner_for_claim(ctx, partner_id)
    code = fields.get("credit_code")
    match = customers.find(s, name, credit_code=code)
    if (match.verdict == "possible" and match.matched is not None and not fields.get("lookalike_confirmed")
            and pile_ups.ask_first(ctx, partner, match, fields, lines)):
        return
    resembled = match.matched if match.verdict == "possible" else None
    # The direct team sells with no quota; rules may set none for anyone (open_quota: null).
    quota = None if partner.direct else rules.open_quota
    made = None if match.verdict == "duplicate" else customers.create(
        s, ctx.clock, name, code, match.parts, also=claims.open_count_read(partner.id, quota))
    customer = match.matched if made is None else made.customer
    if made is not None and made.new and resembled is None:
        # Nobody can hold or have held a customer that did not exist a moment ago;
        # the quota was read with its insert.
        found = claims.Claims(now=ctx.now, open_count=made.also)
    else:
        if made is None or not made.new:
            claims.lock_customer(ctx, customer.id)
        found = claims.read(ctx, customer.id, partner.id, quota, also=resembled.id if resembled else None)
        released = lifecycle.release_expired(ctx, customer.id, found)
        if recall.recall_due(ctx, customer.id, found) or released:
            found = claims.read(ctx, customer.id, partner.id, quota, also=resembled.id if resembled else None)

    amount = money(fields["amount_yuan"])
    scope_keys = locks.scope_keys(rules.conflict_scope, lines, fields.get("department"))
    open_count = 0 if partner.direct else None if quota is None else found.open_count
    # The direct team sells every line, in its reps' regions.
    qualified = lines if partner.direct else partner.product_lines
    regions = list(user.regions or []) if partner.direct else partner.regions
    account = key_accounts.account_for(ctx, customer)
    owner = key_accounts.owner_of(ctx, account)
    verdicts = [
        checks.qualification(rules, qualified, lines, lang),
        checks.territory(rules, regions, customer.name, customer.region, lang),
        checks.quota(rules, open_count, lang),
        checks.conflict(customer.name, found.holder(customer.id, scope_keys, rules.conflict_scope, partner.id),
                        ctx.fmt, lang),
        pipeline.cooldown(ctx.rules.pipeline, customer.name, found.ended_claim(rules.conflict_scope, scope_keys),
                          ctx.now, ctx.fmt, lang),
        checks.customer_match(name, match.verdict, match.matched.name if match.matched else None, match.score,
                              match.reason, rules.possible_duplicate_approver, lang,
                              matched_holder=found.holder(resembled.id, scope_keys, rules.conflict_scope, partner.id)
                              if resembled is not None else None, fmt=ctx.fmt),
        checks.tiering(rules, amount, lang),
        pipeline.key_account(ctx.rules.key_accounts, customer.name, account, owner.name if owner else None,
                             partner.direct, lang),
        pipeline.joint(co_partner.name if co_partner else None, lang),
    ]
    if not any(v.outcome != "pass" for v in verdicts):
        verdicts.append(checks.routine(rules, lang))
    outcome = outcome_of(verdicts)

    now = ctx.now
    # Numbered with the id read with the partner's lock: one INSERT writes it all.
    reg = Registration(id=reg_id, number=f"RG{ctx.clock.local(ctx.received_at):%Y%m%d}-{reg_id:04d}",
                       partner_id=partner.id, submitter_id=user.id, customer_id=customer.id, customer_text=name,
                       department=fields.get("department"), product_lines=lines, products=fields.get("products") or [],
                       amount_yuan=amount,
                       close_date=date.fromisoformat(fields["close_date"]) if fields.get("close_date") else None,
                       status=outcome.status, received_at=ctx.received_at, verdicts=[v.to_dict() for v in verdicts],
                       match=match.to_dict(), rules_version=ctx.rules.version, note=_note(fields), other_names=[],
                       created_at=now, updated_at=now,
                       stage=ctx.rules.pipeline.first_stage, stage_at=ctx.received_at,
                       key_account=account.customer if account and not partner.direct else None)
    if co_partner is not None:
        reg.joint_partner_id, reg.joint_status = co_partner.id, JointStatus.INVITED
    if outcome.status == RegistrationStatus.APPROVED:
        reg.lock_until, reg.decided_at = ctx.received_at + timedelta(days=rules.protection_days), now
    elif outcome.status == RegistrationStatus.PENDING:
        reg.lock_until = ctx.received_at + timedelta(days=rules.pending_lock_days)
    add_inserted(s, reg)

    if outcome.status != RegistrationStatus.REJECTED and not locks.take(ctx, reg, customer.id, scope_keys):
        # Lost a same-instant race the row lock could not see (the unique index caught it).
        holder = locks.holder(ctx, customer.id, scope_keys, rules.conflict_scope, partner.id)
        verdicts = [v for v in verdicts if v.rule_id != "registration.conflict"]
        verdicts.insert(3, checks.conflict(customer.name, holder, ctx.fmt, lang))
        outcome = outcome_of(verdicts)
        reg.status, reg.lock_until, reg.decided_at = RegistrationStatus.REJECTED, None, None
        reg.verdicts = [v.to_dict() for v in verdicts]
    if outcome.status != RegistrationStatus.REJECTED or (made is not None and made.new):
        # What the partner's other registrations read about it (its open registrations,
        # the customers they claim) changes only with one not refused, or one that made a
        # customer: those take the partner's lock, last. A refused claim on a known
        # customer (the losers of a race for one customer) changes none of it.
        partner_lock.confirm_at_end(ctx, partner, partner_lock.Read(claim_seq, open_count, quota),
                                    name, customer, match)

    ctx.audit("registration.submitted", "registration", reg.number, after=snapshot(reg),
              verdicts=reg.verdicts)
    # The card is made first so that the verdict can name who has it; the
    # verdict still reaches the chat first (the card's send waits for it).
    flow = None
    contested = match.verdict == "possible" and match.matched is not None
    with ctx.sends_held() as card_sends:
        if outcome.status == RegistrationStatus.PENDING and co_partner is not None:
            # The second partner accepts first; the managers' turn (if any) comes after.
            joint_cards.invite(ctx, reg, co_partner, partner)
        elif outcome.status == RegistrationStatus.PENDING and contested:
            # A name like a known customer: the area manager decides it on that customer's one card.
            resembles = next(v for v in verdicts if v.reason_code == "POSSIBLE_DUPLICATE")
            flow = contests.claim(ctx, reg, match.matched, resembles)
        elif outcome.status == RegistrationStatus.PENDING:
            # A name with no place in it ("协和医院") borrows the region of the customer it resembles.
            region = customer.region or (match.matched.region if match.matched else None)
            flow = request_approval(ctx, reg, outcome.approver_role, region,
                                    [v for v in verdicts if v.outcome == NEEDS_APPROVAL])
    reply_outcome(ctx, reg, outcome, customer, flow, match if contested else None)
    card_sends.release()


def _note(fields: dict) -> str | None:
    note = (fields.get("note") or "").strip()
    return note[:MAX_NOTE_CHARS] or None


def request_approval(ctx: Context, reg: Registration, role: str, region: str | None, reasons: list[Verdict]):
    """One step: the area manager covering the region, or the director; a
    co-sell request on a key account goes to the account's owner first. Returns the flow."""
    steps = key_accounts.ladder(ctx, reg.key_account, {v.reason_code for v in reasons}, role)
    return start_flow(ctx, "registration", reg, steps, reasons, region)


def grant_protection(ctx: Context, reg: Registration) -> None:
    """Nothing (more) waits: approved now, protected for the protection period."""
    reg.status, reg.decided_at, reg.updated_at = RegistrationStatus.APPROVED, ctx.now, ctx.now
    reg.lock_until = ctx.now + timedelta(days=ctx.rules.registration.protection_days)
    locks.extend(ctx, reg)
