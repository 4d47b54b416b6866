"""Find the customer a name means, fast at a million customers.

The lookup never scans every customer. In order:
1. a unified social credit code, when given, is the strongest key;
2. the canonical name key (unique column): surely the same organisation;
3. candidate tiers from the shared token index (all read in one round trip,
   each stopped at TIER_LIMIT rows), compared with the matcher, most specific
   first; the first tier with a non-distinct result wins:
   - ``cp:`` the name's core at its place (北京 + 协和医院),
   - ``c0:`` the same core filed without any place (a customer named 协和医院),
   - ``pp:`` the core's pinyin at its place (同音字 typos: 协合 ↔ 协和),
   - ``c:``/``p:`` the core / its pinyin anywhere, only for a name without a place,
   - ``s:``  the opening words of a long core, for abbreviations (吉大一院 →
     吉林大学…第1医院 ↔ 吉林大学白求恩第1医院).
A tier reads at most TIER_LIMIT rows (BROAD_TIER_LIMIT for c/p/s), so a generic
core (人民医院 with no city) costs a bounded amount and answers "possible"
rather than guessing.
Aliases come from the database on each lookup (only those whose matching
form equals a name at hand), so one added in chat applies at once in every
worker, and a large alias table costs nothing extra.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from pypinyin import lazy_pinyin
from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session

from bot.matching import NameParts, analyse, compare, prepare_aliases
from bot.matching.text import simplify
from models import Customer, CustomerAlias, CustomerToken

# GB 32100-2015 unified social credit code: 18 characters from digits and
# capitals without I, O, S, V, Z.
CREDIT_CODE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}")
_CODE_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(" + CREDIT_CODE.pattern + r")(?![0-9A-Za-z])")
TIER_LIMIT = 20
# Broad tiers stop sooner: a name without a place can only ever be "possible"
# against named places, so more rows would only cost compares, not change that.
BROAD_TIER_LIMIT = 8
TOKEN_CHARS = 120
STEM_MIN_CORE = 6
STEM_CHARS = 4


@dataclass(frozen=True)
class CustomerMatch:
    verdict: str            # duplicate (an existing customer) | possible | distinct (new)
    score: float
    reason: str
    matched: Customer | None     # the existing customer it equals or resembles
    details: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"verdict": self.verdict, "score": round(self.score, 3), "reason": self.reason,
                "matched_id": self.matched.id if self.matched else None,
                "matched_name": self.matched.name if self.matched else None, "details": list(self.details)}


@lru_cache(maxsize=8192)   # bounded: every worker holds one
def _pinyin(core: str) -> str:
    return " ".join(lazy_pinyin(core))


def credit_code_in(text: str | None) -> str | None:
    m = _CODE_IN_TEXT.search((text or "").upper())
    return m.group(1) if m else None


def tokens_for(parts: NameParts) -> list[str]:
    """The tokens one customer is filed under (see query_tokens for their use)."""
    core = parts.core
    if not core:
        return []
    place = parts.city or parts.region or ""
    found = [f"cp:{core}|{place}", f"c:{core}"]
    if not place:
        found.append(f"c0:{core}")
    if _has_cjk(core):
        py = _pinyin(core)
        found += [f"pp:{py}|{place}", f"p:{py}"]
    if len(core) >= STEM_MIN_CORE:
        found.append(f"s:{core[:STEM_CHARS]}")
    return list(dict.fromkeys(tok[:TOKEN_CHARS] for tok in found))


def query_tokens(parts: NameParts) -> list[str]:
    """The tiers a lookup reads, most specific first. A name that says where it
    is looks at that place, plus customers filed without any place; only a
    name without a place looks at its core everywhere (bounded by TIER_LIMIT).
    The stem tier serves names an abbreviation was expanded in (吉大一院)."""
    core = parts.core
    if not core:
        return []
    place = parts.city or parts.region or ""
    py = _pinyin(core) if _has_cjk(core) else None
    if place:
        found = [f"cp:{core}|{place}", f"c0:{core}"] + ([f"pp:{py}|{place}"] if py else [])
    else:
        found = [f"c:{core}"] + ([f"p:{py}"] if py else [])
    if len(core) >= STEM_MIN_CORE and any(step.startswith("缩写") for step in parts.steps):
        found.append(f"s:{core[:STEM_CHARS]}")
    return list(dict.fromkeys(tok[:TOKEN_CHARS] for tok in found))


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def alias_key(text: str) -> str:
    return simplify(text).text[:100]


def aliases_for(session: Session, names: Iterable[str]) -> dict[str, str]:
    """The admin aliases that concern these names (an indexed read, not the
    whole table). Empty when none applies, which lets compare() use its cache."""
    forms: set[str] = set()
    for name in names:
        simp = simplify(name)
        forms.update(f[:100] for f in (name.strip(), simp.text, simp.display) if f)
    if not forms:
        return {}
    rows = session.execute(select(CustomerAlias.alias, CustomerAlias.full_name)
                           .where(or_(CustomerAlias.alias_key.in_(forms), CustomerAlias.alias.in_(forms)))).all()
    return prepare_aliases(dict(rows)) if rows else {}


def lookup(session: Session, name: str, credit_code: str | None = None) -> CustomerMatch:
    table = aliases_for(session, [name])
    if credit_code:
        hit = session.execute(select(Customer).where(Customer.credit_code == credit_code.strip().upper())).scalar_one_or_none()
        if hit is not None:
            return CustomerMatch("duplicate", 1.0, "统一社会信用代码相同", hit, ("credit_code",))
    parts = analyse(name, table or None)
    exact = session.execute(select(Customer).where(Customer.name_key == parts.key)).scalar_one_or_none()
    if exact is not None:                  # the common case: one indexed read and done
        return CustomerMatch("duplicate", 1.0, "标准化后名称相同", exact, parts.steps)
    tiers = query_tokens(parts)
    hits, names, aliased = _candidates(session, tiers)
    if not hits:
        return CustomerMatch("distinct", 0.0, "没有相似的已知客户", None, parts.steps)
    # A stored customer may itself carry a short name an admin defined.
    both = {**(prepare_aliases(aliased) if aliased else {}), **table}
    seen: set[int] = set()
    for token in tiers:                    # most specific tier first; stop at the first with a match
        fresh = [cid for cid in hits.get(token, ()) if cid not in seen]
        seen.update(fresh)
        found = [(cid, compare(name, names[cid], both or None)) for cid in fresh]
        found = [(cid, res) for cid, res in found if res.verdict != "distinct"]
        if found:
            cid, res = max(found, key=lambda m: (m[1].verdict == "duplicate", m[1].score))
            return CustomerMatch(res.verdict, res.score, res.reason, session.get(Customer, cid), res.details)
    return CustomerMatch("distinct", 0.0, "没有相似的已知客户", None, parts.steps)


@lru_cache(maxsize=64)
def _candidates_sql(limits: tuple[int, ...]):
    """One statement for every tier: each a read of the (token, customer_id)
    index stopped at its limit, with the candidate's name and, should that
    name be an admin's short form, its full name. Built once per shape (plain
    SQL that SQLite and PostgreSQL both take): no per-lookup statement cost."""
    parts = [f"SELECT t.token, t.customer_id, c.name, a.full_name FROM (SELECT token, customer_id"
             f" FROM customer_tokens WHERE token = :t{i} LIMIT {limit}) AS t"
             f" JOIN customers c ON c.id = t.customer_id LEFT JOIN customer_aliases a ON a.alias = c.name"
             for i, limit in enumerate(limits)]
    return text(" UNION ALL ".join(parts))


def _limit(token: str) -> int:
    return BROAD_TIER_LIMIT if token.startswith(("c:", "p:", "s:")) else TIER_LIMIT


def _candidates(session: Session, tiers: list[str]) -> tuple[dict[str, list[int]], dict[int, str], dict[str, str]]:
    hits: dict[str, list[int]] = {}
    names: dict[int, str] = {}
    aliased: dict[str, str] = {}
    if not tiers:
        return hits, names, aliased
    params = {f"t{i}": tok for i, tok in enumerate(tiers)}
    for token, cid, cname, full in session.execute(_candidates_sql(tuple(_limit(t) for t in tiers)), params):
        hits.setdefault(token, []).append(cid)
        names[cid] = cname
        if full:
            aliased[cname] = full
    return hits, names, aliased


def index_customer(session: Session, customer: Customer, parts: NameParts | None = None) -> None:
    parts = parts or analyse(customer.name)
    for token in tokens_for(parts):
        session.merge(CustomerToken(token=token, customer_id=customer.id))
