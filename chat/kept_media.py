"""Photos users send, kept for good: chat platforms keep media only a few
days, so each photo is a row (models.media.KeptMedia: a visit's photo, an
appeal's evidence) fetched through the platform's media API soon after it
arrives, retried with back-off until it is, and stored as a MediaBlob.

Rows are claimed with a lease (like the outbox), so several processes never
fetch the same photo at once; the fetch itself runs outside any transaction.
A photo that cannot be kept in the end is not lost silently: the capability
that owns the row says whom to tell (``gave_up``), in the same transaction
that gives it up; ``kept`` lets it act on a photo once it is safe (forward it).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, or_, select

from chat.context import Context, Services
from chat.delivery import DeliveryError
from chat.media import store_blob
from models import MediaBlob, PhotoStatus

log = logging.getLogger(__name__)

LEASE_S = 120
BATCH = 10
MAX_BACKOFF_S = 1800
# Tried a little past the platform's own keeping time (clocks differ), then given up.
MARGIN = timedelta(hours=1)

Hook = Callable[[Context, Any], None]


def keep_due(svc: Services, model: Any, filename: Callable[[Any], str], gave_up: Hook,
             kept: Callable[[Context, Any, MediaBlob], None] | None = None) -> dict[str, int]:
    """Fetch and keep the due photos of ``model``; counts of what happened."""
    counts = {"fetched": 0, "retry": 0, "failed": 0}
    for row_id, platform, media_id in _claim(svc, model):
        source = svc.media.get(platform)
        try:
            if source is None:
                raise DeliveryError(f"no media API for {platform}", transient=False)
            data, content_type, name = source.fetch(media_id)
        except DeliveryError as exc:
            counts[_failed(svc, model, row_id, str(exc), exc.transient, gave_up)] += 1
            continue
        except Exception as exc:         # a bug must not lose the photo: retry later
            log.exception("%s %s: unexpected fetch error", model.__tablename__, row_id)
            counts[_failed(svc, model, row_id, f"unexpected: {exc!r}", True, gave_up)] += 1
            continue
        with svc.factory() as s, s.begin():
            row = s.get(model, row_id, with_for_update=True)
            if row.status == PhotoStatus.PENDING:
                blob = store_blob(s, svc.clock, "photo", data, content_type, name or filename(row))
                row.blob_id, row.status, row.fetched_at = blob.id, PhotoStatus.FETCHED, svc.clock.now()
                row.lease_until = None
                row.attempts += 1
                counts["fetched"] += 1
                if kept is not None:
                    kept(Context.for_system(s, svc, actor="scheduler"), row, blob)
    return counts


def _claim(svc: Services, model: Any) -> list[tuple[int, str, str]]:
    now = svc.clock.now()
    with svc.factory() as s, s.begin():
        rows = s.execute(select(model).where(or_(
            and_(model.status == PhotoStatus.PENDING, model.next_attempt_at <= now,
                 or_(model.lease_until.is_(None), model.lease_until <= now))))
            .order_by(model.id).limit(BATCH).with_for_update(skip_locked=True)).scalars().all()
        for row in rows:
            row.lease_until = now + timedelta(seconds=LEASE_S)
        return [(r.id, r.platform, r.media_id) for r in rows]


def _failed(svc: Services, model: Any, row_id: int, error: str, transient: bool, gave_up: Hook) -> str:
    now = svc.clock.now()
    with svc.factory() as s, s.begin():
        row = s.get(model, row_id, with_for_update=True)
        row.attempts += 1
        row.error, row.lease_until = error[:2000], None
        source = svc.media.get(row.platform)
        if transient and source is not None and now - row.received_at < source.kept_for + MARGIN:
            row.next_attempt_at = now + timedelta(seconds=min(MAX_BACKOFF_S, 15 * 2 ** min(row.attempts, 10)))
            return "retry"
        row.status = PhotoStatus.FAILED
        log.error("%s %s (media %s) could not be kept: %s", model.__tablename__, row_id, row.media_id, error)
        gave_up(Context.for_system(s, svc, actor="scheduler"), row)
        return "failed"
