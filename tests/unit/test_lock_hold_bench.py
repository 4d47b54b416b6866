"""bench/scale/lock_hold.py's totals: a registration's hold runs from its partner's
lock to its COMMIT, its statements' round trips are counted in it, and work outside
a hold (another command, the delivery loop) is not."""
from __future__ import annotations

from bench.scale.lock_hold import LockHold


def _statement(hold: LockHold, sql: str) -> None:
    hold.before()
    hold.after(sql)


def test_a_hold_runs_from_the_partners_lock_to_the_commit():
    hold = LockHold()
    _statement(hold, "SELECT active_rules.rules_version FROM …")          # before the lock: not counted
    assert hold.committed() is False and hold.n == 0
    _statement(hold, "SELECT partners.id, partners.name FROM partners WHERE partners.id = 1 FOR UPDATE")
    _statement(hold, "INSERT INTO registrations (id) VALUES (1)")
    _statement(hold, "INSERT INTO outbox (platform) VALUES ('wecom')")
    assert hold.committed() is True
    _statement(hold, "SELECT outbox.id FROM outbox")                    # the delivery loop: no hold
    assert hold.committed() is False
    summary = hold.summary()
    assert summary["registrations"] == 1
    assert set(summary["statements"]) == {"INSERT INTO registrations (id) VALUES (1)",
                                          "INSERT INTO outbox (platform) VALUES ('wecom')"}
    assert all(s["count"] == 1 for s in summary["statements"].values())
    assert summary["wall_s"] >= summary["statements_s"] >= 0


def test_the_bump_of_the_claim_number_takes_the_lock_and_a_rollback_ends_a_hold_unrecorded():
    hold = LockHold()
    _statement(hold, "INSERT INTO registrations (id) VALUES (1)")            # a first run: no lock yet
    _statement(hold, "WITH bumped AS (UPDATE partners SET claim_seq = claim_seq + 1 WHERE id = 1 …")
    hold.rollback()                                                        # RunAgain: rolled back
    assert hold.n == 0 and hold.rolled_back == 1
    _statement(hold, "SELECT partners.id, partners.name FROM partners WHERE partners.id = 1 FOR NO KEY UPDATE")
    _statement(hold, "INSERT INTO registrations (id) VALUES (2)")
    _statement(hold, "WITH bumped AS (UPDATE partners SET claim_seq = claim_seq + 1 WHERE id = 1 …")  # inside
    assert hold.committed() is True
    summary = hold.summary()
    assert summary["registrations"] == 1 and summary["rolled_back"] == 1
    assert set(summary["statements"]) == {"INSERT INTO registrations (id) VALUES (2)",
                                          "WITH bumped AS (UPDATE partners SET claim_seq = "}
    assert summary["locking_s"] >= 0
    hold.rollback()                                                        # no hold open: nothing counted
    assert hold.summary()["rolled_back"] == 1
