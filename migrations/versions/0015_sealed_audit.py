"""audit trail without a global lock: events are appended unchained (seq, hash
and batch are set when sealed) and sealed later into hash-linked batches
(audit_batches: Merkle root, previous batch's hash); audit_head goes.

The events of the old chain keep their seq, their chained hash and their
prev_hash (evidence already exported still matches); the chain is checked
first — the migration stops, naming the first bad event, rather than seal a
chain that was tampered with — then sealed into batches of 1,000 by seq.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 06:00:00
"""
import os
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import models.base

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

LEGACY_BATCH = 1000

events_t = sa.table(
    'audit_events', sa.column('id', sa.Integer), sa.column('seq', sa.Integer), sa.column('batch', sa.Integer),
    sa.column('at', models.base.UTCDateTime(timezone=True)), sa.column('actor', sa.String),
    sa.column('action', sa.String), sa.column('entity_type', sa.String), sa.column('entity_id', sa.String),
    sa.column('before', sa.JSON), sa.column('after', sa.JSON), sa.column('verdicts', sa.JSON),
    sa.column('prev_hash', sa.String), sa.column('hash', sa.String))
batches_t = sa.table(
    'audit_batches', sa.column('number', sa.Integer), sa.column('first_seq', sa.Integer),
    sa.column('last_seq', sa.Integer), sa.column('event_ids', sa.JSON), sa.column('root', sa.String),
    sa.column('prev_hash', sa.String), sa.column('hash', sa.String), sa.column('keyed', sa.Boolean),
    sa.column('sealed_at', models.base.UTCDateTime(timezone=True)))
head_t = sa.table('audit_head', sa.column('id', sa.Integer), sa.column('seq', sa.Integer),
                  sa.column('last_hash', sa.String))


def _event_rows(bind, where=None):
    q = sa.select(events_t).order_by(events_t.c.seq)
    if where is not None:
        q = q.where(where)
    return bind.execute(q).mappings()


def upgrade() -> None:
    from chat.audit import GENESIS, batch_hash, legacy_hash, merkle_root

    op.create_table(
        'audit_batches',
        sa.Column('number', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('first_seq', sa.Integer(), nullable=False),
        sa.Column('last_seq', sa.Integer(), nullable=False),
        sa.Column('event_ids', sa.JSON(), nullable=False),
        sa.Column('root', sa.String(length=64), nullable=False),
        sa.Column('prev_hash', sa.String(length=64), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.Column('keyed', sa.Boolean(), nullable=False),
        sa.Column('sealed_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('number', name=op.f('pk_audit_batches')),
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('batch', sa.Integer(), nullable=True))
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=True)
    op.create_index('ix_audit_events_unsealed', 'audit_events', ['id'], unique=False,
                    sqlite_where=sa.text('seq IS NULL'), postgresql_where=sa.text('seq IS NULL'))

    bind = op.get_bind()
    # The old chain, checked by its own rule before anything is sealed.
    head = bind.execute(sa.select(head_t.c.seq, head_t.c.last_hash).where(head_t.c.id == 1)).first()
    prev, expected = GENESIS, 1
    ids: list[int] = []
    leaves: list[str] = []
    for ev in _event_rows(bind):
        if ev['seq'] != expected:
            raise RuntimeError(f"audit chain broken before migration 0015: seq {expected} is missing "
                               f"(next is {ev['seq']}); restore it before upgrading")
        want = legacy_hash(ev['prev_hash'], ev['seq'], ev['at'], ev['actor'], ev['action'], ev['entity_type'],
                           ev['entity_id'], ev['before'], ev['after'], ev['verdicts'])
        if ev['prev_hash'] != prev or want != ev['hash']:
            raise RuntimeError(f"audit chain broken before migration 0015 at seq {ev['seq']} (event {ev['id']}): "
                               f"run `python -m bot audit-verify` on the old version")
        ids.append(ev['id'])
        leaves.append(ev['hash'])
        prev, expected = ev['hash'], expected + 1
    if head is not None and (head.seq != expected - 1 or head.last_hash != prev):
        raise RuntimeError(f"audit chain broken before migration 0015: its head is at seq {head.seq}, "
                           f"the last event at seq {expected - 1} (events after it were removed)")

    key = os.environ.get('QUDAO_AUDIT_KEY') or None
    key_bytes = key.encode('utf-8') if key else None
    sealed_at = datetime.now(UTC).replace(microsecond=0)
    batch_prev = GENESIS
    for number, start in enumerate(range(0, len(ids), LEGACY_BATCH), start=1):
        chunk_ids, chunk_leaves = ids[start:start + LEGACY_BATCH], leaves[start:start + LEGACY_BATCH]
        first, last = start + 1, start + len(chunk_ids)
        root = merkle_root(chunk_leaves)
        digest = batch_hash(number, first, last, chunk_ids, root, batch_prev, sealed_at, key_bytes)
        bind.execute(batches_t.insert().values(number=number, first_seq=first, last_seq=last, event_ids=chunk_ids,
                                               root=root, prev_hash=batch_prev, hash=digest,
                                               keyed=key_bytes is not None, sealed_at=sealed_at))
        bind.execute(events_t.update().where(events_t.c.seq.between(first, last)).values(batch=number))
        batch_prev = digest
    op.drop_table('audit_head')


def downgrade() -> None:
    from chat.audit import GENESIS, legacy_hash

    op.create_table(
        'audit_head',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('last_hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head')),
    )
    bind = op.get_bind()
    # Back to one chain: sealed events in seq order, then the unsealed ones by id;
    # events chained before 0015 keep their hashes, the others are chained now.
    rows = list(_event_rows(bind, events_t.c.seq.isnot(None))) + list(bind.execute(
        sa.select(events_t).where(events_t.c.seq.is_(None)).order_by(events_t.c.id)).mappings())
    prev, keep, moved = GENESIS, True, set()
    for seq, ev in enumerate(rows, start=1):
        keep = keep and ev['prev_hash'] == prev and ev['seq'] == seq
        if keep:
            prev = ev['hash']
            continue
        digest = legacy_hash(prev, seq, ev['at'], ev['actor'], ev['action'], ev['entity_type'], ev['entity_id'],
                             ev['before'], ev['after'], ev['verdicts'])
        bind.execute(events_t.update().where(events_t.c.id == ev['id'])
                     .values(seq=-ev['id'], prev_hash=prev, hash=digest))     # placeholder: seq is unique
        prev = digest
        moved.add(ev['id'])
    for seq, ev in enumerate(rows, start=1):
        if ev['id'] in moved:
            bind.execute(events_t.update().where(events_t.c.id == ev['id']).values(seq=seq))
    bind.execute(head_t.insert().values(id=1, seq=len(rows), last_hash=prev))
    op.drop_index('ix_audit_events_unsealed', table_name='audit_events',
                  sqlite_where=sa.text('seq IS NULL'), postgresql_where=sa.text('seq IS NULL'))
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_column('batch')
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
    op.drop_table('audit_batches')
