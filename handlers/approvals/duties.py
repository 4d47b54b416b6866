"""Separation of duties: one person decides at most one step of a flow.

A ladder of two steps (area manager, then director) is two pairs of eyes.
Stand-ins, transfers and escalation could put one person on two steps — the
director's stand-in who already approved step 1 as area manager would be
asked again for step 2, and tapping once used to approve both. Each way in
is closed where it arises, and the card and the requester say why:

- a stand-in who decided an earlier step, or who is the approver of a later
  one, does not stand in for this step: it stays with (or goes back to) the
  approver themself;
- a transfer to such a person is refused, and a delegation does not hand
  such a step over;
- an escalation to the approver of a later step ends the waiting step as
  escalated and moves the flow on to that later step: the director decides
  once, as director, and the record does not claim an area manager's review;
- a ladder whose two steps fall to one person by configuration (a region
  with no area manager: the director for both) becomes one step, and its
  card says it covers both.
"""
from __future__ import annotations

from dataclasses import dataclass

from chat.context import Context
from domain.rules.words import role_word
from handlers.approvals import routing
from handlers.approvals.texts import t
from models import ApprovalFlow, ApprovalStatus, User


def deciders(flow: ApprovalFlow) -> dict[int, int]:
    """Who approved which step so far: user id → step number (1-based)."""
    return {a.decided_by_id: a.step + 1 for a in flow.approvals
            if a.status == ApprovalStatus.APPROVED and a.decided_by_id}


def later_owners(ctx: Context, flow: ApprovalFlow, after: int) -> dict[int, int]:
    """The approvers the ladder itself names for the steps after ``after``
    (stand-ins aside): user id → step number (1-based), the nearest step kept."""
    out: dict[int, int] = {}
    for i in range(len(flow.steps) - 1, after, -1):
        out[routing.approver_of_step(ctx, flow.steps[i], flow.region).id] = i + 1
    return out


def conflict(ctx: Context, flow: ApprovalFlow, user: User, step: int | None = None) -> str | None:
    """Why ``user`` may not decide the flow's step ``step`` (default: the current
    one), in words for the card and the requester; None when they may."""
    step = flow.current_step if step is None else step
    decided = deciders(flow)
    if user.id in decided and decided[user.id] != step + 1:
        return t("sod_decided", "zh", who=user.name, step=decided[user.id])
    later = later_owners(ctx, flow, step)
    if user.id in later:
        return t("sod_later", "zh", who=user.name, step=later[user.id])
    return None


@dataclass(frozen=True)
class Routed:
    approver: User
    on_behalf: User | None = None      # the approver a stand-in decides for
    note: str | None = None            # why the routing is not the plain one (card, requester)
    passed_over: User | None = None    # a stand-in who was not given the step


def route(ctx: Context, flow: ApprovalFlow) -> Routed:
    """Who gets the flow's current step: its approver, or their stand-in
    unless the stand-in would then decide two steps of this flow."""
    own = routing.approver_of_step(ctx, flow.steps[flow.current_step], flow.region)
    approver, on_behalf = routing.stand_in(ctx, own)
    if on_behalf is not None:
        why = conflict(ctx, flow, approver)
        if why:
            return Routed(own, None, t("sod_not_stand_in", "zh", stand_in=approver.name, why=why, who=own.name),
                          passed_over=approver)
        return Routed(approver, on_behalf)
    # A clash left here (the approver decided an earlier step in another
    # capacity; one naming them for a later step is merged by the caller) has
    # nobody else to go to: it is decided again, but knowingly.
    why = conflict(ctx, flow, own)
    return Routed(own, None, t("sod_again", "zh", why=why) if why else None)


def merged_note(flow: ApprovalFlow, step: int) -> str:
    """The card note of a step that also stands for an earlier one (a ladder
    naming one person for both)."""
    return t("sod_merged", "zh", step=step + 1, role=role_word(flow.steps[step]["role"]))


def owner_of_later_step(ctx: Context, flow: ApprovalFlow) -> bool:
    """The ladder names the current step's approver for a later step too."""
    own = routing.approver_of_step(ctx, flow.steps[flow.current_step], flow.region)
    return own.id in later_owners(ctx, flow, flow.current_step)
