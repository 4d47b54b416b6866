"""the outbox's queue places: each row's place in its recipient's queue

A reply is written with one more than the place of its recipient's newest open row
(0 when it has none), so the open rows ahead of any row are its place less its
head's, read from two index probes instead of counted. The INSERT of a reply behind
a held-back queue uses it to park the reply where a claim would park it by its depth
(chat.outbox_queue.ENQUEUE), so no claim reads it only to park it again.

Rows written before this migration have no place: a reply whose queue's head or
newest row is one of them is parked PARK_S out, as before (its own place counts from
0), until they are gone.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 14:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('outbox', sa.Column('queue_pos', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.drop_column('queue_pos')
