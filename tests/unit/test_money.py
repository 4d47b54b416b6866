"""Money is Decimal yuan to the fen (domain/money.py): exact where it is computed,
compared and stored, a plain number where it goes into JSON."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import Float, Numeric

import models
from domain.money import json_money, money, money_or_none, plain
from domain.rules import RegistrationRules, checks
from domain.rules.base import RuleError
from domain.rules.verdict import NEEDS_APPROVAL, PASS
from domain.wording import unit_yuan, yuan, yuan_exact
from handlers.registration.payload import payload_of


@pytest.mark.parametrize("value, amount", [
    (1.1 * 10_000, "11000.00"),            # the double is 11000.000000000002
    (0.1 + 0.2, "0.30"),                   # 0.30000000000000004
    (123.45 * 10_000, "1234500.00"),
    ("12.345", "12.35"), ("12.344", "12.34"), (Decimal("0.005"), "0.01"),     # half up, to the fen
    (800_000, "800000.00"), (" 80 ", "80.00"), (1e29, "100000000000000000000000000000.00"),
    ("9" * 60, "9" * 60 + ".00"),          # absurd, but still said back to its sender
    ("9" * 27 + ".995", "1" + "0" * 27 + ".00"),     # rounding carries into a new digit
])
def test_an_amount_is_taken_through_its_text_to_the_fen(value, amount):
    assert money(value) == Decimal(amount) and str(money(value)) == amount


@pytest.mark.parametrize("value", ["八十万", "", "nan", "inf", float("nan"), None, [1], "1e400", "1e999999999"])
def test_what_is_no_amount_is_a_value_error(value):
    with pytest.raises(ValueError):
        money(value)


def test_nothing_stays_nothing():
    assert money_or_none(None) is None and money_or_none("") is None and money_or_none(1) == Decimal("1.00")


@pytest.mark.parametrize("amount, number, text", [
    (Decimal("800000.00"), 800000, "800000"), (Decimal("12.30"), 12.3, "12.3"), (Decimal("0.07"), 0.07, "0.07"),
    (None, None, "null"),
])
def test_an_amount_goes_into_json_as_a_plain_number(amount, number, text):
    out = json_money(amount)
    assert out == number and type(out) is type(number) and json.dumps(out) == text


@pytest.mark.parametrize("amount, text", [(Decimal("80.00"), "80"), (Decimal("1.50"), "1.5"), (Decimal("0.00"), "0")])
def test_plain_digits(amount, text):
    assert plain(amount) == text


@pytest.mark.parametrize("amount, zh, en", [
    (800_000.0, "¥80万", "¥800,000"), (Decimal("1234567.89"), "¥1,234,568", "¥1,234,568"),
    (12.5, "¥13", "¥13"),                  # half up, as people round money (a float's format gave ¥12)
    (Decimal("1234500.00"), "¥123.45万", "¥1,234,500"), (9_999, "¥9,999", "¥9,999"),
    (1e40, "¥1,000,000,000,000,000,000,000,000,000,000,000,000万", "¥10" + ",000" * 13),
])
def test_sums_are_said_in_whole_yuan_rounded_half_up(amount, zh, en):
    assert (yuan(amount), yuan(amount, "en")) == (zh, en)


def test_unit_prices_and_exact_sums_show_their_fen():
    assert unit_yuan(Decimal("83300.00")) == "¥83,300" and unit_yuan(12.5) == "¥12.50"
    assert yuan_exact(4998) == "¥4,998.00" and yuan_exact(Decimal("0.005")) == "¥0.01"


def test_the_tier_threshold_is_exact_yuan_and_a_word_is_a_rule_error():
    rules = RegistrationRules.from_dict({"tiering": {"threshold_yuan": "1000000.004"}})
    assert rules.tier_threshold_yuan == Decimal("1000000.00") and isinstance(rules.tier_threshold_yuan, Decimal)
    for wrong in ("一百万", "1e999999999", "nan"):
        with pytest.raises(RuleError, match=r"registration\.tiering\.threshold_yuan"):
            RegistrationRules.from_dict({"tiering": {"threshold_yuan": wrong}})


def test_tiering_compares_to_the_fen_and_keeps_json_ready_facts():
    rules = RegistrationRules(tier_threshold_yuan=Decimal("1000000.00"))
    below, at = checks.tiering(rules, Decimal("999999.99")), checks.tiering(rules, money(100 * 10_000.0))
    assert (below.outcome, at.outcome) == (PASS, NEEDS_APPROVAL)
    assert at.facts == {"amount_yuan": 1000000, "threshold_yuan": 1000000}
    assert json.loads(json.dumps(below.to_dict()))["facts"]["amount_yuan"] == 999999.99


def test_every_money_column_is_decimal_in_python():
    """Numeric columns come back as Decimal: their annotations say so, so no
    handler is told to expect a float."""
    wrong = []
    for mapper in models.Base.registry.mappers:
        cls = mapper.class_
        # The annotations as written (the models use postponed evaluation): 'Mapped[Decimal | None]'.
        written = {k: v for klass in reversed(cls.__mro__) for k, v in vars(klass).get("__annotations__", {}).items()}
        for column in mapper.columns:
            exact = isinstance(column.type, Numeric) and not isinstance(column.type, Float)     # Float: coordinates
            if exact and "Decimal" not in str(written.get(column.key, "Decimal")):
                wrong.append(f"{cls.__name__}.{column.key}: {written[column.key]}")
    assert wrong == []


def test_an_approvals_payload_keeps_the_amount_as_it_was_hashed():
    """Each approval in flight keeps the hash of what it covers: the amount is written
    800000.0 as before, or every pending registration approval would read as changed."""
    reg = models.Registration(number="RG20261207-0001", partner_id=1, customer_id=2, customer_text="北京协和医院",
                              product_lines=["超声"], products=[], amount_yuan=Decimal("800000.00"))
    assert json.dumps(payload_of(reg)["amount_yuan"]) == "800000.0"
