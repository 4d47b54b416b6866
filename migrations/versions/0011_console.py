"""the ops console: one-time sign-in links (hashed), application secrets (the
session key of the embedded default), import runs with their progress and
report, and candidate rule sets (drafts); customers' English names come with 0014

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 10:00:00
"""
from alembic import op
import sqlalchemy as sa

import models.base


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'console_login_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('used_at', models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_console_login_links_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_console_login_links')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_console_login_links_token_hash')),
    )
    op.create_index(op.f('ix_console_login_links_user_id'), 'console_login_links', ['user_id'])
    op.create_table(
        'app_secrets',
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('value', sa.String(length=200), nullable=False),
        sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_app_secrets')),
    )
    op.create_table(
        'import_jobs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('sheet', sa.String(length=100), nullable=True),
        sa.Column('blob_id', sa.Integer(), nullable=False),
        sa.Column('dry_run', sa.Boolean(), nullable=False),
        sa.Column('checked_by_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('phase', sa.String(length=10), nullable=True),
        sa.Column('rows_done', sa.Integer(), nullable=False),
        sa.Column('rows_estimate', sa.Integer(), nullable=True),
        sa.Column('report', sa.JSON(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('started_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('finished_at', models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['blob_id'], ['media_blobs.id'], name=op.f('fk_import_jobs_blob_id_media_blobs')),
        sa.ForeignKeyConstraint(['checked_by_id'], ['import_jobs.id'],
                                name=op.f('fk_import_jobs_checked_by_id_import_jobs')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_jobs')),
    )
    op.create_table(
        'rule_drafts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('yaml_text', sa.Text(), nullable=False),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.Column('base_version', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('decided_by', sa.String(length=64), nullable=True),
        sa.Column('decided_at', models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('activated_version', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rule_drafts')),
    )


def downgrade() -> None:
    op.drop_table('rule_drafts')
    op.drop_table('import_jobs')
    op.drop_table('app_secrets')
    op.drop_index(op.f('ix_console_login_links_user_id'), table_name='console_login_links')
    op.drop_table('console_login_links')
