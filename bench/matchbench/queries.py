"""What the benchmark imports and what it looks up.

The data set is the generator's seeded stream: the first N rows go to the CSV,
the rows after them are "new customers" that are certainly not in the import.
Query sets mix exact names, spelling variants of existing names and new names,
each built from its own seeded generator so a run is reproducible.
"""
from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from bench.gen_customers import stream, write_csv
from bench.namegen.places import CITY_LIST
from domain.matching.data.regions_cn import PROVINCES

from .common import log

# --- data set -----------------------------------------------------------------

@dataclass
class DataSet:
    csv_path: Path
    names: list[str]
    addresses: list[str]
    held_out: list[str]       # generated after the first N: new customers


def build_dataset(n: int, seed: int, new_needed: int) -> DataSet:
    """One pass over the seeded stream: the first n rows go to the CSV, the next
    ones are the new names (the stream keeps them unique against the first n)."""
    path = Path(f"/tmp/qudao_bench_customers_{n}_s{seed}.csv")
    names: list[str] = []
    addresses: list[str] = []
    t0 = time.perf_counter()
    rows = stream(seed)

    def keep(rows_iter):
        for row in rows_iter:
            names.append(row["name"])
            addresses.append(row["address"])
            yield row

    with open(path, "w", encoding="utf-8", newline="") as f:
        write_csv(keep(islice(rows, n)), f)
    held_out = [row["name"] for row in islice(rows, new_needed)]
    log(f"generated {n} customers -> {path} in {time.perf_counter() - t0:.1f}s")
    return DataSet(path, names, addresses, held_out)


# --- query set ----------------------------------------------------------------

@dataclass
class Query:
    text: str
    kind: str                 # exact | variant | new
    how: str = ""             # which variant transform
    source: str = ""          # the existing name a variant came from


def _place_spellings() -> list[str]:
    """Leading place words as the generator writes them, longest first."""
    words = set()
    for c in CITY_LIST:
        words.update((c.full, c.short))
        for d, _ in c.districts:
            words.update((c.full + d, c.short + d))
    for prov, shorts in PROVINCES.items():
        words.update((prov, *shorts))
    return sorted(words, key=len, reverse=True)


_PLACES = _place_spellings()
# After these a leading place word is part of an institution's name (吉林大学,
# 北京银行): removing or bracketing it would not be a variant of the same name.
_INSTITUTION_AFTER = ("大学", "医科大学", "中医药大学", "银行")
_LEGAL_TAIL = re.compile(r"(股份有限公司|有限责任公司|有限公司)$")
_BRANCH_TAIL = re.compile(r"^(.*(?:公司|银行))(.{2,12}(?:分公司|分行|支行))$")
_ORDINAL = re.compile(r"第([一二三四五六七八九十]+)")
_CN_DIGIT = {c: i for i, c in enumerate("零一二三四五六七八九")}


def leading_place(name: str) -> str | None:
    for p in _PLACES:
        if name.startswith(p) and len(name) > len(p) and not name[len(p):].startswith(_INSTITUTION_AFTER):
            return p
    return None


def _cn_to_int(s: str) -> int:
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + _CN_DIGIT[s[1]]
    if "十" in s:
        tens, _, ones = s.partition("十")
        return _CN_DIGIT[tens] * 10 + (_CN_DIGIT[ones] if ones else 0)
    return _CN_DIGIT[s]


_S2T = None


def v_traditional(name: str, rng: random.Random, address: str) -> str | None:
    global _S2T
    if _S2T is None:
        from opencc import OpenCC
        _S2T = OpenCC("s2t")
    out = _S2T.convert(name)
    return out if out != name else None


def v_brackets(name: str, rng: random.Random, address: str) -> str | None:
    """招商银行（北京分行）, （北京）康健科技有限公司: full-width brackets as typed."""
    m = _BRANCH_TAIL.match(name)
    if m:
        return f"{m.group(1)}（{m.group(2)}）"
    place = leading_place(name)
    return f"（{place}）{name[len(place):]}" if place else None


def v_city_prefix(name: str, rng: random.Random, address: str) -> str | None:
    """Drop the city (or just its 市), or add the address's city when the name has none."""
    place = leading_place(name)
    if place:
        if place.endswith("市") and rng.random() < 0.5:
            return place[:-1] + name[len(place):]
        return name[len(place):]
    for c in CITY_LIST:
        if c.full in address[:12]:
            return (c.short if rng.random() < 0.5 else c.full) + name
    return None


def v_ordinal(name: str, rng: random.Random, address: str) -> str | None:
    out = _ORDINAL.sub(lambda m: f"第{_cn_to_int(m.group(1))}", name)
    return out if out != name else None


def v_drop_legal(name: str, rng: random.Random, address: str) -> str | None:
    out = _LEGAL_TAIL.sub("", name)
    return out if out != name and len(out) >= 2 else None


VARIANTS = {"traditional": v_traditional, "brackets": v_brackets, "city_prefix": v_city_prefix,
            "ordinal_digits": v_ordinal, "drop_legal": v_drop_legal}


def split(count: int) -> tuple[int, int, int]:
    """(exact, variant, new) counts: 40% / 30% / 30%."""
    n_exact, n_variant = round(count * 0.4), round(count * 0.3)
    return n_exact, n_variant, count - n_exact - n_variant


def build_queries(data: DataSet, count: int, seed: int, part: int) -> list[Query]:
    """Query set number `part`: parts differ in every query, so a later pass
    cannot profit from names an earlier pass left in a cache."""
    rng = random.Random(f"queries-{seed}-{part}")
    n_exact, n_variant, n_new = split(count)
    queries = [Query(data.names[i], "exact") for i in rng.sample(range(len(data.names)), n_exact)]
    queries += [make_variant(data, rng, list(VARIANTS)[i % len(VARIANTS)]) for i in range(n_variant)]
    queries += [Query(name, "new") for name in data.held_out[part * n_new:(part + 1) * n_new]]
    rng.shuffle(queries)
    return queries


def make_variant(data: DataSet, rng: random.Random, how: str) -> Query:
    """An equal share of each transform: draw names until one applies (第N
    names are rare, so the draw may take a few hundred tries)."""
    for _ in range(100_000):
        i = rng.randrange(len(data.names))
        out = VARIANTS[how](data.names[i], rng, data.addresses[i])
        if out:
            return Query(out, "variant", how, data.names[i])
    raise RuntimeError(f"no name takes the {how} variant")
