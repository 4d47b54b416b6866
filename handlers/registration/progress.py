"""Where a deal stands: its stage, when it was last worked, and the record
of each follow-up (a note, a stage move, a visit, won or lost)."""
from __future__ import annotations

from datetime import datetime

from chat.context import Context
from domain.rules.pipeline import PipelineRules
from models import Registration, RegistrationFollowUp

MAX_NOTE_CHARS = 500


def stage_of(rules: PipelineRules, reg: Registration) -> str:
    return reg.stage if reg.stage in rules.stages else rules.first_stage


def last_activity(reg: Registration) -> datetime:
    """What staleness counts from: the last follow-up, else the approval (a deal
    waiting for approval is not the partner's to be blamed for)."""
    return max(x for x in (reg.last_follow_up_at, reg.decided_at, reg.received_at) if x is not None)


def record(ctx: Context, reg: Registration, kind: str, user_id: int | None, stage_to: str | None = None,
           note: str | None = None, visit_id: int | None = None, order_id: int | None = None) -> RegistrationFollowUp:
    rules = ctx.rules.pipeline
    current = stage_of(rules, reg)
    row = RegistrationFollowUp(registration_id=reg.id, user_id=user_id, kind=kind, stage_from=current,
                               stage_to=stage_to, note=(note or None) and note[:MAX_NOTE_CHARS], visit_id=visit_id,
                               order_id=order_id, at=ctx.now)
    ctx.s.add(row)
    reg.last_follow_up_at = ctx.now
    if stage_to in rules.stages and stage_to != current:
        reg.stage, reg.stage_at = stage_to, ctx.now
    elif reg.stage is None:
        reg.stage = current
    return row
