"""inbox: claims by worker processes (a lease per claimed batch, a retry time
for failed commands) and the sequencer's watermark (inbox_cursor): rows up to
it are sequenced, i.e. their claim keys are set and every lower id is committed

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 06:00:00
"""
from alembic import op
import sqlalchemy as sa

import models.base


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('lease_until', models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('next_attempt_at', models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_inbox_key_id', ['claim_key', 'id'], unique=False)
    op.create_table(
        'inbox_cursor',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('upto', sa.BigInteger(), nullable=False),
        sa.Column('last_received_at', models.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_inbox_cursor')),
    )
    # Existing rows were ordered at accept time (their claim keys are set): they count as sequenced.
    op.execute("INSERT INTO inbox_cursor (name, upto) SELECT 'inbox', COALESCE(MAX(id), 0) FROM inbox")


def downgrade() -> None:
    op.drop_table('inbox_cursor')
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.drop_index('ix_inbox_key_id')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('lease_until')
        batch_op.drop_column('claimed_by')
