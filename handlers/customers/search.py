"""Find the customer a name means, fast at a million customers.

The lookup never scans every customer. In order:
1. a unified social credit code, when given, is the strongest key;
2. the canonical name key (unique column): surely the same organisation;
3. candidate tiers from the shared token index (handlers/customer_tokens.py:
   the name's core at its place, its pinyin, the shorter names customers are
   registered by …), each stopped at a few rows, compared with the matcher,
   most specific first; the first tier with a non-distinct result wins.
A known name costs one indexed read (key and alias check together), any
other two (handlers/customer_reads.py).
Aliases come from the database on each lookup (only those whose matching
form equals a name at hand), so one added in chat applies at once in every
worker, and a large alias table costs nothing extra.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from domain.matching import MatchResult, NameParts, analyse, compare, is_latinish, prepare_aliases
from domain.matching.reasons import named_expansions
from domain.matching.text import simplify
from handlers.customers.reads import candidates, first_read
from handlers.customers.tokens import query_tokens, read_name, tokens_for
from models import Customer, CustomerAlias, CustomerToken
from models.db import insert_of

__all__ = ["CREDIT_CODE", "CustomerMatch", "alias_key", "aliases_for", "credit_code_in", "index_customer",
           "index_new_customer", "lookup", "query_tokens", "resembling", "tokens_for"]

# GB 32100-2015 unified social credit code: 18 characters from digits and
# capitals without I, O, S, V, Z.
CREDIT_CODE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}")
_CODE_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(" + CREDIT_CODE.pattern + r")(?![0-9A-Za-z])")

# The longest customer name kept (a chat message, an import row or an alias).
MAX_NAME_CHARS = 100


@dataclass(frozen=True)
class CustomerMatch:
    verdict: str            # duplicate (an existing customer) | possible | distinct (new)
    score: float
    reason: str
    matched: Customer | None     # the existing customer it equals or resembles
    details: tuple[str, ...] = ()
    # The name as the lookup read it (with the admin aliases that apply): what a
    # customer made of it is filed under (lookup.get_or_create), without reading again.
    parts: NameParts | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict:
        return {"verdict": self.verdict, "score": round(self.score, 3), "reason": self.reason,
                "matched_id": self.matched.id if self.matched else None,
                "matched_name": self.matched.name if self.matched else None, "details": list(self.details)}


def credit_code_in(text: str | None) -> str | None:
    m = _CODE_IN_TEXT.search((text or "").upper())
    return m.group(1) if m else None


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


_RANK = {"duplicate": 2, "possible": 1, "distinct": 0}
_NOTHING = "没有相似的已知客户"


def _judge(name: str, row: dict, aliases: dict[str, str] | None) -> MatchResult:
    """The name against one stored customer: its name, and for a name written
    in Latin letters its English name too (Peking Union Medical College Hospital)."""
    res = compare(name, row["name"], aliases)
    english = row.get("english_name")
    if english and res.verdict != "duplicate" and is_latinish(name):
        via = compare(name, english, aliases)
        if (_RANK[via.verdict], via.score) > (_RANK[res.verdict], res.score):
            res = replace(via, reason=f"按英文名“{english}”：{via.reason}")
    return res


def _by_sound(res: MatchResult) -> bool:
    return res.reason.startswith("读音一致") and "按英文名" not in res.reason


def lookup(session: Session, name: str, credit_code: str | None = None) -> CustomerMatch:
    """The customer a registration of ``name`` means: the first tier with a match decides."""
    found, parts = _search(session, name, credit_code, every=False)
    if found:
        return replace(found[0], parts=parts)
    parts = parts or analyse(name)
    return CustomerMatch("distinct", 0.0, _NOTHING, None, parts.steps, parts=parts)


def resembling(session: Session, name: str, limit: int = 5) -> list[CustomerMatch]:
    """Every known customer ``name`` is or resembles, best first, at most ``limit``
    (查询 协和 lists 北京协和医院 and 武汉协和医院). The same reads as lookup."""
    return _search(session, name, None, every=True)[0][:limit]


def _search(session: Session, name: str, credit_code: str | None,
            every: bool) -> tuple[list[CustomerMatch], NameParts | None]:
    """The matches, best first, and the name as read (None when a credit code decided)."""
    out: list[CustomerMatch] = []
    if credit_code:
        hit = session.execute(
            select(Customer).where(Customer.credit_code == credit_code.strip().upper())).scalar_one_or_none()
        if hit is not None:
            out.append(CustomerMatch("duplicate", 1.0, "统一社会信用代码相同", hit, ("credit_code",)))
            if not every:
                return out, None
    reading = read_name(name)
    parts, tiers = reading.parts, list(reading.tiers)
    exact, aliased = first_read(session, parts.key, alias_key(name))
    table: dict[str, str] = {}
    if aliased:                            # an admin's short name (rare): read the name as its full name
        table = aliases_for(session, [name])
        parts = analyse(name, table or None)
        tiers = query_tokens(parts)
        exact = session.execute(select(Customer).where(Customer.name_key == parts.key)).scalar_one_or_none()
    if exact is not None:                  # the common case: one indexed read and done
        named = named_expansions(parts.steps)   # say which alias or short form made it the same
        reason = f"标准化后名称相同（{'，'.join(named)}）" if named else "标准化后名称相同"
        out.append(CustomerMatch("duplicate", 1.0, reason, exact, parts.steps))
        if not every:
            return out, parts
    cands = candidates(session, tiers)
    # A stored customer may itself carry a short name an admin defined.
    both = {**(prepare_aliases(cands.aliased) if cands.aliased else {}), **table} or None
    seen: set[int] = {m.matched.id for m in out}
    for token in tiers:                    # most specific tier first; stop at the first with a match
        fresh = [cid for cid in cands.by_tier.get(token, ()) if cid not in seen]
        seen.update(fresh)
        found: list[tuple[int, MatchResult]] = []
        for cid in fresh:
            res = _judge(name, cands.rows[cid], both)
            if res.verdict == "distinct":
                continue
            found.append((cid, res))
            # nothing later can beat a duplicate, unless it was only the sound (two customers may sound alike)
            if not every and res.verdict == "duplicate" and not _by_sound(res):
                break
        if not found:
            continue
        matches = [CustomerMatch(res.verdict, res.score, res.reason, cands.customer(session, cid), res.details)
                   for cid, res in sorted(found, key=lambda m: (-_RANK[m[1].verdict], -m[1].score))]
        if every:
            out += matches
            continue
        best = matches[0]
        alike = [m for m in matches if m.verdict == "duplicate"]
        if len(alike) > 1 and _by_sound(best):
            # Beijing Xiehe Hospital reads as 北京协和医院 and as 北京协合医院: a person decides
            return [replace(best, verdict="possible", score=0.85,
                            reason=f"{best.reason}；同音的已知客户不止一个（{alike[1].matched.name}）")], parts
        return [best], parts
    out.sort(key=lambda m: (-_RANK[m.verdict], -m.score))
    return out, parts


def index_new_customer(session: Session, customer: Customer, parts: NameParts) -> None:
    """File a customer just made under its tokens: one multi-row INSERT (it has none yet)."""
    wanted = tokens_for(parts, customer.english_name)
    if wanted:
        session.execute(insert_of(session, CustomerToken).values(
            [{"token": token, "customer_id": customer.id} for token in wanted]).on_conflict_do_nothing())


def index_customer(session: Session, customer: Customer, parts: NameParts | None = None) -> None:
    """File a customer under its tokens, those of its English name too; tokens
    it no longer has (a changed English name) are dropped."""
    parts = parts or analyse(customer.name)
    wanted = set(tokens_for(parts, customer.english_name))
    have = set(session.execute(select(CustomerToken.token).where(CustomerToken.customer_id == customer.id)).scalars())
    if have - wanted:
        session.execute(delete(CustomerToken).where(CustomerToken.customer_id == customer.id,
                                                    CustomerToken.token.in_(have - wanted)))
    for token in sorted(wanted - have):
        session.add(CustomerToken(token=token, customer_id=customer.id))


def named_elsewhere(s: Session, names: list[str], full_name: str) -> dict[str, str]:
    """Which of ``names`` are another customer's own name (or English name), and whose:
    such a name made an alias would send that customer's registrations to this one.
    Compared as the matcher compares them (北京大學第一醫院, 北京 大学 第一医院 and
    北京大学第一医院 are one name; an English name in any case)."""
    if not names:
        return {}
    by_key = {read_name(name).parts.key: name for name in names}
    by_english = {" ".join(name.lower().split()): name for name in names}
    rows = s.execute(select(Customer.name, Customer.name_key, Customer.english_name).where(
        or_(Customer.name_key.in_(by_key), func.lower(Customer.english_name).in_(by_english)),
        Customer.name != full_name, Customer.name_key != read_name(full_name).parts.key)).all()
    found: dict[str, str] = {}
    for name, key, english in rows:
        said = by_key.get(key) or by_english.get(" ".join((english or "").lower().split()))
        if said:
            found[said] = name
    return found
