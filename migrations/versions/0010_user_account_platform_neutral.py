"""users: the userid is the member's account on every platform the organisation
uses (unique on its own); users.platform is where they are reached, null
meaning the organisation's default platform

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 11:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint('uq_users_platform_external_id', type_='unique')
        batch_op.alter_column('platform', existing_type=sa.String(length=20), nullable=True)
        batch_op.create_unique_constraint(batch_op.f('uq_users_external_id'), ['external_id'])


def downgrade() -> None:
    op.execute("UPDATE users SET platform = 'wecom' WHERE platform IS NULL")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_external_id'), type_='unique')
        batch_op.alter_column('platform', existing_type=sa.String(length=20), nullable=False)
        batch_op.create_unique_constraint('uq_users_platform_external_id', ['platform', 'external_id'])
