"""What a claim came to and what the dealer reads of it: the outcome of the
checks (accepted, waiting for someone, refused) and the reply — in the dealer's
words, naming who decides next, never a score or text meant for the approver,
and to the sender alone when it names another partner."""
from __future__ import annotations

from dataclasses import dataclass

from chat.context import Context
from chat.messages import Text
from domain.rules.decision import ACCEPTED, APPROVAL, REFUSED, overall
from domain.rules.verdict import NEEDS_APPROVAL, REJECT, Verdict
from domain.rules.words import line_words, role_word, rule_name
from domain.wording import sentences, yuan
from handlers.approvals.deciders import decider
from handlers.customers.search import CustomerMatch
from handlers.registration import key_accounts
from handlers.registration.texts import t
from models import Customer, Partner, Registration, RegistrationStatus


@dataclass
class Outcome:
    status: str                  # approved | pending | rejected
    verdicts: list[Verdict]
    approver_role: str | None = None

    @property
    def first_reject(self) -> Verdict | None:
        return next((v for v in self.verdicts if v.outcome == REJECT), None)


STATUS_OF = {REFUSED: RegistrationStatus.REJECTED, APPROVAL: RegistrationStatus.PENDING,
             ACCEPTED: RegistrationStatus.APPROVED}


def outcome_of(verdicts: list[Verdict]) -> Outcome:
    decision = overall(verdicts)
    return Outcome(STATUS_OF[decision.outcome], verdicts, decision.approver)


# Facts that name another partner (who holds the customer, or one it resembles):
# a verdict showing them is for the sender alone, never for a group.
OTHER_PARTNER_FACTS = ("holder_partner", "matched_holder_partner")


def names_another_partner(verdicts: list[Verdict]) -> bool:
    return any(v.outcome != "pass" and v.reason_code != "ALREADY_YOURS" and any(v.facts.get(f) for f in
                                                                                  OTHER_PARTNER_FACTS)
               for v in verdicts)


def reply_outcome(ctx: Context, reg: Registration, outcome: Outcome, customer: Customer, flow,
                   contested: CustomerMatch | None) -> None:
    """What the dealer reads: the verdict in the dealer's words (what the
    approver reads — scores, "same customer: reject" — stays on the card),
    and who has the card, by name. A verdict naming another partner goes to
    the sender alone, never to a group."""
    lang = ctx.lang
    common = {"number": reg.number, "customer": customer.name, "lines": line_words(reg.product_lines, lang),
              "amount": yuan(reg.amount_yuan, lang)}
    note = t("reg_note_line", lang, note=reg.note) if reg.note else ""
    if outcome.status == RegistrationStatus.APPROVED:
        reply = Text(t("reg_approved", lang, until=ctx.fmt(reg.lock_until, "%Y-%m-%d"), **common) + note)
    elif outcome.status == RegistrationStatus.PENDING:
        title, name = _waiting_for(ctx, reg, outcome, flow)
        reasons = dealer_reasons(ctx, outcome.verdicts, contested, t("decider", lang, title=title, name=name))
        reply = Text(t("reg_pending", lang, approver=title, name=name, reasons=reasons,
                       until=ctx.fmt(reg.lock_until, "%Y-%m-%d"), **common) + note)
    else:
        first = outcome.first_reject
        others = [v.message for v in outcome.verdicts if v.outcome == REJECT and v is not first]
        message = first.message + ("\n" + "\n".join(others) if others else "")
        appeal = t("appeal_hint", lang, number=reg.number, days=ctx.rules.appeals.window_days) \
            if first.reason_code == "HELD_BY_OTHER" else ""
        reply = Text(t("reg_rejected", lang, rule_name=rule_name(first.rule_id, lang), rule=first.rule_id,
                       message=message, next_step=first.next_step) + appeal + note)
    if names_another_partner(outcome.verdicts):
        ctx.reply_private(reply, group_note=t(f"reg_{outcome.status}_privately", lang, number=reg.number,
                                              customer=customer.name))
    else:
        ctx.reply(reply)


def _waiting_for(ctx: Context, reg: Registration, outcome: Outcome, flow) -> tuple[str, str]:
    """(title, name) of who decides next, as the partner reads it: the second
    partner of a joint registration, or whoever has the card (a key account's
    owner, the area manager, a stand-in), or the approver's role."""
    lang = ctx.lang
    if reg.joint_partner_id is not None:
        return ctx.s.get(Partner, reg.joint_partner_id).name, t("joint_partner_word", lang)
    holder = decider(ctx, flow, lang)
    if reg.key_account is not None:
        # Both must agree to a co-sell: name the owner and the manager, and who has the card now.
        owner = key_accounts.owner_of(ctx, next((a for a in ctx.rules.key_accounts.accounts
                                                 if a.customer == reg.key_account), None))
        who = f"{role_word('account_owner', lang)} {owner.name}" if owner else role_word("account_owner", lang)
        both = t("and", lang, a=who, b=role_word(outcome.approver_role, lang))
        return both, holder[1] if holder else (owner.name if owner else "-")
    return holder or (role_word(outcome.approver_role, lang), "-")


# What a dealer may read of a verdict waiting for someone: its own message,
# except where that message is written for the approver (scores, instructions).
DEALER_READABLE = {"KEY_ACCOUNT", "JOINT_ACCEPTANCE"}


def dealer_reasons(ctx: Context, verdicts: list[Verdict], contested: CustomerMatch | None, decider: str) -> str:
    """Why it waits, in the dealer's words: never a score, never the holder of
    a customer it only resembles, never what the approver is told to do."""
    lang = ctx.lang
    out: list[str] = []
    for v in verdicts:
        if v.outcome != NEEDS_APPROVAL:
            continue
        if v.reason_code == "POSSIBLE_DUPLICATE":
            held = bool(v.facts.get("matched_holder_partner"))
            out.append(t("why_lookalike_held" if held else "why_lookalike", lang,
                         matched=v.facts.get("matched") or (contested.matched.name if contested else ""),
                         who=decider))
        elif v.reason_code == "TIER_EXCEEDED":
            out.append(t("why_tier", lang, threshold=yuan(v.facts["threshold_yuan"], lang),
                         approver=role_word(v.approver_role or "director", lang)))
        elif v.reason_code == "REGION_UNKNOWN":
            out.append(t("why_region", lang))
        elif v.reason_code in DEALER_READABLE:
            out.append(v.message)
        else:
            out.append(t("why_routine", lang))
    return sentences(dict.fromkeys(out), lang)


# ---- approvals ----------------------------------------------------------------
