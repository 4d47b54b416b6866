"""The finite families: institutions that exist a fixed number of times (public,
university and district hospitals, bank 分行).

Each is enumerated in full and shuffled once per stream, then popped one by
one, so no real institution is drawn twice and a family simply runs out (the
generator then moves its share to the open families).  The shuffles use the
stream's own random generator, in the order _Gen.__init__ calls them: that
order is part of what a seed reproduces.
"""
from __future__ import annotations

import random

from domain.matching.data.regions_cn import MUNICIPALITIES, PROVINCES

from .places import CITY_LIST, DISTRICT_CITIES, PROVINCE_LIST, City
from .tables import BANKS, CITY_TYPES, CN, DISTRICT_TYPES, PROVINCE_TYPES


def ordinal(n: int) -> str:
    """1..19 in Chinese numerals, as hospital names write them (第三, 第十二)."""
    return CN[n] if n <= 10 else "十" + CN[n - 10]


def enumerate_public(rng: random.Random) -> list[tuple]:
    out = []
    for c in CITY_LIST:
        for t in CITY_TYPES:
            out.append((c, t, ("city", c.full, t)))
        for n in range(1, rng.randint(2, 9)):
            out.append((c, f"第{ordinal(n)}人民医院", ("city", c.full, f"第{n}人民医院")))
    for p in PROVINCE_LIST:
        for t in PROVINCE_TYPES:
            out.append((p, t, ("prov", p, t)))
    rng.shuffle(out)
    return out


def universities() -> list[tuple[str, City | str]]:
    """(university, where it is): three per province, plus the capitals' own."""
    unis: list[tuple[str, City | str]] = []
    for p in PROVINCE_LIST:
        short = PROVINCES[p][0]
        unis += [(f"{short}大学", p), (f"{short}医科大学", p), (f"{short}中医药大学", p)]
    capitals = [c for c in CITY_LIST if c.code.endswith("01")]
    unis += [(f"{c.short}医科大学", c) for c in capitals if c.full not in MUNICIPALITIES]
    unis += [(f"{c.short}大学", c) for c in capitals]
    return list(dict(unis).items())


def enumerate_university(rng: random.Random) -> list[tuple]:
    out = []
    for uni, where in universities():
        out.append((where, f"{uni}附属医院", ("uni", uni, 0)))
        for n in range(1, 6):
            ordn = ordinal(n)
            name = (f"{uni}第{ordn}附属医院" if uni.endswith("医科大学")
                    else f"{uni}附属第{ordn}医院")
            out.append((where, name, ("uni", uni, n)))
    rng.shuffle(out)
    return out


def enumerate_district(rng: random.Random) -> list[tuple]:
    out = [(c, d, t, ("dist", c.full, d, t.replace("第二", "第2")))
           for c in DISTRICT_CITIES for d, _ in c.districts for t in DISTRICT_TYPES]
    rng.shuffle(out)
    return out


def enumerate_bank_branches(rng: random.Random) -> list[tuple]:
    out = [(b, c, ("bank", b, c.full)) for b in BANKS for c in CITY_LIST]
    rng.shuffle(out)
    return out
