"""What an approval of a registration covers, and what the audit trail records
of a registration."""
from __future__ import annotations

from domain.money import json_money
from models import Registration


def payload_of(reg: Registration) -> dict:
    """Exactly what an approval covers; any change to these voids it. (Its hash is
    kept with each approval in flight, so the amount stays written as it always
    was, 800000.0: written anew, every pending approval would read as changed.)"""
    return {"registration": reg.number, "partner_id": reg.partner_id, "customer_id": reg.customer_id,
            "customer": reg.customer_text, "department": reg.department, "lines": list(reg.product_lines),
            "products": list(reg.products or []), "amount_yuan": float(reg.amount_yuan or 0),
            "close_date": reg.close_date.isoformat() if reg.close_date else None}


def snapshot(reg: Registration) -> dict:
    return {"number": reg.number, "status": reg.status, "partner_id": reg.partner_id, "customer_id": reg.customer_id,
            "customer": reg.customer_text, "department": reg.department, "lines": reg.product_lines,
            "amount_yuan": json_money(reg.amount_yuan),
            "close_date": reg.close_date.isoformat() if reg.close_date else None,
            "received_at": reg.received_at.isoformat(),
            "lock_until": reg.lock_until.isoformat() if reg.lock_until else None,
            "revision": reg.revision}
