"""outbox: ix_outbox_open, the open rows of each recipient in id order (a partial
index: pending and sending rows only), so a claim finds a row's head and a sent
row's successor in a few index pages however many rows wait behind it

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

OPEN = "status IN ('pending', 'sending')"


def upgrade() -> None:
    # Built without blocking the outbox on PostgreSQL (CONCURRENTLY may not run in a
    # transaction): workers go on sending while it is made.
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            op.create_index('ix_outbox_open', 'outbox', ['recipient', 'id'], unique=False,
                            postgresql_where=sa.text(OPEN), postgresql_concurrently=True)
    else:
        op.create_index('ix_outbox_open', 'outbox', ['recipient', 'id'], unique=False,
                        sqlite_where=sa.text(OPEN))


def downgrade() -> None:
    op.drop_index('ix_outbox_open', table_name='outbox')
