"""re-file stored customers under the matcher's key version 2 and its new index tokens

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 11:00:00

Lookups compute keys and tokens with the current matcher; customers filed by the
older one would be found only by the tiers that did not move. A data migration,
so that `serve` / `migrate` bring an existing database up to date by themselves
(minutes at a million customers: the analysis is Python). Empty databases pass
straight through.
"""
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    from handlers.customers.reindex import refile_in_migration
    refile_in_migration(op.get_bind())


def downgrade() -> None:
    # The old key version is gone with the old code; nothing to restore.
    pass
