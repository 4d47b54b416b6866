"""inbox: the replay key (a WeCom callback's timestamp and nonce, unique), checked
by the acknowledgement's INSERT instead of a separate nonce cache; the single-column
index on claim_key goes (ix_inbox_key_id starts with it)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replay_key', sa.String(length=100), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_inbox_replay_key'), ['replay_key'])
        batch_op.drop_index('ix_inbox_claim_key')


def downgrade() -> None:
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.create_index('ix_inbox_claim_key', ['claim_key'], unique=False)
        batch_op.drop_constraint(batch_op.f('uq_inbox_replay_key'), type_='unique')
        batch_op.drop_column('replay_key')
