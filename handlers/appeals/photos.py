"""Photos as evidence: sent right after 申诉 (while the conversation waits),
they are attached to the appeal, kept before the platform forgets them
(chat.kept_media), and once kept forwarded to the decider while the appeal
waits. "完成" ends the sending."""
from __future__ import annotations

from chat import kept_media
from chat.context import Context, Services
from chat.messages import Image, InboundKind, Text
from handlers.appeals.texts import t
from models import Appeal, AppealPhoto, AppealStatus, MediaBlob, PhotoStatus, User

DONE_WORDS = {"完成", "好了", "没有了", "就这些", "提交", "done", "finished"}


def on_media(ctx: Context, state: dict) -> bool:
    ib = ctx.inbound
    if ib.kind != InboundKind.IMAGE or not ib.media_id:
        return False
    appeal = ctx.s.get(Appeal, state["appeal_id"])
    if appeal is None or appeal.requester_id != ctx.user.id:
        return False
    if appeal.status != AppealStatus.PENDING:
        ctx.clear_state()
        ctx.reply(Text(t("appeal_photo_late", ctx.lang, appeal=appeal.number)))
        return True
    most = ctx.rules.appeals.max_photos
    if len(appeal.photos) >= most:
        ctx.reply(Text(t("appeal_photo_limit", ctx.lang, appeal=appeal.number, max=most)))
        return True
    if all(p.media_id != ib.media_id[:200] for p in appeal.photos):
        appeal.photos.append(AppealPhoto(platform=ib.platform, media_id=ib.media_id[:200],
                                         pic_url=(ib.pic_url or "")[:500] or None, status=PhotoStatus.PENDING,
                                         next_attempt_at=ctx.now, received_at=ctx.now))
        ctx.s.flush()
        ctx.audit("appeal.photo", "appeal", appeal.number, after={"media_id": ib.media_id[:200]})
    ctx.set_state(state)                # more may follow: the conversation's time starts again
    ctx.reply(Text(t("appeal_photo_saved", ctx.lang, appeal=appeal.number, n=len(appeal.photos))))
    return True


def on_text(ctx: Context, state: dict, text: str) -> bool:
    """Only "完成" belongs to the evidence conversation; anything else is a command."""
    if text.strip().lower() not in DONE_WORDS:
        return False
    ctx.clear_state()
    appeal = ctx.s.get(Appeal, state["appeal_id"])
    ctx.reply(Text(t("appeal_evidence_done", ctx.lang, appeal=appeal.number, n=len(appeal.photos))))
    return True


def sweep(svc: Services) -> dict[str, int]:
    return kept_media.keep_due(svc, AppealPhoto, lambda row: f"appeal-{row.appeal_id}.jpg", _gave_up, _kept)


def _kept(ctx: Context, row: AppealPhoto, blob: MediaBlob) -> None:
    """Kept: the decider sees it while the appeal waits."""
    appeal = row.appeal
    if appeal.status != AppealStatus.PENDING:
        return
    n = sorted(p.id for p in appeal.photos).index(row.id) + 1
    decider = ctx.s.get(User, appeal.decider_id)
    ctx.send(decider, Text(t("appeal_photo_forward", "zh", appeal=appeal.number, n=n, partner=appeal.partner.name,
                             who=appeal.requester.name, when=ctx.fmt(row.received_at))),
             key=f"appeal-photo-caption:{row.id}")
    ctx.send(decider, Image(blob.id), key=f"appeal-photo:{row.id}")


def _gave_up(ctx: Context, row: AppealPhoto) -> None:
    ctx.send(ctx.s.get(User, row.appeal.requester_id),
             Text(t("appeal_photo_failed", "zh", when=ctx.fmt(row.received_at, "%m-%d %H:%M"),
                    appeal=row.appeal.number)), key=f"appeal-photo-failed:{row.id}")
