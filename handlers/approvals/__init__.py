"""Approvals: one engine for every kind of subject (see engine.py), the
commands approvers use (commands.py), stand-ins (delegation.py), SLA (sla.py),
separation of duties (duties.py), voiding what a change undoes (voiding.py)."""
from handlers.approvals.commands import (
    approval_for_card,
    on_card_click,
    on_reject_reason,
    on_text_decision,
    parse_decision,
    transfer,
)
from handlers.approvals.engine import start_flow
from handlers.approvals.kinds import CardView
from handlers.approvals.voiding import Voided, void_flows, void_open_flows

__all__ = [
    "CardView",
    "Voided",
    "approval_for_card",
    "on_card_click",
    "on_reject_reason",
    "on_text_decision",
    "parse_decision",
    "start_flow",
    "transfer",
    "void_flows",
    "void_open_flows",
]
