"""The rule store: a bad rule file never goes live; versions are shared by
every worker and bumped only by a change."""
from __future__ import annotations

import pytest

from domain.rules import RuleStore
from domain.rules.model import RuleError


@pytest.mark.parametrize("bad", [
    {"registration": {"conflict_scope": "everything"}},
    {"registration": {"protection_days": 0}},
    {"registration": {"tiering": {"approver": "ceo"}}},
    {"registration": {"unknown_region": "maybe"}},
    {"visits": {"suspicious_flags": ["LOOKS_ODD"]}},
    {"visits": {"service_area": {"south": 50, "west": 72, "north": 10, "east": 137}}},
    {"visits": {"service_area": {"south": "far", "west": 72, "north": 55, "east": 137}}},
    {"lifecycle": {"extension": {"count_suspicious_visits": "no"}}},
    {"approvals": {"remind_after": {"working_hours": 8}, "escalate_after": {"working_hours": 8}}},
    {"approvals": {"escalate_after": {"working_hours": 2}}},          # before the default 4-hour reminder
])
def test_bad_rule_files_never_go_live(app, bad):
    q = app.extensions["qudao"]
    store = RuleStore(q.clock)
    with q.factory() as s, s.begin():
        before = store.active(s).version
        with pytest.raises(RuleError):
            store.load_content(s, bad, source="test")
        assert store.active(s).version == before


def test_rule_versions_are_shared_and_only_bumped_by_a_change(app):
    q = app.extensions["qudao"]
    store, other_worker = RuleStore(q.clock), RuleStore(q.clock)
    with q.factory() as s, s.begin():
        v1 = store.active(s).version
        same = store.load_file(s, q.settings.rules_file)
        assert same.version == v1
        store.load_content(s, {"registration": {"protection_days": 30}}, source="test")
    with q.factory() as s:
        seen = other_worker.active(s)
        assert seen.version == v1 + 1 and seen.registration.protection_days == 30
