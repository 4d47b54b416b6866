"""Alembic environment: runs against the engine handed over by models.db (or the URL)."""
from alembic import context
from sqlalchemy import create_engine

import models

config = context.config
target_metadata = models.Base.metadata


def _run(connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode rebuilds a table (copy, drop, rename); with foreign keys
        # enforced, dropping a table others refer to fails. The pragma only
        # works outside a transaction, so it goes to the driver directly.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    try:
        _configure_and_run(connection)
    finally:
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


def _configure_and_run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite can't ALTER most things
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:      # handed over with an advisory lock held (models.db)
        _run(connection)
        return
    engine = config.attributes.get("engine") or create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        _run(connection)


run_migrations_online()
