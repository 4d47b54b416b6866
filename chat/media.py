"""Binary media the bot keeps (photos it fetched, charts it drew), and the
record of their platform uploads so a picture sent twice is uploaded once
while the platform still has it."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from domain.clock import Clock
from models import MediaBlob


@dataclass(frozen=True)
class Blob:
    id: int
    content_type: str
    filename: str
    data: bytes
    platform_media_id: str | None
    uploaded_at: datetime | None


def store_blob(s: Session, clock: Clock, kind: str, data: bytes, content_type: str, filename: str) -> MediaBlob:
    row = MediaBlob(kind=kind, content_type=content_type, filename=filename[:120],
                    sha256=hashlib.sha256(data).hexdigest(), size=len(data), data=data, created_at=clock.now())
    s.add(row)
    s.flush()
    return row


class BlobStore:
    """What transports see of stored media: read one, note an upload of it."""

    def __init__(self, factory: sessionmaker[Session], clock: Clock):
        self._factory, self._clock = factory, clock

    def get(self, blob_id: int) -> Blob:
        with self._factory() as s:
            row = s.get(MediaBlob, blob_id)
            if row is None:
                raise LookupError(f"no media blob {blob_id}")
            return Blob(row.id, row.content_type, row.filename, row.data, row.platform_media_id, row.uploaded_at)

    def upload_since(self, blob: Blob, within: timedelta) -> str | None:
        """The platform's id of an upload of this blob made less than ``within`` ago."""
        if blob.platform_media_id and blob.uploaded_at and self._clock.now() - blob.uploaded_at < within:
            return blob.platform_media_id
        return None

    def remember_upload(self, blob_id: int, media_id: str) -> None:
        with self._factory() as s, s.begin():
            row = s.get(MediaBlob, blob_id)
            row.platform_media_id, row.uploaded_at = media_id, self._clock.now()
