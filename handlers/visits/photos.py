"""Visit photos kept for good (chat.kept_media fetches them before the
platform forgets them); a photo that cannot be kept is reported to the
visitor, naming the visit."""
from __future__ import annotations

from chat import kept_media
from chat.context import Context, Services
from chat.messages import Text
from handlers.visits.texts import t
from models import User, VisitPhoto


def sweep(svc: Services) -> dict[str, int]:
    return kept_media.keep_due(svc, VisitPhoto, lambda row: f"visit-{row.visit_id}.jpg", _gave_up)


def _gave_up(ctx: Context, row: VisitPhoto) -> None:
    visit = row.visit
    ctx.send(ctx.s.get(User, visit.user_id),
             Text(t("visit_photo_failed", "zh", when=ctx.fmt(row.received_at, "%m-%d %H:%M"),
                    customer=visit.customer.name if visit.customer else "-")), key=f"photo-failed:{row.id}")
