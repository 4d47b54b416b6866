"""What the approval engine needs to know about each kind of subject.

The engine (flows, steps, cards, stamps, transfer, SLA) is the same for a
registration, an order, a special price or an extension; each kind says how
to lock and read its subject, what the exact payload is, what its card
shows, and what approval or rejection does to it.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select

from chat.context import Context
from models import Approval, ApprovalFlow, User


@dataclass(frozen=True)
class CardView:
    title: str
    desc: str
    rows: tuple[tuple[str, str], ...]
    note: str = ""


class SubjectKind(Protocol):
    name: str            # "registration": ApprovalFlow.subject_type
    prefix: str          # "RG": the number users type starts with it
    noun: str            # "报备": how texts name it

    def lock(self, ctx: Context, subject_id: int) -> Any:
        """The subject, row-locked for this transaction (and refreshed)."""

    def find(self, ctx: Context, ref: str) -> Any | None: ...

    def ref(self, subject: Any) -> str: ...

    def revision(self, subject: Any) -> int: ...

    def payload(self, ctx: Context, subject: Any) -> dict:
        """Exactly what an approval covers; any change to it voids the approval."""

    def is_open(self, subject: Any) -> bool:
        """Still waiting for this decision (not withdrawn, cancelled, decided)."""

    def requester(self, ctx: Context, subject: Any) -> User: ...

    def card(self, ctx: Context, flow: ApprovalFlow, subject: Any, appr: Approval) -> CardView: ...

    def approved(self, ctx: Context, flow: ApprovalFlow, subject: Any, appr: Approval) -> None:
        """The last step approved: apply it and tell the requester."""

    def rejected(self, ctx: Context, flow: ApprovalFlow, subject: Any, appr: Approval, reason: str) -> None: ...


class RowSubject:
    """What most subject kinds share: the subject is one row with a unique
    ``number`` (what users type), a ``revision`` bumped by every change, and the
    user who asked in ``requester_column``. A kind sets ``model`` and says the rest."""
    model: Any
    requester_column = "submitter_id"

    def lock(self, ctx: Context, subject_id: int) -> Any:
        return ctx.s.execute(select(self.model).where(self.model.id == subject_id).with_for_update()
                             .execution_options(populate_existing=True)).scalar_one()

    def find(self, ctx: Context, ref: str) -> Any | None:
        return ctx.s.execute(select(self.model).where(self.model.number == ref.upper())).scalar_one_or_none()

    def ref(self, subject: Any) -> str:
        return subject.number

    def revision(self, subject: Any) -> int:
        return subject.revision

    def requester(self, ctx: Context, subject: Any) -> User:
        return ctx.s.get(User, getattr(subject, self.requester_column))


def kinds(ctx: Context) -> dict[str, SubjectKind]:
    """The kinds capabilities registered (``registry.approval_kind``), by name."""
    return ctx.svc.registry.approval_kinds


def kind_for_ref(ctx: Context, ref: str) -> SubjectKind | None:
    ref = (ref or "").upper()
    return next((k for k in kinds(ctx).values() if ref.startswith(k.prefix)), None)


def payload_hash(payload: dict) -> str:
    """What binds an approval to its payload. ``default=str`` lets Decimal
    prices and dates in; the payloads are built from plain values either way."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()
