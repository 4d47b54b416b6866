"""A partner named in a message ("合作 北京华信", "漏斗 北京康健"): by its code,
its full name, or a part of its name that only it has."""
from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from models import Partner

MAX_NAME_CHARS = 100


def find_partner(s: Session, text: str | None) -> Partner | None:
    """The one partner ``text`` names, or None (nobody, or several)."""
    text = (text or "").strip()[:MAX_NAME_CHARS]
    if not text:
        return None
    exact = s.execute(select(Partner).where(or_(Partner.name == text, func.upper(Partner.code) == text.upper()))
                      ).scalars().first()
    if exact is not None:
        return exact
    # A short name ("北京华信") is part of the full one ("北京华信医疗科技有限公司").
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = s.execute(select(Partner).where(Partner.name.like(f"%{escaped}%", escape="\\")).limit(2)).scalars().all()
    return rows[0] if len(rows) == 1 else None
