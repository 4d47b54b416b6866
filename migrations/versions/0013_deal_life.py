"""a registration's life: its stage, follow-ups (registration_follow_ups),
recall and cool-down times, won/lost, a joint partner, a key account and the
partner's share; orders.registration_id (the deal an order fills);
partners.direct (the direct team); appeals and their photos; media_blobs
.content_type wide enough for a workbook's type

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 03:46:55.674717
"""
from alembic import op
import sqlalchemy as sa
import models.base


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('appeals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=True),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('holder_registration_id', sa.Integer(), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('grounds', sa.String(length=20), nullable=False),
    sa.Column('refused_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('decider_id', sa.Integer(), nullable=False),
    sa.Column('on_behalf_of_id', sa.Integer(), nullable=True),
    sa.Column('task_id', sa.String(length=128), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sa.String(length=500), nullable=True),
    sa.Column('share', sa.Numeric(precision=5, scale=4), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_appeals_customer_id_customers')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_appeals_decided_by_id_users')),
    sa.ForeignKeyConstraint(['decider_id'], ['users.id'], name=op.f('fk_appeals_decider_id_users')),
    sa.ForeignKeyConstraint(['holder_registration_id'], ['registrations.id'], name=op.f('fk_appeals_holder_registration_id_registrations')),
    sa.ForeignKeyConstraint(['on_behalf_of_id'], ['users.id'], name=op.f('fk_appeals_on_behalf_of_id_users')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_appeals_partner_id_partners')),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_appeals_registration_id_registrations')),
    sa.ForeignKeyConstraint(['requester_id'], ['users.id'], name=op.f('fk_appeals_requester_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appeals')),
    sa.UniqueConstraint('number', name=op.f('uq_appeals_number')),
    sa.UniqueConstraint('registration_id', name=op.f('uq_appeals_registration_id')),
    sa.UniqueConstraint('task_id', name=op.f('uq_appeals_task_id'))
    )
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appeals_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appeals_decider_id'), ['decider_id'], unique=False)

    op.create_table('appeal_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('appeal_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('media_id', sa.String(length=200), nullable=False),
    sa.Column('pic_url', sa.String(length=500), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lease_until', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('received_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('fetched_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('blob_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['appeal_id'], ['appeals.id'], name=op.f('fk_appeal_photos_appeal_id_appeals')),
    sa.ForeignKeyConstraint(['blob_id'], ['media_blobs.id'], name=op.f('fk_appeal_photos_blob_id_media_blobs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appeal_photos')),
    sa.UniqueConstraint('media_id', name=op.f('uq_appeal_photos_media_id'))
    )
    with op.batch_alter_table('appeal_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appeal_photos_appeal_id'), ['appeal_id'], unique=False)
        batch_op.create_index('ix_appeal_photos_due', ['status', 'next_attempt_at'], unique=False)

    op.create_table('registration_follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('stage_from', sa.String(length=20), nullable=True),
    sa.Column('stage_to', sa.String(length=20), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_registration_follow_ups_order_id_orders')),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_registration_follow_ups_registration_id_registrations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_registration_follow_ups_user_id_users')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_registration_follow_ups_visit_id_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_follow_ups'))
    )
    with op.batch_alter_table('registration_follow_ups', schema=None) as batch_op:
        batch_op.create_index('ix_registration_follow_ups_registration_at', ['registration_id', 'at'], unique=False)

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registration_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_orders_registration_id'), ['registration_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_orders_registration_id_registrations'), 'registrations', ['registration_id'], ['id'])

    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.add_column(sa.Column('direct', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('media_blobs', schema=None) as batch_op:
        batch_op.alter_column('content_type', existing_type=sa.String(length=60), type_=sa.String(length=120),
                              existing_nullable=False)

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('stage_at', models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_follow_up_at', models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('ended_at', models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('cooldown_told_at', models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('closed_at', models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('won_amount_yuan', sa.Numeric(precision=16, scale=2), nullable=True))
        batch_op.add_column(sa.Column('lost_reasons', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('lost_note', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('joint_partner_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('joint_status', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('joint_decided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('joint_decided_at', models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('joint_reason', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('key_account', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('partner_share', sa.Numeric(precision=5, scale=4), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_registrations_joint_partner_id_partners'), 'partners', ['joint_partner_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_registrations_joint_decided_by_id_users'), 'users', ['joint_decided_by_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_registrations_joint_decided_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_registrations_joint_partner_id_partners'), type_='foreignkey')
        batch_op.drop_column('partner_share')
        batch_op.drop_column('key_account')
        batch_op.drop_column('joint_reason')
        batch_op.drop_column('joint_decided_at')
        batch_op.drop_column('joint_decided_by_id')
        batch_op.drop_column('joint_status')
        batch_op.drop_column('joint_partner_id')
        batch_op.drop_column('lost_note')
        batch_op.drop_column('lost_reasons')
        batch_op.drop_column('won_amount_yuan')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('cooldown_told_at')
        batch_op.drop_column('ended_at')
        batch_op.drop_column('last_follow_up_at')
        batch_op.drop_column('stage_at')
        batch_op.drop_column('stage')

    with op.batch_alter_table('media_blobs', schema=None) as batch_op:
        batch_op.alter_column('content_type', existing_type=sa.String(length=120), type_=sa.String(length=60),
                              existing_nullable=False)

    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.drop_column('direct')

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_orders_registration_id_registrations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_orders_registration_id'))
        batch_op.drop_column('registration_id')

    with op.batch_alter_table('registration_follow_ups', schema=None) as batch_op:
        batch_op.drop_index('ix_registration_follow_ups_registration_at')

    op.drop_table('registration_follow_ups')
    with op.batch_alter_table('appeal_photos', schema=None) as batch_op:
        batch_op.drop_index('ix_appeal_photos_due')
        batch_op.drop_index(batch_op.f('ix_appeal_photos_appeal_id'))

    op.drop_table('appeal_photos')
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appeals_decider_id'))
        batch_op.drop_index(batch_op.f('ix_appeals_customer_id'))

    op.drop_table('appeals')
