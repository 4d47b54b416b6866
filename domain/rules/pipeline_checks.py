"""The check kinds of a registration's life: stage moves, staleness (warned,
then recalled), the cool-down after a claim ended, lost reasons, what a
confirmed order does to its deal, the appeal window, key accounts and joint
registrations. Pure functions: facts in, one Verdict out."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.rules.pipeline import AppealRules, KeyAccount, KeyAccountRules, PipelineRules
from domain.rules.texts import t
from domain.rules.verdict import NEEDS_APPROVAL, PASS, REJECT, WARN, Verdict

Fmt = Callable[[datetime, str], str]       # a UTC instant → local text (Context.fmt)
_WORD_SPLIT = re.compile(r"[\s,，;；、/。.]+")


def percent(share) -> str:
    return f"{float(share) * 100:g}%"


def stage_move(rules: PipelineRules, current: str | None, wanted: str, lang: str = "zh") -> Verdict:
    """A follow-up moving a deal to ``wanted`` (an open stage)."""
    rid = "pipeline.stage"
    at = current if current in rules.stages else rules.first_stage
    facts = {"from": at, "to": wanted, "stages": list(rules.stages)}
    if wanted not in rules.stages:
        return Verdict(rid, REJECT, "UNKNOWN_STAGE",
                       t("pv_unknown_stage", lang, stage=wanted, stages=" → ".join(rules.stages)), facts,
                       t("pn_stage", lang))
    step = rules.stage_index(wanted) - rules.stage_index(at)
    if step == 0:
        return Verdict(rid, PASS, "SAME_STAGE", "", facts)
    if step > 0:
        return Verdict(rid, PASS, "STAGE_FORWARD", "", facts)
    if rules.allow_backward:
        return Verdict(rid, PASS, "STAGE_BACK", "", facts)
    return Verdict(rid, REJECT, "STAGE_BACKWARD", t("pv_backward", lang, at=at, stage=wanted), facts,
                   t("pn_stage", lang))


def staleness(rules: PipelineRules, last_activity: datetime, now: datetime, fmt: Fmt, lang: str = "zh") -> Verdict:
    """A protected deal nobody followed up: fine, warned before the recall, or recalled."""
    rid = "pipeline.stale"
    recall_at = last_activity + timedelta(days=rules.stale_days)
    idle_days = (now - last_activity).days
    facts = {"last_activity": last_activity.isoformat(), "idle_days": idle_days, "stale_days": rules.stale_days,
             "recall_at": recall_at.isoformat()}
    shown = {"last": fmt(last_activity, "%Y-%m-%d"), "idle": idle_days, "n": rules.stale_days,
             "recall": fmt(recall_at, "%Y-%m-%d")}
    if now >= recall_at:
        return Verdict(rid, REJECT, "STALE", t("pv_stale", lang, **shown), facts, t("pn_stale", lang))
    due = [d for d in rules.stale_warn_days_before if recall_at - now <= timedelta(days=d)]
    if due:
        facts["warn_days"] = min(due)
        return Verdict(rid, WARN, "STALE_SOON", t("pv_stale_soon", lang, days=min(due), **shown), facts,
                       t("pn_stale_soon", lang))
    return Verdict(rid, PASS, "ACTIVE", "", facts)


@dataclass(frozen=True)
class EndedClaim:
    """The partner's own claim on the customer that ended last."""
    registration_number: str
    ended_at: datetime
    how: str                    # expired | withdrawn | recalled


def cooldown(rules: PipelineRules, customer: str, ended: EndedClaim | None, now: datetime, fmt: Fmt,
             lang: str = "zh") -> Verdict:
    """The same partner may not claim a customer again at once after its claim ended."""
    rid = "registration.cooldown"
    facts = {"customer": customer, "cooldown_days": rules.cooldown_days}
    if ended is None or rules.cooldown_days == 0:
        return Verdict(rid, PASS, "NO_COOLDOWN", "", facts)
    until = ended.ended_at + timedelta(days=rules.cooldown_days)
    facts.update(ended_registration=ended.registration_number, ended_at=ended.ended_at.isoformat(),
                 ended_how=ended.how, until=until.isoformat())
    if until <= now:
        return Verdict(rid, PASS, "COOLDOWN_OVER", "", facts)
    return Verdict(rid, REJECT, "COOLING_DOWN",
                   t("pv_cooldown", lang, customer=customer, number=ended.registration_number,
                     ended=fmt(ended.ended_at, "%Y-%m-%d"), how=t(f"ended_{ended.how}", lang),
                     days=rules.cooldown_days, until=fmt(until, "%Y-%m-%d %H:%M")),
                   facts, t("pn_cooldown", lang))


def lost_reason(rules: PipelineRules, text: str | None, lang: str = "zh") -> Verdict:
    """输单 … 原因 竞品 价格: one or more reasons from the list, the rest is free text."""
    rid = "pipeline.lost_reason"
    reasons: list[str] = []
    rest: list[str] = []
    for word in (w for w in _WORD_SPLIT.split(text or "") if w):
        listed = next((r for r in rules.lost_reasons if word.startswith(r)), None)
        if listed:
            if listed not in reasons:
                reasons.append(listed)
            if word != listed:
                rest.append(word[len(listed):])
        else:
            rest.append(word)
    facts = {"reasons": reasons, "note": " ".join(rest)[:300], "choices": list(rules.lost_reasons)}
    if not reasons:
        return Verdict(rid, REJECT, "NO_LOST_REASON", t("pv_lost_reason", lang, choices="、".join(rules.lost_reasons)),
                       facts, t("pn_lost_reason", lang, example=rules.lost_reasons[0]))
    return Verdict(rid, PASS, "LOST_REASON", "", facts)


def order_won(rules: PipelineRules, registration: str, deal_open: bool, order: str, lang: str = "zh") -> Verdict:
    """A confirmed order naming a deal: marks it won, or only keeps the link."""
    rid = "pipeline.order_won"
    facts = {"registration": registration, "order": order, "order_marks_won": rules.order_marks_won}
    if not deal_open:
        return Verdict(rid, PASS, "DEAL_CLOSED", "", facts)
    if not rules.order_marks_won:
        return Verdict(rid, PASS, "LINK_ONLY", "", facts)
    return Verdict(rid, PASS, "MARK_WON", t("pv_order_won", lang, number=registration, order=order), facts)


def appeal_window(rules: AppealRules, refused_at: datetime | None, how: str, earlier: str | None, now: datetime,
                  fmt: Fmt, lang: str = "zh") -> Verdict:
    """``refused_at``: when the claim was refused (by a holder) or recalled;
    None when the registration was not refused that way. ``earlier``: the
    number of an appeal already filed against that refusal."""
    rid = "appeals.window"
    facts = {"refused_at": refused_at.isoformat() if refused_at else None, "how": how,
             "window_days": rules.window_days, "earlier_appeal": earlier}
    if refused_at is None:
        return Verdict(rid, REJECT, "NOT_APPEALABLE", t("av_not_appealable", lang), facts, t("an_not_appealable", lang))
    if earlier:
        return Verdict(rid, REJECT, "ALREADY_APPEALED", t("av_already", lang, appeal=earlier), facts,
                       t("an_already", lang))
    closes = refused_at + timedelta(days=rules.window_days)
    facts["closes_at"] = closes.isoformat()
    if now > closes:
        return Verdict(rid, REJECT, "WINDOW_CLOSED",
                       t("av_closed", lang, when=fmt(refused_at, "%Y-%m-%d %H:%M"), how=t(f"refused_{how}", lang),
                         days=rules.window_days, closes=fmt(closes, "%Y-%m-%d %H:%M")), facts,
                       t("an_closed", lang))
    return Verdict(rid, PASS, "IN_WINDOW", "", facts)


def key_account(rules: KeyAccountRules, customer: str, account: KeyAccount | None, owner_name: str | None,
                direct: bool, lang: str = "zh") -> Verdict:
    """A partner's claim on a key account is no refusal: it asks the account's
    owner and the area manager to sell together (co-selling)."""
    rid = "registration.key_account"
    if account is None:
        return Verdict(rid, PASS, "NOT_KEY_ACCOUNT", "", {"customer": customer})
    facts = {"customer": customer, "key_account": account.customer, "tier": account.tier, "owner": account.owner,
             "partner_share": str(rules.partner_share)}
    if direct:
        return Verdict(rid, PASS, "DIRECT_TEAM", "", facts)
    return Verdict(rid, NEEDS_APPROVAL, "KEY_ACCOUNT",
                   t("pv_key_account", lang, customer=account.customer, tier=account.tier,
                     owner=owner_name or t("owner_unknown", lang), share=percent(rules.partner_share)),
                   facts, approver_role="account_owner")


def joint(co_partner: str | None, lang: str = "zh") -> Verdict:
    """报备 … 合作 <伙伴>: the second partner must accept in the chat."""
    rid = "registration.joint"
    if not co_partner:
        return Verdict(rid, PASS, "NOT_JOINT", "", {})
    return Verdict(rid, NEEDS_APPROVAL, "JOINT_ACCEPTANCE", t("pv_joint", lang, partner=co_partner),
                   {"co_partner": co_partner}, approver_role="partner")
