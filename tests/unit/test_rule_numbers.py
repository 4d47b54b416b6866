"""Numbers in a rule file are read strictly (domain/rules/numbers.py): a word, a
fraction where a whole number goes, true/false or .nan is a rule error naming the
key, not a silent guess (int(1.5) == 1, int(True) == 1) nor Python's own message."""
from __future__ import annotations

import math

import pytest

from domain.rules.base import RuleError
from domain.rules.model import RuleSetData
from domain.rules.numbers import decimal, flag, real, whole, whole_list


def _rules(section: str, content: dict) -> RuleSetData:
    return RuleSetData.from_dict(1, {section: content})


def _nested(path: str, value) -> tuple[str, dict]:
    """"visits.radius_m" → ("visits", {"radius_m": value}); deeper keys nest."""
    section, *keys = path.split(".")
    content: dict = {}
    inner = content
    for key in keys[:-1]:
        inner[key] = {}
        inner = inner[key]
    inner[keys[-1]] = value
    return section, content


WHOLE_KEYS = ["registration.pending_lock_days", "registration.protection_days", "orders.draft_valid_hours",
              "special_price.grant_valid_days", "appeals.max_photos", "appeals.window_days", "visits.radius_m",
              "visits.search_radius_m", "visits.same_point_days", "visits.photo_grace_minutes",
              "visits.open_visit_hours", "visits.page_link_minutes", "lifecycle.extension.max_extensions",
              "lifecycle.extension.days", "lifecycle.extension.verified_visits", "lifecycle.extension.within_days",
              "schedule.weekly_chart.weekday", "schedule.catch_up_hours", "pipeline.stale_days",
              "pipeline.cooldown_days", "leads.full_load", "leads.max_offers"]


@pytest.mark.parametrize("path", WHOLE_KEYS)
@pytest.mark.parametrize("bad", ["十五", 1.5, True, "", None, [3]])
def test_a_whole_number_key_refuses_anything_else_and_names_itself(path, bad):
    section, content = _nested(path, bad)
    with pytest.raises(RuleError) as err:
        _rules(section, content)
    message = str(err.value)
    assert path.rsplit(".", 1)[-1] in message and "invalid literal" not in message, message


@pytest.mark.parametrize("path", ["registration.tiering.threshold_yuan", "visits.max_speed_kmh",
                                  "visits.same_point_m", "approvals.remind_after.hours",
                                  "visits.service_area.north"])
@pytest.mark.parametrize("bad", ["一百万", True, float("nan"), float("inf"), None])
def test_a_number_key_refuses_words_flags_and_not_a_number(path, bad):
    section, content = _nested(path, bad)
    if path.startswith("visits.service_area"):
        content["service_area"].update({"south": 18, "west": 73, "east": 135})
    with pytest.raises(RuleError) as err:
        _rules(section, content)
    assert path.split(".")[1] in str(err.value), str(err.value)


def test_numbers_written_as_numbers_or_quoted_are_taken():
    rules = RuleSetData.from_dict(1, {
        "registration": {"pending_lock_days": "20", "protection_days": 60.0, "tiering": {"threshold_yuan": "500000"}},
        "visits": {"radius_m": 500, "max_speed_kmh": "90.5"},
        "lifecycle": {"warn_days_before": [3, "10"]}})
    assert rules.registration.pending_lock_days == 20 and rules.registration.protection_days == 60
    assert rules.registration.tier_threshold_yuan == 500_000
    assert rules.visits.radius_m == 500 and rules.visits.max_speed_kmh == 90.5
    assert rules.lifecycle.warn_days_before == (10, 3)


def test_the_readers_themselves():
    assert whole(" 15 ", "x") == 15 and whole(-3, "x") == -3 and whole(4.0, "x") == 4
    assert real(2, "x") == 2.0 and real("0.25", "x") == 0.25
    for bad in ("1e3x", "nan", "-inf", False):
        with pytest.raises(RuleError, match="x must be a number"):
            real(bad, "x")
    assert math.isclose(real("1e3", "x"), 1000.0)


@pytest.mark.parametrize("path", ["pricing.tier_discounts.gold", "special_price.ladder", "appeals.share",
                                  "key_accounts.partner_share"])
@pytest.mark.parametrize("bad", ["十五", True, float("nan"), "inf", None, [0.1]])
def test_a_share_or_discount_refuses_words_flags_and_not_a_number(path, bad):
    """Exact fractions (Decimal) named in the error, not decimal.ConversionSyntax."""
    if path == "special_price.ladder":
        section, content = "special_price", {"ladder": [{"up_to": bad, "steps": ["area_manager"]},
                                                         {"steps": ["director"]}]}
    else:
        section, content = _nested(path, bad)
    with pytest.raises(RuleError) as err:
        _rules(section, content)
    message = str(err.value)
    assert "decimal" not in message and path.split(".")[-1] in message, message


@pytest.mark.parametrize("path", ["registration.require_territory", "registration.require_qualification",
                                  "registration.auto_approve", "orders.require_qualification",
                                  "orders.credit_check"])
@pytest.mark.parametrize("bad", ["false", 0, 1, None, "否"])
def test_a_switch_is_true_or_false_not_a_truthy_guess(path, bad):
    """bool("false") is True: a quoted "false" once switched a check on."""
    section, content = _nested(path, bad)
    with pytest.raises(RuleError, match=path.split(".")[-1]):
        _rules(section, content)
    section, content = _nested(path, False)
    assert _rules(section, content) is not None


@pytest.mark.parametrize("path", ["lifecycle.warn_days_before", "pipeline.stale_warn_days_before"])
@pytest.mark.parametrize("bad", [7, "14", {"a": 1}, [7, 1.5], ["七"]])
def test_warning_days_are_a_list_of_whole_numbers(path, bad):
    section, content = _nested(path, bad)
    with pytest.raises(RuleError, match=path.split(".")[-1]):
        _rules(section, content)


DAY_KEYS = ["registration.pending_lock_days", "registration.protection_days", "special_price.grant_valid_days",
            "appeals.window_days", "visits.same_point_days", "lifecycle.extension.days",
            "lifecycle.extension.within_days", "pipeline.stale_days", "pipeline.cooldown_days"]


@pytest.mark.parametrize("path", DAY_KEYS)
def test_a_period_in_days_is_at_most_a_century(path):
    """Some periods are subtracted from today (a cool-down, a same-point check, the
    visits an extension counts look that far back): a million days passed the file's
    check, then every registration, check-in or 延期 failed at 'date value out of range'."""
    section, content = _nested(path, 36_601)
    with pytest.raises(RuleError, match="at most 36,600"):
        _rules(section, content)
    section, content = _nested(path, 3_660)
    if path == "lifecycle.extension.days":                  # with the default max_extensions: 1
        content["extension"]["max_extensions"] = 1
    _rules(section, content)


def test_a_lock_extended_as_often_as_allowed_stays_within_a_century():
    """Each granted 延期 moves the lock on: five of 30,000 days ran it past year 9999."""
    with pytest.raises(RuleError, match="max_extensions"):
        RuleSetData.from_dict(1, {"lifecycle": {"extension": {"max_extensions": 5, "days": 30_000}}})
    RuleSetData.from_dict(1, {"lifecycle": {"extension": {"max_extensions": 50, "days": 300}}})


def test_periods_too_long_for_a_date_are_refused_when_the_file_is_read():
    """More than a number can hold would pass and then crash every command."""
    for section, content in (("registration", {"protection_days": 10**10}),
                             ("approvals", {"remind_after": {"hours": 10**10}}),
                             ("approvals", {"remind_after": {"hours": 10**400}})):
        with pytest.raises(RuleError) as err:
            _rules(section, content)
        assert "at most" in str(err.value) or "must be a number" in str(err.value), str(err.value)


def test_the_exact_and_list_readers():
    assert decimal("0.15", "x") == decimal(0.15, "x") and str(decimal(" 1 ", "x")) == "1"
    assert flag(True, "x") is True and flag(False, "x") is False
    assert whole_list([7, "1", 3.0], "x") == [7, 1, 3]
    assert whole("1000000", "x") == 1_000_000
    with pytest.raises(RuleError, match="at most 10"):
        whole(11, "x", most=10)
    with pytest.raises(RuleError, match="x must be a number"):
        real(10**400, "x")


@pytest.mark.parametrize("text, key", [
    ("schedule:\n  evening_reminder: 19:00\n", "schedule.evening_reminder"),
    ("visits:\n  working_hours:\n    end: 19:30\n", "end"),
])
def test_an_unquoted_time_is_named_as_written_not_as_yamls_number(text, key):
    """YAML 1.1 reads an unquoted 19:00 as 1140 (base 60): the error says to quote '19:00'."""
    import yaml
    with pytest.raises(RuleError) as err:
        RuleSetData.from_dict(1, yaml.safe_load(text))
    message = str(err.value)
    assert key in message and "in quotes" in message and ("'19:00'" in message or "'19:30'" in message), message
