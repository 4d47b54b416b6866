"""The outbox as a work queue: the two statements its claims turn on, built once.

``DUE`` finds the rows to send (or park) with each one's head, the oldest open row
of its recipient before it; ``RELEASE`` makes a finished row's successor due. Both
go through partial indexes of open rows only (migration 0019), so they read a few
index pages however long the history or a member's queue
(``tests/adapters/test_queue_plans.py`` checks their plans)."""
from __future__ import annotations

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import aliased

from models import OutboxMessage, OutboxStatus
from models.messaging import is_open


def _due_statement():
    """Open rows due now, oldest due first (a pending row when its next attempt
    comes; a sending row when its lease ends: its worker may have died), locked for
    this claim, each with its head: the oldest open row of its recipient before it,
    or None. Both through partial indexes of open rows only (ix_outbox_due_open,
    ix_outbox_open): a few index pages however long the history or the queue.
    Built once."""
    head = aliased(OutboxMessage)
    head_id = (select(head.id)
               .where(head.recipient == OutboxMessage.recipient, head.id < OutboxMessage.id, is_open(head.status))
               .order_by(head.id).limit(1).scalar_subquery())
    return (select(OutboxMessage, head_id.label("head"))
            .where(is_open(OutboxMessage.status), OutboxMessage.next_attempt_at <= bindparam("now"))
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(bindparam("scan"))
            .with_for_update(skip_locked=True, of=OutboxMessage))


def _release_statement():
    """The next open row of a recipient after a done row, if it is pending and
    parked: due now."""
    after = aliased(OutboxMessage)
    successor = (select(after.id)
                 .where(after.recipient == bindparam("b_recipient"), after.id > bindparam("b_done"),
                        is_open(after.status))
                 .order_by(after.id).limit(1).scalar_subquery())
    return (update(OutboxMessage)
            .where(OutboxMessage.id == successor, OutboxMessage.status == OutboxStatus.PENDING,
                   OutboxMessage.next_attempt_at > bindparam("b_now"))
            .values(next_attempt_at=bindparam("b_now")).execution_options(synchronize_session=False))


DUE, RELEASE = _due_statement(), _release_statement()
