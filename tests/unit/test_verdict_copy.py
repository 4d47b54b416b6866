"""A verdict as a dict (stored with every registration, order and flow) is
asdict's dict, with containers copied, without deep-copying every value."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from domain.rules.verdict import NEEDS_APPROVAL, Verdict


@dataclass(frozen=True)
class _Where:
    city: str
    codes: tuple[str, ...]


class _Pair(NamedTuple):
    a: int
    b: list


def test_the_same_dict_as_asdict_with_its_own_containers():
    facts = {"regions": ["北京", "天津"], "limit": Decimal("500000.00"), "on": date(2026, 12, 6),
             "where": _Where("北京", ("110000",)), "pair": _Pair(1, [2]), "nested": {"x": [{"y": 1}]},
             "none": None}
    v = Verdict("registration.territory", NEEDS_APPROVAL, "OUTSIDE_TERRITORY", "不在授权区域", facts,
                next_step="找区域经理", approver_role="area_manager")
    d = v.to_dict()
    assert d == asdict(v)
    assert list(d) == list(asdict(v))                      # same keys, same order
    assert d["facts"]["where"] == {"city": "北京", "codes": ("110000",)}
    assert isinstance(d["facts"]["pair"], _Pair)
    d["facts"]["regions"].append("上海")
    d["facts"]["nested"]["x"][0]["y"] = 2
    d["facts"]["pair"].b.append(3)
    assert facts["regions"] == ["北京", "天津"] and facts["nested"] == {"x": [{"y": 1}]} and facts["pair"].b == [2]
    plain = Verdict("order.credit", NEEDS_APPROVAL, "OVER_CREDIT", "超出信用额度", {"over_yuan": "1200.00"})
    assert Verdict.from_dict(plain.to_dict()) == plain
