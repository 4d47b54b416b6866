"""References from one kind's rows to records another import loaded: a partner
by code or name, products by SKU, users by their userid. One query per batch."""
from __future__ import annotations

import re

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from domain.language.items import SKU_SHAPE
from handlers.imports import cells
from handlers.imports.problems import RowProblem, said
from models import Partner, Product, User

# A member's account on the chat platforms (账号, userid): 1–64 of these characters.
USERID = re.compile(r"[A-Za-z0-9_\-.@]{1,64}")


def partners_by_ref(session: Session, refs: set[str]) -> dict[str, Partner]:
    """ref → partner, a code taking precedence over a name (an ERP code is
    what the ERP's own exports carry; names get abbreviated)."""
    if not refs:
        return {}
    found = session.execute(select(Partner).where(or_(Partner.code.in_(refs), Partner.name.in_(refs)))).scalars().all()
    by_name = {p.name: p for p in found}
    by_code = {p.code: p for p in found if p.code}
    return {ref: by_code.get(ref) or by_name[ref] for ref in refs if ref in by_code or ref in by_name}


def known_skus(session: Session, skus: set[str]) -> set[str]:
    if not skus:
        return set()
    return set(session.execute(select(Product.sku).where(Product.sku.in_(skus))).scalars())


def users_by_userid(session: Session, userids: set[str]) -> dict[str, User]:
    if not userids:
        return {}
    rows = session.execute(select(User).where(User.external_id.in_(userids))).scalars()
    return {u.external_id: u for u in rows}


def sku_cell(value: object) -> str | None:
    """Upper-cased, in the shape the chat parser reads (A100, CT-2000, A100-PRO):
    a SKU it can't read could never be ordered in chat."""
    text = cells.text(value)
    if text is None:
        return None
    code = text.upper()
    if not SKU_SHAPE.fullmatch(code):
        raise RowProblem(f"SKU 格式不对: {said(text)} (bad SKU: letters then 2–5 digits, e.g. A100, CT-2000)")
    return code
