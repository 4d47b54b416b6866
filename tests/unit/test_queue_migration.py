"""Migration 0019: a row being sent when it runs is due again when its lease ends
(its next_attempt_at becomes the lease end); the work-queue indexes replace the old ones,
and downgrading brings the old ones back."""
from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from models.db import alembic_config, make_engine


def _outbox_row(conn, key: str, status: str, next_attempt_at: str, lease_until: str | None) -> None:
    conn.execute(text("INSERT INTO outbox (platform, idem_key, recipient, payload, status, attempts, "
                      "next_attempt_at, lease_until, created_at) VALUES ('wecom', :k, 'dealer_bj_li', '{}', "
                      ":s, 1, :n, :l, '2026-12-06 08:00:00.000000')"),
                 {"k": key, "s": status, "n": next_attempt_at, "l": lease_until})


def test_sending_rows_become_due_at_their_lease_end_and_the_indexes_change(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/q.sqlite3")
    cfg = alembic_config(engine)
    command.upgrade(cfg, "0018")
    with engine.begin() as conn:
        _outbox_row(conn, "sending", "sending", "2026-12-06 08:00:00.000000", "2026-12-06 08:00:40.000000")
        _outbox_row(conn, "pending", "pending", "2026-12-06 08:00:05.000000", None)
    command.upgrade(cfg, "0019")
    with engine.connect() as conn:
        due = dict(conn.execute(text("SELECT idem_key, next_attempt_at FROM outbox")).all())
        indexes = {i["name"] for table in ("inbox", "outbox") for i in inspect(conn).get_indexes(table)}
    assert due == {"sending": "2026-12-06 08:00:40.000000", "pending": "2026-12-06 08:00:05.000000"}
    assert {"ix_inbox_new", "ix_inbox_new_key", "ix_outbox_due_open", "ix_outbox_open"} <= indexes
    assert not indexes & {"ix_inbox_status", "ix_inbox_key_id", "ix_outbox_due"}
    command.downgrade(cfg, "0018")
    with engine.connect() as conn:
        indexes = {i["name"] for table in ("inbox", "outbox") for i in inspect(conn).get_indexes(table)}
    assert {"ix_inbox_status", "ix_inbox_key_id", "ix_outbox_due"} <= indexes
    assert not indexes & {"ix_inbox_new", "ix_inbox_new_key", "ix_outbox_due_open", "ix_outbox_open"}
    engine.dispose()
