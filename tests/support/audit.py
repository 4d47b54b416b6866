"""The audit trail in tests: seal what was recorded, then verify all of it."""
from __future__ import annotations

from chat.audit import AuditReport, seal_all, verify


def sealed_and_intact(factory) -> AuditReport:
    """Seal every event recorded so far (what the scheduler does every few
    seconds), then verify: every event sealed, nothing wrong."""
    seal_all(factory)
    with factory() as s:
        report = verify(s)
    assert report.ok, report.problems
    assert report.unsealed == 0 and report.events > 0
    return report
