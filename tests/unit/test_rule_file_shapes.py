"""Rule files no one should write, refused with a rule error (the console shows it
in place) instead of hanging or failing the request: an alias bomb, nesting past
Python's recursion, keys that are no words, a date YAML reads but can't make, and
SLA waits longer than the working-hours calendar holds."""
from __future__ import annotations

import pytest
import yaml

from domain.rules.base import RuleError
from domain.rules.model import RuleSetData
from domain.rules.store import read_yaml

# Ten list levels of ten aliases each: 10^10 values once written out, from 430 bytes
# (it held a console request for minutes, and more with every level).
ALIAS_BOMB = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 10))


def test_an_alias_bomb_is_refused_before_it_expands():
    with pytest.raises(RuleError, match="100,000 values"):
        read_yaml(ALIAS_BOMB)


def test_anchors_aliases_and_merge_keys_still_read():
    content = read_yaml("base: &wh {start: '09:00', end: '18:00'}\n"
                        "visits:\n  working_hours:\n    <<: *wh\n    days: [1, 2, 3, 4, 5, 6]\n"
                        "approvals:\n  working_hours: *wh\n")
    assert content["visits"]["working_hours"] == {"start": "09:00", "end": "18:00", "days": [1, 2, 3, 4, 5, 6]}
    assert content["approvals"]["working_hours"] == {"start": "09:00", "end": "18:00"}


def test_number_keys_are_kept_as_the_stored_json_has_them():
    content = read_yaml("pricing:\n  tier_discounts: {1: 0.15, 2: 0.1}\n")
    assert content["pricing"]["tier_discounts"] == {"1": 0.15, "2": 0.1}


@pytest.mark.parametrize("text", ["{a: " * 5000, "[" * 5000, "registration:\n" + "  - " * 3000 + "x\n"])
def test_nesting_past_recursion_is_a_rule_error(text):
    with pytest.raises((RuleError, yaml.YAMLError)):
        read_yaml(text)


@pytest.mark.parametrize("text, key", [("approvals:\n  ~: x\n", "None"),
                                       ("approvals:\n  true: x\n", "True"), ("approvals:\n  .nan: x\n", "nan"),
                                       ("approvals:\n  2026-01-01: x\n", "2026")])
def test_a_key_that_is_no_word_is_named(text, key):
    with pytest.raises(RuleError) as err:
        read_yaml(text)
    assert "approvals" in str(err.value) and key in str(err.value)


def test_a_date_yaml_cannot_make_is_a_rule_error():
    with pytest.raises(RuleError, match="no real date"):
        read_yaml("approvals:\n  working_hours:\n    holidays: [2026-02-30]\n")


def test_quoted_dates_and_ordinary_files_read_as_before():
    content = read_yaml("approvals:\n  working_hours:\n    holidays: [2026-10-01, '2026-10-02']\n")
    assert content["approvals"]["working_hours"]["holidays"] == ["2026-10-01", "2026-10-02"]


@pytest.mark.parametrize("waits", [
    {"remind_after": {"working_hours": 500_000}, "escalate_after": {"working_hours": 1_000_000}},
    {"remind_after": {"hours": 4}, "escalate_after": {"working_hours": 900_000}},
])
def test_an_sla_wait_past_the_calendar_s_hundred_years_is_refused(waits):
    with pytest.raises(RuleError) as err:
        RuleSetData.from_dict(1, {"approvals": waits})
    assert "working hours" in str(err.value)


def test_a_long_but_possible_sla_wait_is_kept():
    rules = RuleSetData.from_dict(1, {"approvals": {"remind_after": {"working_hours": 100_000},
                                                    "escalate_after": {"working_hours": 200_000}}})
    assert rules.approvals.escalate_after.hours == 200_000


def test_a_broken_rules_file_at_start_leaves_the_stored_version_in_force(tmp_path, base_settings, clock):
    """The server and every `python -m bot` command load the rules file at start: a
    broken one must not stop them (nor `rules-load`, the way to mend it)."""
    from sqlalchemy import select

    from bot.app import prepare_database
    from models import RuleSet
    from models.db import make_engine, make_session_factory
    broken = tmp_path / "rules.yaml"
    broken.write_text("approvals:\n  ~: x\n", encoding="utf-8")
    engine = make_engine(f"sqlite:///{tmp_path}/rules.sqlite3")
    try:
        factory = make_session_factory(engine)
        with pytest.raises(RuleError):                  # nothing stored yet: nothing to run on
            prepare_database(engine, factory, clock, base_settings.with_(rules_file=broken))
        prepare_database(engine, factory, clock, base_settings)
        prepare_database(engine, factory, clock, base_settings.with_(rules_file=broken))
        with factory() as s:
            assert s.execute(select(RuleSet.version).where(RuleSet.active.is_(True))).scalars().all() == [1]
    finally:
        engine.dispose()


def test_a_lead_sla_in_working_hours_the_approvals_calendar_cannot_hold_is_refused():
    """Leads are timed on the approvals' working hours: 1,000,000 of them passed, then
    every 线索 failed at 'not enough working time'."""
    with pytest.raises(RuleError, match=r"leads\.sla"):
        RuleSetData.from_dict(1, {"leads": {"sla": {"working_hours": 1_000_000}}})
    assert RuleSetData.from_dict(1, {"leads": {"sla": {"working_hours": 48}}}).leads.sla.hours == 48


def test_a_working_calendar_of_listed_days_only_is_refused():
    """Once its last listed day has passed no wait on it ends: the approvals board and
    every lead failed."""
    with pytest.raises(RuleError, match="at least one weekday"):
        RuleSetData.from_dict(1, {"approvals": {"working_hours": {"days": [], "workdays": ["2026-01-05"]}}})


@pytest.mark.parametrize("start, end", [("0001-01-01", "2026-12-31"), ("2026-10-01", "9999-12-31")])
def test_a_rebate_program_at_the_edge_of_the_calendar_is_refused(start, end):
    """Year 1 or 9999 fell off what a date holds at midnight: every 我的返利 failed."""
    program = {"id": "P1", "start": start, "end": end, "tiers": [{"at": 1.0, "rate": 0.02}]}
    with pytest.raises(RuleError, match=r"2000\.\.2100"):
        RuleSetData.from_dict(1, {"rebates": {"programs": [program]}})


def test_a_version_stored_before_a_limit_was_added_is_still_read(tmp_path, clock):
    """A deployment whose active rules said protection_days: 99999 ("never") before
    periods were bounded to a century keeps running after the upgrade: the limits
    apply to new rules (the console's check, rules-load), not to what is stored."""
    from domain.rules.store import RuleStore
    from models import RuleSet
    from models.db import make_engine, make_session_factory, upgrade_schema
    engine = make_engine(f"sqlite:///{tmp_path}/stored.sqlite3")
    try:
        upgrade_schema(engine)
        factory = make_session_factory(engine)
        content = {"registration": {"protection_days": 99999}, "pipeline": {"cooldown_days": 40000},
                   "approvals": {"remind_after": {"working_hours": 500_000},
                                 "escalate_after": {"working_hours": 1_000_000}}}
        with factory() as s, s.begin():
            s.add(RuleSet(version=1, checksum="old", source="before the upgrade", content=content, active=True,
                          loaded_at=clock.now()))
        with factory() as s:
            assert RuleStore(clock).active(s).registration.protection_days == 99999
        with pytest.raises(RuleError, match="at most 36,600"), factory() as s:
            RuleStore(clock).load_content(s, content, source="again")
    finally:
        engine.dispose()
