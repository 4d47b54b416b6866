"""registrations.free_notices_done_at: the lifecycle sweep stops re-checking an
expired registration once every partner refused on it was told it is free

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 17:00:00
"""
from alembic import op
import sqlalchemy as sa

import models.base


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('free_notices_done_at', models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('free_notices_done_at')
