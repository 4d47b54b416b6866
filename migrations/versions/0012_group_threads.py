"""group threads: chat_groups (the group chats the bot is in, with their
configured members); approval_flows.origin_platform / origin_chat (the group a
request came from, where its approval lives); outbox and card_refs recipients
widened to hold "group:<chat id>" addresses

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 10:00:00
"""
from alembic import op
import sqlalchemy as sa

import models.base


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'chat_groups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('chat_id', sa.String(length=100), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('members', sa.JSON(), nullable=False),
        sa.Column('platform', sa.String(length=20), nullable=True),
        sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_groups')),
        sa.UniqueConstraint('chat_id', name=op.f('uq_chat_groups_chat_id')),
    )
    with op.batch_alter_table('approval_flows', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin_platform', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('origin_chat', sa.String(length=100), nullable=True))
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('recipient', existing_type=sa.String(length=64), type_=sa.String(length=128),
                              existing_nullable=False)
    with op.batch_alter_table('card_refs', schema=None) as batch_op:
        batch_op.alter_column('recipient', existing_type=sa.String(length=64), type_=sa.String(length=128),
                              existing_nullable=True)


def downgrade() -> None:
    with op.batch_alter_table('card_refs', schema=None) as batch_op:
        batch_op.alter_column('recipient', existing_type=sa.String(length=128), type_=sa.String(length=64),
                              existing_nullable=True)
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('recipient', existing_type=sa.String(length=128), type_=sa.String(length=64),
                              existing_nullable=False)
    with op.batch_alter_table('approval_flows', schema=None) as batch_op:
        batch_op.drop_column('origin_chat')
        batch_op.drop_column('origin_platform')
    op.drop_table('chat_groups')
