"""the work queues as partial indexes: only the rows still to do are in them

- inbox: ix_inbox_new (id) and ix_inbox_new_key (claim_key, id), both WHERE status
  = 'new', replace ix_inbox_status (status) and ix_inbox_key_id (claim_key, id): a
  claim walks the new rows in id order and checks a customer's earlier claims
  without reading the done ones.
- outbox: ix_outbox_due_open (next_attempt_at, id) and ix_outbox_open (recipient,
  id), both WHERE status IN ('pending', 'sending'), replace ix_outbox_due (status,
  next_attempt_at). A sending row is due again when its lease ends, so its
  next_attempt_at is its lease end from now on (set here for rows sending now).

The indexes are built in the migration's transaction, not CONCURRENTLY: processes
starting together wait for the migrating one on an advisory lock (models.db), and a
concurrent build would wait for their snapshots while they wait for it. Writes to the
two tables wait for the build (one pass over each table; the new indexes hold only the
open rows).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 15:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

NEW = "status = 'new'"
OPEN = "status IN ('pending', 'sending')"
CREATED = (
    ('ix_inbox_new', 'inbox', ['id'], NEW),
    ('ix_inbox_new_key', 'inbox', ['claim_key', 'id'], NEW),
    ('ix_outbox_due_open', 'outbox', ['next_attempt_at', 'id'], OPEN),
    ('ix_outbox_open', 'outbox', ['recipient', 'id'], OPEN),
)
DROPPED = (
    ('ix_inbox_status', 'inbox', ['status']),
    ('ix_inbox_key_id', 'inbox', ['claim_key', 'id']),
    ('ix_outbox_due', 'outbox', ['status', 'next_attempt_at']),
)


def upgrade() -> None:
    op.execute("UPDATE outbox SET next_attempt_at = lease_until WHERE status = 'sending' AND lease_until IS NOT NULL")
    for name, table, columns, where in CREATED:
        op.create_index(name, table, columns, postgresql_where=sa.text(where), sqlite_where=sa.text(where))
    for name, table, _ in DROPPED:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for name, table, columns in DROPPED:
        op.create_index(name, table, columns)
    for name, table, _, _ in CREATED:
        op.drop_index(name, table_name=table)
