"""跟进: a deal moves through the stages the rules list, by chat
(`跟进 RG… 方案报价 客户要求下周演示`, the short form `RG… 报价了`), or by a
verified check-in at the customer (the visits capability publishes
"visit.verified"). Every follow-up is kept (the appeal evidence, the
scorecard's follow-up gap) and keeps the deal protected: staleness counts
from the last one (handlers.registration.recall)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from chat.context import Context
from chat.messages import Text
from domain.language import Parsed
from domain.language.readers import leading_word
from domain.rules import pipeline_checks as checks
from domain.rules.pipeline import PipelineRules
from domain.rules.verdict import REJECT
from handlers.registration import outcomes
from handlers.registration.ownership import direct_team, own_open
from handlers.registration.progress import MAX_NOTE_CHARS, record, stage_of
from handlers.registration.texts import t
from models import OPEN_STATUSES, FollowUpKind, Registration, RegistrationStatus, Role, User


def stage_words(rules: PipelineRules) -> tuple[list[str], tuple[str, ...]]:
    """Every word that names a stage (the short ones too), and those that may be glued to a note."""
    full = (*rules.stages, rules.won, rules.lost)
    return [*full, *(w for w, _ in rules.stage_words)], full


def follow_up(ctx: Context, parsed: Parsed) -> None:
    """跟进 RG… [阶段] [说明], and "RG… 报价了"."""
    lang, rules = ctx.lang, ctx.rules.pipeline
    reg = own_open(ctx, parsed.ref, t("action_follow_up", lang))
    if reg is None:
        return
    words, glued = stage_words(rules)
    word, note = leading_word(parsed.note, words, glued)
    stage = rules.stage_for_word(word) if word else None
    if stage == rules.won:
        amount, doubt = _amount_after(ctx, note)
        outcomes.won(ctx, reg, amount=amount, note=note, said=note, doubt=doubt)
        return
    if stage == rules.lost:
        outcomes.lost(ctx, reg, note)
        return
    if stage is None and not note:
        ctx.reply(Text(t("follow_up_usage", lang, number=reg.number, stage=stage_of(rules, reg),
                         stages=" → ".join(rules.stages))))
        return
    if len(note) > MAX_NOTE_CHARS:
        ctx.reply(Text(t("follow_up_too_long", lang, limit=MAX_NOTE_CHARS)))
        return
    verdicts = []
    if stage is not None:
        verdict = checks.stage_move(rules, reg.stage, stage, lang)
        verdicts.append(verdict.to_dict())
        if verdict.outcome == REJECT:
            ctx.reply(Text(t("follow_up_refused", lang, message=verdict.message, next_step=verdict.next_step)))
            return
    before = stage_of(rules, reg)
    record(ctx, reg, FollowUpKind.STAGE if stage else FollowUpKind.NOTE, ctx.user.id, stage_to=stage, note=note)
    ctx.audit("registration.follow_up", "registration", reg.number,
              before={"stage": before}, after={"stage": stage_of(rules, reg), "note": note or None},
              verdicts=verdicts or None)
    moved = t("follow_up_moved", lang, before=before, stage=stage) if stage and stage != before else \
        t("follow_up_stage", lang, stage=stage_of(rules, reg))
    keep = t("follow_up_keep", lang, days=rules.stale_days,
             by=ctx.fmt(ctx.now + timedelta(days=rules.stale_days), "%Y-%m-%d")) \
        if reg.status == RegistrationStatus.APPROVED else ""
    ctx.reply(Text(t("follow_up_done", lang, number=reg.number, customer=reg.customer_text, moved=moved,
                     note=t("follow_up_note", lang, note=note) if note else "") + keep))


def _amount_after(ctx: Context, text: str) -> tuple[float | None, str | None]:
    """"中标了 金额 150万": the amount and any doubt about it, read as 成交 reads them."""
    if not text:
        return None, None
    parsed = ctx.parse("成交 " + text)
    return parsed.amount_yuan, parsed.amount_doubt


def on_visit_verified(ctx: Context, facts: dict) -> None:
    """A verified check-in at the customer is a follow-up of the visitor's
    party's open deals there (not a visit whose flags put it in doubt)."""
    if not ctx.rules.pipeline.visits_count_as_follow_up or facts.get("suspicious"):
        return
    visitor = ctx.s.get(User, facts["user_id"])
    if visitor is None:
        return
    if visitor.role == Role.REP:
        team = direct_team(ctx)
        party = team.id if team else None
    else:
        party = visitor.partner_id
    if party is None:
        return
    regs = ctx.s.execute(select(Registration).where(
        Registration.customer_id == facts["customer_id"], Registration.partner_id == party,
        Registration.status.in_(OPEN_STATUSES)).with_for_update()).scalars().all()
    for reg in regs:
        record(ctx, reg, FollowUpKind.VISIT, visitor.id, visit_id=facts["visit_id"])
        ctx.audit("registration.follow_up", "registration", reg.number,
                  after={"visit": facts["visit_id"], "by": visitor.external_id})
