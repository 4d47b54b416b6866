"""Append-only, tamper-evident audit trail, without a global lock.

Recording: ``record`` is one INSERT of the event, in the command's own
transaction. No shared row is touched, so the commands of every worker and
host append at the same time and never wait for one another.

Sealing: ``seal_all`` (the lease-holding scheduler runs it every few seconds;
the console and ``audit-verify --seal`` call it on demand) takes the committed
events that are not sealed yet, by id, and gives each its place in the log
(``seq``, gap-free) and the hash of its content; the batch gets a row with
the Merkle root of those hashes (RFC 6962 tree), the ids in order, and the
hash of the batch before it, and its own hash over all of that — a chain of
signed tree heads, HMAC-keyed with ``QUDAO_AUDIT_KEY`` when one is set. The
sealer reads only what is committed and never keeps an id watermark: an event
whose transaction commits late, after events with higher ids were sealed, is
simply sealed in the next batch; nothing is skipped and nothing sealed twice.
Sealers exclude one another (a PostgreSQL advisory lock; SQLite's write
lock), and a sealing that still collides (same batch number, same seq) fails
on the unique keys and is retried.

Verifying: ``verify`` recomputes everything and names what is wrong, event
by event: content changed, missing, inserted, out of order, batch root
mismatch, batch altered, batch link broken (and: keyed batches need the key).
Events not sealed yet are counted, not errors.

Events chained before migration 0015 keep their seq and their chained hash
(``prev_hash`` is set on them); the migration checked that chain and sealed
them into batches, and ``verify`` checks them by the chain's own rule.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from models import AuditBatch, AuditEvent
from models.db import add_inserted

log = logging.getLogger(__name__)

GENESIS = "0" * 64
BATCH_MAX = 1000                  # events per batch at most
SEAL_LOCK_ID = 7_274_237          # PostgreSQL advisory lock the sealers agree on
MAX_PROBLEMS = 100                # verify stops listing after this many


# ---- hashing -------------------------------------------------------------------------------------

def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _utc_iso(at: datetime) -> str:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


def legacy_hash(prev_hash: str, seq: int, at: datetime, actor: str, action: str, entity_type: str,
                entity_id: str, before, after, verdicts) -> str:
    """The hash of an event of the chain before migration 0015 (covers the previous event's hash)."""
    body = _canonical([prev_hash, seq, _utc_iso(at), actor, action, entity_type, entity_id,
                       before, after, verdicts])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def content_hash(ev: AuditEvent) -> str:
    """The hash of an event as recorded: its id and everything it says. Its place
    (seq) is bound by the batch's Merkle tree, not by the leaf."""
    body = _canonical(["qudao.audit/2", ev.id, _utc_iso(ev.at), ev.actor, ev.action, ev.entity_type,
                       ev.entity_id, ev.before, ev.after, ev.verdicts])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def leaf_hash(ev: AuditEvent) -> str:
    """What an event's ``hash`` must be: the chained rule for events of the old chain."""
    if ev.prev_hash is not None:
        return legacy_hash(ev.prev_hash, ev.seq, ev.at, ev.actor, ev.action, ev.entity_type, ev.entity_id,
                           ev.before, ev.after, ev.verdicts)
    return content_hash(ev)


def merkle_root(leaves: list[str]) -> str:
    """RFC 6962 Merkle tree hash over hex leaf hashes (0x00 leaf prefix, 0x01 node prefix)."""
    if not leaves:
        return hashlib.sha256(b"").hexdigest()
    return _tree([hashlib.sha256(b"\x00" + bytes.fromhex(h)).digest() for h in leaves]).hex()


def _tree(nodes: list[bytes]) -> bytes:
    if len(nodes) == 1:
        return nodes[0]
    split = 1 << ((len(nodes) - 1).bit_length() - 1)       # the largest power of two below len
    return hashlib.sha256(b"\x01" + _tree(nodes[:split]) + _tree(nodes[split:])).digest()


def batch_hash(number: int, first_seq: int, last_seq: int, event_ids: list[int], root: str, prev_hash: str,
               sealed_at: datetime, key: bytes | None) -> str:
    body = _canonical(["qudao.audit.batch/1", number, first_seq, last_seq, event_ids, root, prev_hash,
                       _utc_iso(sealed_at)]).encode("utf-8")
    if key:
        return hmac.new(key, body, hashlib.sha256).hexdigest()
    return hashlib.sha256(body).hexdigest()


def _key(key: bytes | str | None) -> bytes | None:
    return key.encode("utf-8") if isinstance(key, str) else (key or None)


# ---- recording -----------------------------------------------------------------------------------

def record(session: Session, *, at: datetime, actor: str, action: str, entity_type: str,
           entity_id: Any, before: dict | None = None, after: dict | None = None,
           verdicts: list | None = None) -> AuditEvent:
    """Append an event: one plain INSERT now (models.db.add_inserted: a command's
    event costs no unit-of-work flush), nothing else read, no row shared with anyone."""
    # JSON round trip: what is stored is plain JSON (dates and decimals as text),
    # so what the sealer hashes is exactly what the database hands back.
    before, after, verdicts = (json.loads(_canonical(v)) if v is not None else None
                               for v in (before, after, verdicts))
    ev = AuditEvent(at=at, actor=actor, action=action, entity_type=entity_type, entity_id=str(entity_id),
                    before=before, after=after, verdicts=verdicts)
    add_inserted(session, ev)
    return ev


# ---- sealing -------------------------------------------------------------------------------------

@dataclass
class SealResult:
    batches: list[int] = field(default_factory=list)
    events: int = 0

    def as_dict(self) -> dict:
        return {"batches": len(self.batches), "events": self.events}


class _Collision(Exception):
    """Another sealer sealed some of the same events first."""


def seal_all(factory: sessionmaker[Session], *, key: bytes | str | None = None, batch_max: int = BATCH_MAX,
             now: Callable[[], datetime] | None = None, attempts: int = 5) -> SealResult:
    """Seal every committed unsealed event, in batches of at most ``batch_max``."""
    result, failures = SealResult(), 0
    while True:
        try:
            with factory() as s, s.begin():
                sealed = _seal_batch(s, _key(key), batch_max, now)
        except (IntegrityError, OperationalError, _Collision) as exc:
            failures += 1
            if failures >= attempts:
                raise
            log.info("audit sealing collided with another sealer (%s); again", type(exc).__name__)
            time.sleep(0.05 * failures)
            continue
        if sealed is None:
            return result
        number, count = sealed
        result.batches.append(number)
        result.events += count


def _seal_batch(s: Session, key: bytes | None, batch_max: int,
                now: Callable[[], datetime] | None) -> tuple[int, int] | None:
    if s.get_bind().dialect.name == "postgresql":
        # One sealer at a time; the next one waits, then sees this one's batch.
        s.execute(select(func.pg_advisory_xact_lock(SEAL_LOCK_ID)))
    events = list(s.execute(select(AuditEvent).where(AuditEvent.seq.is_(None), AuditEvent.batch.is_(None))
                            .order_by(AuditEvent.id).limit(batch_max)).scalars())
    if not events:
        return None
    last = s.execute(select(AuditBatch).order_by(AuditBatch.number.desc()).limit(1)).scalar_one_or_none()
    number = last.number + 1 if last else 1
    first_seq = last.last_seq + 1 if last else 1
    prev = last.hash if last else GENESIS
    leaves = [content_hash(ev) for ev in events]
    table = AuditEvent.__table__
    s.connection().execute(
        table.update().where(table.c.id == bindparam("e_id"), table.c.seq.is_(None))
        .values(seq=bindparam("e_seq"), batch=bindparam("e_batch"), hash=bindparam("e_hash")),
        [{"e_id": ev.id, "e_seq": first_seq + i, "e_batch": number, "e_hash": leaf}
         for i, (ev, leaf) in enumerate(zip(events, leaves))])
    last_seq = first_seq + len(events) - 1
    took = s.execute(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.seq.between(first_seq, last_seq), AuditEvent.batch == number)).scalar()
    if took != len(events):
        raise _Collision(f"batch {number}: {took} of {len(events)} events")
    ids = [ev.id for ev in events]
    root = merkle_root(leaves)
    sealed_at = (now() if now else datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    s.add(AuditBatch(number=number, first_seq=first_seq, last_seq=last_seq, event_ids=ids, root=root,
                     prev_hash=prev, keyed=key is not None, sealed_at=sealed_at,
                     hash=batch_hash(number, first_seq, last_seq, ids, root, prev, sealed_at, key)))
    s.flush()
    return number, len(events)


# ---- verifying -----------------------------------------------------------------------------------

CONTENT_CHANGED = "content_changed"
MISSING = "missing"
INSERTED = "inserted"
OUT_OF_ORDER = "out_of_order"
ROOT_MISMATCH = "batch_root_mismatch"
BATCH_ALTERED = "batch_altered"
LINK_BROKEN = "batch_link_broken"
KEY_NEEDED = "key_needed"

PROBLEM_WORDS = {
    CONTENT_CHANGED: ("内容被改动", "content changed"),
    MISSING: ("缺失（被删除）", "missing"),
    INSERTED: ("被插入", "inserted"),
    OUT_OF_ORDER: ("顺序被改动", "out of order"),
    ROOT_MISMATCH: ("批次默克尔根不符", "batch root mismatch"),
    BATCH_ALTERED: ("批次记录被改动", "batch record altered"),
    LINK_BROKEN: ("批次链接断开", "batch link broken"),
    KEY_NEEDED: ("需要审计密钥才能校验", "needs QUDAO_AUDIT_KEY to be checked"),
}


@dataclass
class Problem:
    kind: str
    detail: str
    seq: int | None = None
    event_id: int | None = None
    batch: int | None = None

    @property
    def words(self) -> tuple[str, str]:
        return PROBLEM_WORDS[self.kind]


@dataclass
class AuditReport:
    ok: bool
    events: int                       # sealed events checked
    batches: int
    unsealed: int                     # recorded, not sealed yet (not an error)
    head: dict | None = None          # the last batch: number, last_seq, hash
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def first_bad(self) -> Problem | None:
        return self.problems[0] if self.problems else None

    @property
    def first_bad_seq(self) -> int | None:
        return self.first_bad.seq if self.first_bad else None

    @property
    def problem(self) -> str | None:
        return self.first_bad.detail if self.first_bad else None

    def as_dict(self) -> dict:
        out = {"ok": self.ok, "events": self.events, "batches": self.batches, "unsealed": self.unsealed,
               "head": self.head, "first_bad": asdict(self.first_bad) if self.first_bad else None,
               "problems": [asdict(p) for p in self.problems]}
        if self.notes:
            out["notes"] = self.notes
        return out


def verify(session: Session, key: bytes | str | None = None) -> AuditReport:
    """Check every batch and every sealed event; name each problem found."""
    key = _key(key)
    problems: list[Problem] = []
    notes: list[str] = []
    prev: AuditBatch | None = None
    events = batches = 0
    keyed_seen = False
    last_hash: str | None = GENESIS          # the hash of the event before, for the old chain's links
    for b in session.execute(select(AuditBatch).order_by(AuditBatch.number)).scalars():
        batches += 1
        _check_batch(b, prev, key, keyed_seen, problems, notes)
        keyed_seen = keyed_seen or b.keyed
        checked, last_hash = _check_events(session, b, last_hash, problems)
        events += checked
        prev = b
        if len(problems) >= MAX_PROBLEMS:
            break
    else:
        beyond = prev.last_seq if prev else 0
        for ev in session.execute(select(AuditEvent).where(AuditEvent.seq > beyond).order_by(AuditEvent.seq)
                                  .limit(MAX_PROBLEMS)).scalars():
            problems.append(Problem(INSERTED, f"event {ev.id} claims seq {ev.seq}, after the last sealed batch",
                                    ev.seq, ev.id, ev.batch))
    unsealed = session.execute(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.seq.is_(None), AuditEvent.batch.is_(None))).scalar()
    head = {"batch": prev.number, "last_seq": prev.last_seq, "hash": prev.hash} if prev else None
    return AuditReport(not problems, events, batches, unsealed, head, problems[:MAX_PROBLEMS], notes)


def _check_batch(b: AuditBatch, prev: AuditBatch | None, key: bytes | None, keyed_seen: bool,
                 problems: list[Problem], notes: list[str]) -> None:
    want_number = prev.number + 1 if prev else 1
    want_first = prev.last_seq + 1 if prev else 1
    want_prev = prev.hash if prev else GENESIS
    if b.number != want_number:
        problems.append(Problem(LINK_BROKEN, f"batch {b.number} follows batch {want_number - 1}: "
                                f"a batch was removed or inserted", b.first_seq, None, b.number))
    elif b.prev_hash != want_prev:
        problems.append(Problem(LINK_BROKEN, f"batch {b.number} does not link to the hash of batch "
                                f"{want_number - 1}", b.first_seq, None, b.number))
    elif b.first_seq != want_first:
        problems.append(Problem(LINK_BROKEN, f"batch {b.number} starts at seq {b.first_seq}, "
                                f"not {want_first}", b.first_seq, None, b.number))
    if len(b.event_ids) != b.last_seq - b.first_seq + 1:
        problems.append(Problem(BATCH_ALTERED, f"batch {b.number} lists {len(b.event_ids)} events for seq "
                                f"{b.first_seq}–{b.last_seq}", b.first_seq, None, b.number))
    if b.keyed and key is None:
        # Not provable either way without the key (a forger could mark a batch keyed
        # to dodge the check): not ok, said once; the links are still checked.
        if not notes:
            notes.append("batches sealed with QUDAO_AUDIT_KEY: set it to check their hashes")
            problems.append(Problem(KEY_NEEDED, f"batch {b.number} and later keyed batches are HMAC-keyed; "
                                    f"set QUDAO_AUDIT_KEY to check them", b.first_seq, None, b.number))
        return
    if not b.keyed and key is not None and keyed_seen:
        problems.append(Problem(BATCH_ALTERED, f"batch {b.number} is not keyed, though batches before it are",
                                b.first_seq, None, b.number))
        return
    want = batch_hash(b.number, b.first_seq, b.last_seq, list(b.event_ids), b.root, b.prev_hash, b.sealed_at,
                      key if b.keyed else None)
    if not hmac.compare_digest(want, b.hash):
        problems.append(Problem(BATCH_ALTERED, f"batch {b.number}'s record does not match its hash",
                                b.first_seq, None, b.number))


def _check_events(s: Session, b: AuditBatch, last_hash: str | None,
                  problems: list[Problem]) -> tuple[int, str | None]:
    """The events of one batch against what it sealed; returns (events checked, last event's hash)."""
    found = {ev.seq: ev for ev in s.execute(select(AuditEvent).where(
        AuditEvent.seq.between(b.first_seq, b.last_seq))).scalars()}
    place = {eid: i for i, eid in enumerate(b.event_ids)}
    leaves: list[str] = []
    whole = True
    for i, eid in enumerate(b.event_ids):
        seq = b.first_seq + i
        ev = found.get(seq)
        if ev is None:
            whole, last_hash = False, None
            moved = s.get(AuditEvent, eid)
            if moved is None:
                problems.append(Problem(MISSING, f"event {eid} (seq {seq}, batch {b.number}) is missing",
                                        seq, eid, b.number))
            else:
                where = f"seq {moved.seq}" if moved.seq is not None else "no seq (marked unsealed)"
                problems.append(Problem(OUT_OF_ORDER, f"event {eid} was sealed at seq {seq}, now has {where}",
                                        seq, eid, b.number))
            continue
        if ev.id != eid:
            whole, last_hash = False, None
            if ev.id in place:
                problems.append(Problem(OUT_OF_ORDER, f"event {ev.id} was sealed at seq "
                                        f"{b.first_seq + place[ev.id]}, found at seq {seq}", seq, ev.id, b.number))
            else:
                problems.append(Problem(INSERTED, f"event {ev.id} at seq {seq} was not sealed in batch {b.number}",
                                        seq, ev.id, b.number))
            continue
        if ev.batch != b.number:
            problems.append(Problem(OUT_OF_ORDER, f"event {eid} (seq {seq}) names batch {ev.batch}, sealed in "
                                    f"batch {b.number}", seq, eid, b.number))
        leaf = leaf_hash(ev)
        if ev.hash is None or not hmac.compare_digest(leaf, ev.hash):
            whole = False
            problems.append(Problem(CONTENT_CHANGED, f"event {eid} (seq {seq}): its content does not match its "
                                    f"hash", seq, eid, b.number))
        elif ev.prev_hash is not None and last_hash is not None and ev.prev_hash != last_hash:
            whole = False
            problems.append(Problem(CONTENT_CHANGED, f"event {eid} (seq {seq}): its chain link does not match "
                                    f"the event before", seq, eid, b.number))
        leaves.append(leaf)
        last_hash = ev.hash
    if whole and merkle_root(leaves) != b.root:
        problems.append(Problem(ROOT_MISMATCH, f"batch {b.number} (seq {b.first_seq}–{b.last_seq}): its events "
                                f"do not give its Merkle root (an event was re-hashed after sealing)",
                                b.first_seq, None, b.number))
    return len(found), last_hash
