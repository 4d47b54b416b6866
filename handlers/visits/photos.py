"""Visit photos kept for good: chat platforms keep media only a few days, so
each photo is fetched through the platform's media API soon after it arrives,
retried with back-off until it is, and stored as a MediaBlob.

Rows are claimed with a lease (like the outbox), so several processes never
fetch the same photo at once; the fetch itself runs outside any transaction.
A photo that cannot be kept in the end is not lost silently: the visitor is
told which one, in the same transaction that gives it up.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import and_, or_, select

from chat.context import Context, Services
from chat.delivery import DeliveryError
from chat.media import store_blob
from chat.messages import Text
from handlers.visits.texts import t
from models import PhotoStatus, User, VisitPhoto

log = logging.getLogger(__name__)

LEASE_S = 120
BATCH = 10
MAX_BACKOFF_S = 1800
# Tried a little past the platform's own keeping time (clocks differ), then given up.
MARGIN = timedelta(hours=1)


def _claim(svc: Services) -> list[tuple[int, str, str]]:
    now = svc.clock.now()
    with svc.factory() as s, s.begin():
        rows = s.execute(select(VisitPhoto).where(or_(
            and_(VisitPhoto.status == PhotoStatus.PENDING, VisitPhoto.next_attempt_at <= now,
                 or_(VisitPhoto.lease_until.is_(None), VisitPhoto.lease_until <= now))))
            .order_by(VisitPhoto.id).limit(BATCH).with_for_update(skip_locked=True)).scalars().all()
        for row in rows:
            row.lease_until = now + timedelta(seconds=LEASE_S)
        return [(r.id, r.platform, r.media_id) for r in rows]


def sweep(svc: Services) -> dict[str, int]:
    counts = {"fetched": 0, "retry": 0, "failed": 0}
    for photo_id, platform, media_id in _claim(svc):
        source = svc.media.get(platform)
        try:
            if source is None:
                raise DeliveryError(f"no media API for {platform}", transient=False)
            data, content_type, filename = source.fetch(media_id)
        except DeliveryError as exc:
            counts[_failed(svc, photo_id, str(exc), exc.transient)] += 1
            continue
        except Exception as exc:         # a bug must not lose the photo: retry later
            log.exception("photo %s: unexpected fetch error", photo_id)
            counts[_failed(svc, photo_id, f"unexpected: {exc!r}", True)] += 1
            continue
        with svc.factory() as s, s.begin():
            row = s.get(VisitPhoto, photo_id, with_for_update=True)
            if row.status == PhotoStatus.PENDING:
                blob = store_blob(s, svc.clock, "photo", data, content_type, filename or f"visit-{row.visit_id}.jpg")
                row.blob_id, row.status, row.fetched_at = blob.id, PhotoStatus.FETCHED, svc.clock.now()
                row.lease_until = None
                row.attempts += 1
                counts["fetched"] += 1
    return counts


def _failed(svc: Services, photo_id: int, error: str, transient: bool) -> str:
    now = svc.clock.now()
    with svc.factory() as s, s.begin():
        row = s.get(VisitPhoto, photo_id, with_for_update=True)
        row.attempts += 1
        row.error, row.lease_until = error[:2000], None
        source = svc.media.get(row.platform)
        if transient and source is not None and now - row.received_at < source.kept_for + MARGIN:
            row.next_attempt_at = now + timedelta(seconds=min(MAX_BACKOFF_S, 15 * 2 ** min(row.attempts, 10)))
            return "retry"
        row.status = PhotoStatus.FAILED
        log.error("photo %s (media %s) could not be kept: %s", photo_id, row.media_id, error)
        visit = row.visit
        ctx = Context.for_system(s, svc, actor="scheduler")
        ctx.send(s.get(User, visit.user_id),
                 Text(t("visit_photo_failed", "zh", when=ctx.fmt(row.received_at, "%m-%d %H:%M"),
                        customer=visit.customer.name if visit.customer else "-")), key=f"photo-failed:{row.id}")
        return "failed"
