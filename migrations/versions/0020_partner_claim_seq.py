"""a partner's registrations counted, and the customers of its last 64: the partner's
row lock taken last

- partners.claim_seq: bumped by every registration as its last statement (that UPDATE
  is the partner's row lock, held from there to the commit only);
- partner_recent_claims (partner_id, slot): the customer of the registration with
  claim number seq (and the known customer its name resembled), in slot seq % 64;
  a ring that never grows.

A registration reads its partner's claim number at its start; if the number moved by
the time it takes the lock, it reads here which customers those registrations claimed
(handlers/registration/partner_lock.py).

Upgrading: stop every worker of the code before this revision before a worker of
this one starts. The older code locks the partner first and never bumps the
number, so a first pass of this code could not see its registrations.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 02:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('partners') as batch:
        batch.add_column(sa.Column('claim_seq', sa.BigInteger(), nullable=False, server_default='0'))
    op.create_table(
        'partner_recent_claims',
        sa.Column('partner_id', sa.Integer(), nullable=False),
        sa.Column('slot', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('seq', sa.BigInteger(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('resembled_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name='fk_partner_recent_claims_partner_id_partners',
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('partner_id', 'slot', name='pk_partner_recent_claims'),
    )


def downgrade() -> None:
    op.drop_table('partner_recent_claims')
    with op.batch_alter_table('partners') as batch:
        batch.drop_column('claim_seq')
