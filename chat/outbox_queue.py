"""The outbox as a work queue: the statements its rows are written and claimed by, built once.

``ENQUEUE`` writes a reply, due or already parked behind a held-back queue
(``ENQUEUE_PLAIN`` on SQLite); ``DUE``
finds the rows to send (or park) with each one's head, the oldest open row of its
recipient before it; ``RENEW`` and ``MARK_SENT`` are a send's own, fenced by the
lease it holds; ``RELEASE`` makes a finished row's successor due. All go
through partial indexes of open rows only (migration 0019), so they read a few
index pages however long the history or a member's queue
(``tests/adapters/test_queue_plans.py`` checks their plans)."""
from __future__ import annotations

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session, aliased

from models import OutboxMessage, OutboxStatus
from models.db import insert_or_nothing
from models.messaging import OPEN_OUTBOX, is_open

# A parked row is read again this long after its head's time (later by the pacing
# windows of the rows ahead of it), released or not.
PARK_S = 60


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
    parked: due now. Against the table, not the mapped class: it runs once per
    send and touches no loaded object, so the ORM's bulk-UPDATE step was only cost."""
    out = OutboxMessage.__table__
    later = out.alias("later")
    successor = (select(later.c.id)
                 .where(later.c.recipient == bindparam("b_recipient"), later.c.id > bindparam("b_done"),
                        is_open(later.c.status))
                 .order_by(later.c.id).limit(1).scalar_subquery())
    return (update(out)
            .where(out.c.id == successor, out.c.status == OutboxStatus.PENDING,
                   out.c.next_attempt_at > bindparam("b_now"))
            .values(next_attempt_at=bindparam("b_now")))


DUE, RELEASE = _due_statement(), _release_statement()

# A send's own statements, against the table (not the mapped class): they run for
# every send and touch no loaded object, so the ORM's bulk-UPDATE step was only
# cost. The lease end held is the fencing token (``Deliverer._renew``).
_OUT = OutboxMessage.__table__
_HELD = ((_OUT.c.id == bindparam("row_id")) & (_OUT.c.status == OutboxStatus.SENDING)
         & (_OUT.c.lease_until == bindparam("lease")))
RENEW = update(_OUT).where(_HELD).values(lease_until=bindparam("fresh"), next_attempt_at=bindparam("fresh"))
MARK_SENT = update(_OUT).where(_HELD).values(status=OutboxStatus.SENT, sent_at=bindparam("sent"),
                                             result=bindparam("answer"), attempts=_OUT.c.attempts + 1,
                                             lease_until=None)

# A parked row's backstop counts the rows ahead of it up to this many (on WeCom, two
# hours of its pacing): a row deeper still is read again then, and parked further.
AHEAD_CAP = 2_000
_AHEAD: dict[int, object] = {}


def ahead_statement(recipients: int):
    """For recipients ``r0``, ``r1`` … each with an id ``f0``, ``f1`` …: how many open
    rows each has before its id, counted up to AHEAD_CAP — one row, one count per
    recipient, each through ix_outbox_open (recipient, id). Built once per number of
    recipients (at most a claim's scan)."""
    stmt = _AHEAD.get(recipients)
    if stmt is None:
        counts = [select(func.count()).select_from(
                      select(OutboxMessage.id)
                      .where(is_open(OutboxMessage.status), OutboxMessage.recipient == bindparam(f"r{i}"),
                             OutboxMessage.id < bindparam(f"f{i}"))
                      .limit(AHEAD_CAP).subquery()).scalar_subquery()
                  for i in range(recipients)]
        stmt = _AHEAD[recipients] = select(*counts)
    return stmt


def open_rows_ahead(session: Session, rows: list[OutboxMessage]) -> dict[str, int]:
    """recipient → its open rows before the first of ``rows`` (in id order) it has,
    up to AHEAD_CAP: one statement for them all."""
    firsts: dict[str, int] = {}
    for row in rows:
        firsts.setdefault(row.recipient, row.id)
    if not firsts:
        return {}
    params = {}
    for i, (recipient, first) in enumerate(firsts.items()):
        params[f"r{i}"], params[f"f{i}"] = recipient, first
    counts = session.execute(ahead_statement(len(firsts)), params).one()
    return dict(zip(firsts, counts, strict=True))


# A reply to a member whose queue is held back (its head, the oldest open row, is
# pending and not due for a while yet: paced, or backing off while the platform
# fails) is written parked instead of due: otherwise every claim round re-reads what
# was enqueued since the last one only to park it (a tenth of a worker's CPU when
# three dealers' replies queue behind WeCom's 30 a minute). Behind a head that may
# go any moment (due, being sent, or due within HELD_S) the reply is written due and
# the claim decides, as before. What delivers it is still the release chain
# (chat.outbox's ``_release_next``). On PostgreSQL a release can miss it only if its
# queue moves up to it before its command commits: a command still open HELD_S after
# its reply, or a backing-off head sent early (its ``_probe``, ``_back_up``); the
# reply then waits for its backstop. (On SQLite the command's write lock keeps the
# deliverer out until it commits.)
HELD_S = 5
_HELD = (f"(SELECT head.status = '{OutboxStatus.PENDING.value}' AND head.next_attempt_at > :held_until "
         f"FROM outbox head WHERE head.recipient = :recipient AND head.{OPEN_OUTBOX} ORDER BY head.id LIMIT 1)")
# A reply's place in its recipient's queue: one more than the newest open row's, 0
# for an empty queue (an index probe, backwards). The rows ahead of a row are its place
# less its head's, with no count (migration 0022).
_NEWEST = (f"FROM outbox tail WHERE tail.recipient = :recipient AND tail.{OPEN_OUTBOX} "
           "ORDER BY tail.id DESC LIMIT 1")
_PLACE = f"COALESCE((SELECT tail.queue_pos + 1 {_NEWEST}), 0)"
# Behind a held-back queue, on PostgreSQL, a reply is parked where a claim would park it
# (chat.outbox's ``_park``): PARK_S past its head's time, plus the windows the pacing
# needs for the rows ahead of it (``pacing.windows_s``: on WeCom 60 s for every 30),
# counted up to AHEAD_CAP. So no claim reads a reply in a deep queue only to park it
# again (a seventh of the workers' time in the e2e benchmark, whose three dealers'
# queues grow thousands deep), and a release the chain missed costs PARK_S past the
# earliest the queue could reach the reply, as a claim's parking does. A head or newest
# row without a place (written before migration 0022): PARK_S from now, as before; so
# on SQLite (one process, for a demo), whose timestamps are text. Places out of step
# (a queue emptied while another reply to it was being written) mostly count short:
# an earlier backstop, read once by a claim and parked again.
_ROWS_AHEAD = "(tail.queue_pos + 1 - head.queue_pos)"
_CAPPED = f"({_ROWS_AHEAD} - GREATEST({_ROWS_AHEAD} - :ahead_cap, 0))"     # LEAST would drop a NULL
# Unpaced (no count): no windows, or NULL without a place, like the rest.
_WINDOWS = (f"(SELECT max(CASE WHEN p.c > 0 THEN ({_CAPPED} / p.c) * p.w ELSE {_CAPPED} * 0 END) "
            "FROM unnest(CAST(:pace_counts AS integer[]), CAST(:pace_windows AS integer[])) AS p(c, w))")
_BY_DEPTH = ("COALESCE((SELECT head.next_attempt_at + (:park_s + " + _WINDOWS + ") * interval '1 second' "
             f"FROM (SELECT next_attempt_at, queue_pos FROM outbox WHERE recipient = :recipient AND {OPEN_OUTBOX} "
             f"ORDER BY id LIMIT 1) head, (SELECT tail.queue_pos {_NEWEST}) tail), :parked_until)")


def _enqueue_statement(parked: str):
    return insert_or_nothing(OutboxMessage.__table__, ("platform", "idem_key", "recipient", "payload", "status",
                                                       "attempts", "next_attempt_at", "queue_pos", "created_at"),
                             ("idem_key",),
                             computed={"next_attempt_at": f"CASE WHEN {_HELD} THEN {parked} "
                                                          "ELSE :next_attempt_at END",
                                       "queue_pos": _PLACE},
                             binds={"held_until": "next_attempt_at", "parked_until": "next_attempt_at"})


ENQUEUE = _enqueue_statement(_BY_DEPTH)              # PostgreSQL
ENQUEUE_PLAIN = _enqueue_statement(":parked_until")  # SQLite
