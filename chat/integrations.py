"""Tokens of the systems that call Qudao's HTTP API (the ERP, a warehouse
system): one per integration (``python -m bot integration add NAME``),
stored only as a hash, revocable."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import Integration


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return "qd_" + secrets.token_urlsafe(32)


def authenticate(s: Session, token: str) -> str | None:
    """The integration's name for a valid, unrevoked token (else None); records its use."""
    digest = token_hash(token.strip())
    row = s.execute(select(Integration).where(Integration.token_hash == digest)).scalar_one_or_none()
    # compare_digest on the hashes: the lookup already matched, this keeps
    # the check's timing independent of where a near-miss differs.
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.token_hash, digest):
        return None
    s.execute(update(Integration).where(Integration.id == row.id).values(last_used_at=datetime.now(UTC)))
    return row.name
