"""The approval lives in the thread it came from.

A request said in a group chat (``@渠道助手 报备 …`` in the partner's group)
keeps its approval there. Where the platform can post interactive cards into a
group, the card goes into the group: everyone sees it, only the approver's tap
counts (engine.decide answers anyone else privately), and its stamp is what
everyone sees. Where it can't (a WeCom self-built app: platforms.md, "Group
chats"), the approver gets the card 1:1, naming the group, and the group hears
where the card went and, later, the decision: the same approval, linked both
ways. Which it is comes from the platform's traits, never from its name.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from chat import cards
from chat.context import Context
from chat.groups import title_of
from chat.messages import Card, CardStamp, Text
from handlers.approvals.texts import t
from models import ApprovalFlow, User


@dataclass(frozen=True)
class Thread:
    platform: str
    chat_id: str
    title: str


def remember_origin(ctx: Context, flow: ApprovalFlow) -> None:
    """A flow started by a group message belongs to that group."""
    ib = ctx.inbound
    if ib is not None and ib.in_group:
        flow.origin_platform, flow.origin_chat = ib.platform, ib.chat_id


def of(ctx: Context, flow: ApprovalFlow) -> Thread | None:
    if not flow.origin_chat:
        return None
    return Thread(flow.origin_platform or ctx.svc.default_platform, flow.origin_chat,
                  title_of(ctx.s, flow.origin_chat))


def _cards_live_there(ctx: Context, thread: Thread | None) -> bool:
    return thread is not None and ctx.svc.traits_of(thread.platform).cards_in_groups


def send_card(ctx: Context, flow: ApprovalFlow, approver: User, card: Card, noun: str) -> None:
    thread = of(ctx, flow)
    key = f"card:{card.task_id}"
    if _cards_live_there(ctx, thread):
        ctx.send_to_group(thread.platform, thread.chat_id, card, key=key)
        return
    if thread is not None:
        from_group = t("thread_card_from", "zh", title=thread.title or thread.chat_id)
        card = replace(card, note="；".join(x for x in (from_group, card.note) if x))
    ctx.send(approver, card, key=key)
    if thread is not None:
        ctx.send_to_group(thread.platform, thread.chat_id,
                          Text(t("thread_card_sent", "zh", noun=noun, number=flow.subject_ref, who=approver.name)),
                          key=f"thread-{key}")


def send_stamp(ctx: Context, flow: ApprovalFlow, approver: User, stamp: CardStamp, key: str, noun: str) -> None:
    """The card turns into ``stamp`` where it was placed; a group that never had
    the card hears the stamp's words instead."""
    thread = of(ctx, flow)
    where = cards.placed(ctx.s, stamp.task_id)
    if where is not None:
        ctx.send_to(*where, stamp, key=key)        # where the card is, whoever moved since
    elif _cards_live_there(ctx, thread):
        ctx.send_to_group(thread.platform, thread.chat_id, stamp, key=key)
    else:
        ctx.send(approver, stamp, key=key)
    if thread is not None and not _cards_live_there(ctx, thread):
        ctx.send_to_group(thread.platform, thread.chat_id,
                          Text(t("thread_decided", "zh", noun=noun, number=flow.subject_ref, stamp=stamp.text)),
                          key=f"thread-{key}")
