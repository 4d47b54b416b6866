"""customers.english_name; registrations keep the words after their fields
(note), the other spellings a partner sent of a lookalike claim (other_names)
and the contest that decides it; customer_contests (every claim on names that
resemble one customer, on one card); stored customers re-filed under the
matcher's key version 3 (how a name sounds, for Latin and pinyin names; short
bodies anywhere; English names)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 10:00:00
"""
from alembic import op
import sqlalchemy as sa

import models.base


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('english_name', sa.String(length=200), nullable=True))
    op.create_table(
        'customer_contests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=32), nullable=True),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('submitter_id', sa.Integer(), nullable=False),
        sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('decided_at', models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'],
                                name=op.f('fk_customer_contests_customer_id_customers')),
        sa.ForeignKeyConstraint(['submitter_id'], ['users.id'], name=op.f('fk_customer_contests_submitter_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_contests')),
        sa.UniqueConstraint('number', name=op.f('uq_customer_contests_number')),
    )
    with op.batch_alter_table('customer_contests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_contests_customer_id'), ['customer_id'], unique=False)
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('contest_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('other_names', sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f('ix_registrations_contest_id'), ['contest_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_registrations_contest_id_customer_contests'),
                                    'customer_contests', ['contest_id'], ['id'])

    from handlers.customers.reindex import refile_in_migration
    refile_in_migration(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_registrations_contest_id_customer_contests'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_registrations_contest_id'))
        batch_op.drop_column('other_names')
        batch_op.drop_column('contest_id')
        batch_op.drop_column('note')
    with op.batch_alter_table('customer_contests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_contests_customer_id'))
    op.drop_table('customer_contests')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_column('english_name')
    # The tokens stay those of key version 3: a lookup with the older code still
    # reads its own tiers; re-file with that code if it must find sounds again.
