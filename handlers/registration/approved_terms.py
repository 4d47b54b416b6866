"""What an approved registration was approved on, kept while a change to it
waits for a decision: the deal stays approved on these terms until the change
is approved, and returns to them when the change is refused, withdrawn or
outlived by the registration."""
from __future__ import annotations

from datetime import date, datetime

from domain.money import json_money, money_or_none
from models import Registration


def approved_terms_of(reg: Registration) -> dict:
    return {"amount_yuan": json_money(reg.amount_yuan),
            "close_date": reg.close_date.isoformat() if reg.close_date else None,
            "decided_at": reg.decided_at.isoformat() if reg.decided_at else None,
            "decided_by_id": reg.decided_by_id, "verdicts": reg.verdicts}


def restore_approved_terms(reg: Registration) -> None:
    """Drop a change that was never approved: the approved terms, and the
    verdicts they were approved on, are the registration again. Nothing to do
    when no change waits."""
    terms = reg.approved_terms
    if terms is None:
        return
    reg.amount_yuan = money_or_none(terms["amount_yuan"])
    reg.close_date = date.fromisoformat(terms["close_date"]) if terms["close_date"] else None
    reg.decided_at = datetime.fromisoformat(terms["decided_at"]) if terms["decided_at"] else None
    reg.decided_by_id = terms["decided_by_id"]
    if "verdicts" in terms:                 # terms kept before verdicts were are without them
        reg.verdicts = terms["verdicts"]
    reg.approved_terms = None
