"""card_refs: a sent card's platform handle (WeCom's response code) kept by the
chat core, no longer in approvals.response_code and orders.card_response_code

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 10:00:00
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

import models.base


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    refs = op.create_table(
        'card_refs',
        sa.Column('task_id', sa.String(length=128), nullable=False),
        sa.Column('platform', sa.String(length=20), nullable=False),
        sa.Column('recipient', sa.String(length=64), nullable=True),
        sa.Column('ref', sa.String(length=200), nullable=True),
        sa.Column('updated_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('task_id', name=op.f('pk_card_refs')),
    )
    conn = op.get_bind()
    now = datetime.now(timezone.utc)
    # Cards sent before this revision were all WeCom cards (the only platform then).
    rows = [{"task_id": t, "platform": "wecom", "ref": r, "updated_at": now} for t, r in conn.execute(sa.text(
        "SELECT task_id, response_code FROM approvals WHERE response_code IS NOT NULL"))]
    rows += [{"task_id": t, "platform": "wecom", "ref": r, "updated_at": now} for t, r in conn.execute(sa.text(
        "SELECT card_task_id, card_response_code FROM orders "
        "WHERE card_task_id IS NOT NULL AND card_response_code IS NOT NULL"))]
    if rows:
        op.bulk_insert(refs, rows)
    with op.batch_alter_table('approvals', schema=None) as batch_op:
        batch_op.drop_column('response_code')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('card_response_code')


def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('card_response_code', sa.String(length=200), nullable=True))
    with op.batch_alter_table('approvals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('response_code', sa.String(length=200), nullable=True))
    conn = op.get_bind()
    conn.execute(sa.text("UPDATE approvals SET response_code = (SELECT ref FROM card_refs "
                         "WHERE card_refs.task_id = approvals.task_id)"))
    conn.execute(sa.text("UPDATE orders SET card_response_code = (SELECT ref FROM card_refs "
                         "WHERE card_refs.task_id = orders.card_task_id)"))
    op.drop_table('card_refs')
