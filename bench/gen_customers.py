"""Reproducible synthetic customer master list: N unique Chinese customer names.

Run:  .venv/bin/python bench/gen_customers.py --n 1000000 --seed 7 --out /tmp/customers_1m.csv
      (no --out, or --out -, writes to stdout)
Import:  from bench.gen_customers import generate   # generate(n, seed) -> Iterator[dict]

CSV header: name,address,credit_code,aliases  (aliases are `|`-separated; empty
fields are empty strings).  The same seed always gives the same rows, and the
first n rows of generate(n + k, seed) are exactly generate(n, seed): the
stream never looks at n, so a benchmark can hold out the next k names as
"new customers" that are guaranteed not to be in the imported set.

Mix (target shares of rows; the draw is per row):
  67%  companies  prefix: none 30% | province (全称 or 简称) 20% | city 45% |
                  city + district 5%; trade name (字号) 2 chars 85% / 3 chars 15%,
                  drawn with a skew so popular words (康健, 华信 …) recur as they do
                  in real registers; industry word; legal form: 有限公司 50% |
                  有限责任公司 18% | 股份有限公司 14% | 集团有限公司 6% |
                  …有限公司 + {city}分公司 12%
  20%  private hospitals / clinics   city (sometimes + district) + trade name +
                  医院 / 妇产医院 / 口腔医院 / 眼科医院 / … / 门诊部 / 诊所
   6%  public hospitals   {city}人民医院 | 第N人民医院 | 中心医院 | 中医医院 |
                  妇幼保健院 | 肿瘤医院 | 儿童医院 … and {province}人民医院 …
   1%  university hospitals   XX大学附属第N医院 | XX医科大学第N附属医院 | …附属医院
   1%  district hospitals   广州市番禺区中心医院 (the gazetteer's districts)
   2%  bank 分行   招商银行北京分行, 中国银行股份有限公司上海市分行
   3%  bank 支行   招商银行深圳福田支行, 中国工商银行广州瑞和路支行
Public, university and district hospitals and bank 分行 are finite in
reality (about 6,000 + 1,400 + 500 + 7,800 names here); once a finite family
is used up, its share goes to the open families, so at N = 1,000,000 all of
them are present and companies / private hospitals / 支行 fill the rest.

Extras: 4% of rows carry a unified social credit code (统一社会信用代码,
GB 32100-2015: the two check characters are computed, the 6-digit division code
is the real province prefix + the city's position in the gazetteer, so it has
the right shape but is not the real code of that city); 3% carry aliases
(short names, unique across the file because the database holds them unique);
60% carry an address in the customer's city.

Uniqueness is tracked on a structural key that mirrors the matcher's canonical
key (place chain + trade name + industry / type + branch + 集团): legal form
and the spelling of the place (北京 / 北京市) are not part of it, so no two rows
are the same organisation spelled differently -- the importer would merge them.
Trade words that contain a place name, an industry or type word, or a numeral
are filtered out of the pool for the same reason.
"""
from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    # Run as a script, only bench/ is on sys.path; the repo root makes both the
    # project (bot.*) and this directory's modules (bench.namegen) importable.
    sys.path.insert(0, str(ROOT))

# Tables, gazetteer, trade-word pool, credit codes and the finite families live
# in bench/namegen/; this module keeps the seeded stream that draws from them
# (the order of its draws is what a seed reproduces) and the CLI.
from bench.namegen.credit import make_credit_code  # noqa: E402
from bench.namegen.finite import (  # noqa: E402
    enumerate_bank_branches,
    enumerate_district,
    enumerate_public,
    enumerate_university,
)
from bench.namegen.places import CITY_LIST, DISTRICT_CITIES, PROVINCE_LIST, City  # noqa: E402
from bench.namegen.tables import (  # noqa: E402
    ADDRESS_SHARE,
    ALIAS_SHARE,
    BANKS,
    CN,
    CREDIT_SHARE,
    FAMILIES,
    INDUSTRIES,
    LEGAL,
    PRIVATE_KINDS,
    PROVINCE_CODE,
    ROAD_ENDS,
)
from bench.namegen.trade import trade_pool  # noqa: E402
from domain.matching.data.regions_cn import MUNICIPALITIES, PROVINCES  # noqa: E402

# --- the generator ----------------------------------------------------------

def _weighted(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([w for w, _ in table], weights=[k for _, k in table])[0]


class _Gen:
    """One seeded stream.  Each family method returns (name, structural key,
    place for address/credit code, credit-code kind, alias candidates); draw()
    rejects collisions.  Finite families are pre-enumerated lists (namegen.finite)."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.pool = trade_pool(seed)
        self.roads = [w + e for w in self.pool[:600] for e in dict.fromkeys(ROAD_ENDS)]
        self.industries = [w for w, _ in INDUSTRIES]
        self.industry_weights = [k for _, k in INDUSTRIES]
        self.keys: set[tuple] = set()
        self.names: set[str] = set()
        self.aliases: set[str] = set()
        self.codes: set[str] = set()
        # Each enumeration shuffles with self.rng: this order is part of the seed's output.
        self.finite = {
            "public_hospital": enumerate_public(self.rng),
            "university_hospital": enumerate_university(self.rng),
            "district_hospital": enumerate_district(self.rng),
            "bank_branch": enumerate_bank_branches(self.rng),
        }
        self.families = dict(FAMILIES)
        self.counts: Counter[str] = Counter()

    # -- small helpers --
    def trade(self) -> str:
        # Quadratic skew: the first words of the pool are drawn far more often.
        return self.pool[int(len(self.pool) * self.rng.random() ** 2)]

    def city(self) -> City:
        return self.rng.choice(CITY_LIST)

    def city_spelling(self, c: City) -> str:
        return c.full if self.rng.random() < 0.6 else c.short

    # -- families --
    def company(self):
        rng, trade = self.rng, self.trade()
        industry = rng.choices(self.industries, weights=self.industry_weights)[0]
        where, prefix, chain = self._company_prefix()
        legal = _weighted(rng, LEGAL)
        branch = None
        if legal == "BRANCH":
            branch_city = self.city()
            legal = "有限公司"
            branch = f"{branch_city.short}分公司"
            where = branch_city           # a branch sits in its own city
        group = legal.startswith("集团")
        name = f"{prefix}{trade}{industry}{legal}{branch or ''}"
        key = ("co", chain, trade, industry, group, branch and branch_city.full)
        aliases = [f"{trade}{industry}"] + ([f"{prefix}{trade}"] if prefix else [])
        return name, key, where, "91", aliases

    def _company_prefix(self) -> tuple[City | str | None, str, str]:
        """(place for the address, prefix as written, canonical chain)."""
        r = self.rng.random()
        if r < 0.30:
            return None, "", ""
        if r < 0.50:
            p = self.rng.choice(PROVINCE_LIST)
            return p, (p if self.rng.random() < 0.5 else PROVINCES[p][0]), p
        if r < 0.95:
            c = self.city()
            return c, self.city_spelling(c), c.full
        c = self.rng.choice(DISTRICT_CITIES)
        d, _ = self.rng.choice(c.districts)
        return (c, d), f"{c.full}{d}", f"{c.full}>{d}"

    def private_hospital(self):
        rng, trade = self.rng, self.trade()
        kind = _weighted(rng, PRIVATE_KINDS)
        c = self.city()
        prefix, chain = self.city_spelling(c), c.full
        where = c
        if c.districts and rng.random() < 0.3:
            d, _ = rng.choice(c.districts)
            prefix, chain, where = f"{c.full}{d}", f"{c.full}>{d}", (c, d)
        name = f"{prefix}{trade}{kind}"
        code_kind = "91" if kind.endswith(("门诊部", "诊所")) else "52"
        return name, ("priv", chain, trade, kind), where, code_kind, [f"{c.short}{trade}{kind[-2:]}"]

    def public_hospital(self):
        where, kind, key = self.finite["public_hospital"].pop()
        if isinstance(where, City):
            name = f"{self.city_spelling(where)}{kind}"
            aliases = [f"{where.short}{kind[1]}院"] if kind.startswith("第") else []
        else:
            name = f"{where}{kind}"
            aliases = [f"{PROVINCES[where][0]}省医"] if kind == "人民医院" else []
        return name, key, where, "12", aliases

    def university_hospital(self):
        where, name, key = self.finite["university_hospital"].pop()
        uni, n = key[1], key[2]
        aliases = [f"{uni[0]}{'医' if '医科' in uni else '大'}{'附' + CN[n] + '院' if n else '附院'}"]
        return name, key, where, "12", aliases

    def district_hospital(self):
        c, d, kind, key = self.finite["district_hospital"].pop()
        prefix = c.full if self.rng.random() < 0.7 else c.short
        return f"{prefix}{d}{kind}", key, (c, d), "12", [f"{d}{kind}"]

    def bank_branch(self):
        bank, c, key = self.finite["bank_branch"].pop()
        if self.rng.random() < 0.25:
            name = f"{bank}股份有限公司{c.full}分行"
        else:
            name = f"{bank}{c.short}分行"
        return name, key, c, "91", []

    def bank_subbranch(self):
        bank, c = self.rng.choice(BANKS), self.city()
        if c.districts and self.rng.random() < 0.3:
            spot, _ = self.rng.choice(c.districts)
        else:
            spot = self.rng.choice(self.roads)
        name = f"{bank}{c.short}{spot}支行"
        return name, ("sub", bank, c.full, spot), c, "91", []

    # -- rows --
    def address(self, where) -> str:
        """An address in the customer's place: `where` is a City, (City, district),
        a province name or None (no place in the name: any city)."""
        rng = self.rng
        district = ""
        if isinstance(where, tuple):
            where, district = where
        c = where if isinstance(where, City) else self._city_in(where)
        prov = "" if c.full in MUNICIPALITIES else c.province
        if not district and c.districts:
            district = rng.choice(c.districts)[0]
        road = rng.choice(self.roads)
        tail = f"{rng.randint(1, 999)}号"
        if rng.random() < 0.3:
            tail += f"{self.trade()}大厦{rng.randint(2, 30)}层"
        return f"{prov}{c.full}{district}{road}{tail}"

    def _city_in(self, where: str | None) -> City:
        """A city for an address when the name gives a province or nothing."""
        if where is None:
            return self.city()
        inside = [c for c in CITY_LIST if c.province == where]
        return self.rng.choice(inside) if inside else self.city()

    def division(self, where) -> str:
        if isinstance(where, tuple):
            c, d = where
            return c.code + dict(c.districts)[d]
        if isinstance(where, City):
            return where.code + (self.rng.choice(where.districts)[1] if where.districts else "00")
        if isinstance(where, str) and where in PROVINCE_CODE:
            return PROVINCE_CODE[where] + "0000"
        return self.city().code + "00"

    def credit_code(self, where, kind: str) -> str:
        while True:
            code = make_credit_code(self.rng, kind, self.division(where))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def take_aliases(self, candidates: list[str]) -> str:
        """Keep aliases nobody else has (the alias table is unique)."""
        chosen = candidates[: self.rng.randint(1, 2)]
        kept = [a for a in chosen if a not in self.aliases and a not in self.names]
        self.aliases.update(kept)
        return "|".join(kept)

    def family(self) -> str:
        names = list(self.families)
        return self.rng.choices(names, weights=[self.families[n] for n in names])[0]

    def draw(self) -> tuple[str, tuple]:
        """One new organisation; finite families drop out when used up."""
        while True:
            fam = self.family()
            if fam in self.finite and not self.finite[fam]:
                del self.families[fam]
                continue
            got = getattr(self, fam)()
            name, key = got[0], got[1]
            if key in self.keys or name in self.names or name in self.aliases:
                continue
            self.keys.add(key)
            self.names.add(name)
            self.counts[fam] += 1
            return fam, got

    def row(self) -> dict:
        _, (name, _key, where, code_kind, alias_cands) = self.draw()
        rng = self.rng
        return {
            "name": name,
            "address": self.address(where) if rng.random() < ADDRESS_SHARE else "",
            "credit_code": self.credit_code(where, code_kind) if rng.random() < CREDIT_SHARE else "",
            "aliases": self.take_aliases(alias_cands) if alias_cands and rng.random() < ALIAS_SHARE else "",
        }


def stream(seed: int = 7, counts: Counter | None = None) -> Iterator[dict]:
    """Endless unique rows; pass a Counter to learn the family mix afterwards."""
    gen = _Gen(seed)
    if counts is not None:
        gen.counts = counts
    while True:
        yield gen.row()


def generate(n: int, seed: int = 7) -> Iterator[dict]:
    """n unique customer rows (dicts: name, address, credit_code, aliases)."""
    return islice(stream(seed), n)


FIELDS = ("name", "address", "credit_code", "aliases")


def write_csv(rows, out: io.TextIOBase) -> int:
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    n = 0
    for row in rows:
        writer.writerow(row)
        n += 1
    return n


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", default="-", help="CSV path, or - for stdout")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    counts: Counter = Counter()
    rows = islice(stream(args.seed, counts), args.n)
    if args.out == "-":
        written = write_csv(rows, sys.stdout)
    else:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        with open(args.out, "w", encoding="utf-8", newline="") as f:
            written = write_csv(rows, f)
    mix = ", ".join(f"{k} {v / max(written, 1):.1%}" for k, v in counts.most_common())
    print(f"wrote {written} rows in {time.perf_counter() - t0:.1f}s ({mix})", file=sys.stderr)


if __name__ == "__main__":
    main()
