"""compare() and best_match(): decide whether two customer names are the
same organisation.

Order of the checks is the order of how decisive a fact is.  A difference in
branch, place, type word or ordinal always means distinct, whatever the
rest says (上海市第一人民医院 vs 上海市第六人民医院 are 97 % alike as text).
Only when none of those differ does the text of the bodies decide
(bodies.judge).  Facts that leave doubt (one name has no city, one is a
branch, one is a group) cap the verdict at "possible" so that a person
looks at it; they never make two names distinct.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import replace
from functools import lru_cache

from rapidfuzz import fuzz

from .abbrev import read_short_form
from .bodies import judge, show, split
from .data.lexicon import GENERIC_BODIES, SAME_INSTITUTION_TYPES
from .model import DISTINCT, DUPLICATE, POSSIBLE, MatchResult, Parsed
from .parse import parse
from .phonetic import sounds_alike
from .reasons import same_body_reason, same_key_reason, with_expansions
from .regions import display, misspelt
from .roman import from_parsed, is_latinish, read_script
from .roman_judge import judge as judge_readings
from .roman_judge import spells

log = logging.getLogger(__name__)

_RANK = {DUPLICATE: 2, POSSIBLE: 1, DISTINCT: 0}
_LEVEL_WORD = {0: "省份", 1: "城市", 2: "区县"}
# Differences in the body that leave two short or informal names "possibly one",
# but make two full registered company names two companies (华为技术有限公司 /
# 华为软件技术有限公司, 国药控股股份有限公司 / 国药控股北京有限公司).
_REGISTERED_APART = frozenset({"名称包含", "行业词", "字号相同", "机构下属名称", "上级单位前缀"})


def _registered(p: Parsed) -> bool:
    """A company's full registered Chinese name: a legal form and no institution type.
    Two such names that differ are two legal entities (a registered name is unique
    where it is registered); English renderings are translations, not registrations."""
    return p.inst_type is None and p.parts.type_word is not None and not p.latin


def _similarity(pa: Parsed, pb: Parsed) -> float:
    a = "".join(x for x in pa.chain if x) + pa.core + (pa.branch_key or "")
    b = "".join(x for x in pb.chain if x) + pb.core + (pb.branch_key or "")
    return fuzz.ratio(a, b) / 100.0


def _score(verdict: str, sim: float) -> float:
    if verdict == DUPLICATE:
        return round(0.9 + 0.1 * sim, 4)
    if verdict == POSSIBLE:
        return round(0.5 + 0.35 * sim, 4)
    return round(min(0.45, 0.45 * sim), 4)


def _place_conflict(pa: Parsed, pb: Parsed) -> str | None:
    """Reason text if the two names are in different places, else None."""
    for level, (x, y) in enumerate(zip(pa.chain, pb.chain)):
        if x and y and x != y:
            if level == 0 and pa.city and pb.city and pa.city != pb.city:
                return f"城市不同：{display(pa.city)} vs {display(pb.city)}"
            if level == 0 and not (pa.city and pb.city) and (pa.city or pb.city):
                wa, wb = display(pa.city or x), display(pb.city or y)
                return f"地区不同：{wa} vs {wb}"
            return f"{_LEVEL_WORD[level]}不同：{display(x)} vs {display(y)}"
    return None


def _place_typo(pa: Parsed, pb: Parsed) -> tuple[Parsed, Parsed, str] | None:
    """石家装市第一医院 / 石家庄市第一医院: one side's place is unknown to the
    gazetteer and a misspelling of the other's.  Returns both names with the
    known place on each, and the reason; None if the conflict is real."""
    for x, y in zip(pa.chain, pb.chain):
        if not (x and y and x != y):
            continue
        if misspelt(x, y):
            known, typo, wrong, right = pa, pb, y, x
        elif misspelt(y, x):
            known, typo, wrong, right = pb, pa, x, y
        else:
            return None
        fixed = replace(typo, province=known.province, city=known.city, district=known.district,
                        places=known.places, place_words=typo.place_words | known.place_words)
        a, b = (known, fixed) if known is pa else (fixed, known)
        return a, b, f"地名疑似写错：{display(wrong)} vs {display(right)}"
    return None


def _type_family(ta: str, tb: str) -> bool:
    return any(ta in fam and tb in fam for fam in SAME_INSTITUTION_TYPES)


def _retype(p: Parsed, word: str) -> Parsed:
    """The name with its type word replaced (for comparing the rest)."""
    core = p.core[: len(p.core) - len(p.inst_type or "")] + word
    return replace(p, core=core, inst_type=word)


def _where(p: Parsed) -> str:
    """The most specific place, for reasons: 北京, 番禺区, 石家庄."""
    most = p.most_specific
    return display(most[1]) if most else ""


def _details(pa: Parsed, pb: Parsed, rules: list[str]) -> tuple[str, ...]:
    out = [f"A: {s}" for s in pa.parts.steps] + [f"B: {s}" for s in pb.parts.steps]
    out += [f"A键: {pa.parts.key}", f"B键: {pb.parts.key}"]
    out += [f"规则: {r}" for r in rules]
    return tuple(out)


def _compare_parsed(pa: Parsed, pb: Parsed) -> MatchResult:
    sim = _similarity(pa, pb)
    rules: list[str] = []

    def result(verdict: str, reason: str) -> MatchResult:
        return MatchResult(verdict, _score(verdict, sim), reason, _details(pa, pb, rules))

    if pa.empty or pb.empty:
        return MatchResult(DISTINCT, 0.0, "名称为空，无法比较", _details(pa, pb, ["空名称"]))
    if pa.parts.key == pb.parts.key:
        rules.append("规范键相同")
        return MatchResult(DUPLICATE, 1.0, same_key_reason(pa, pb), _details(pa, pb, rules))

    # 1. Branches: 北京分行 and 上海分行 of one bank are separate customers.
    if pa.branch_key and pb.branch_key and pa.branch_key != pb.branch_key:
        rules.append("分支机构比较")
        a_br, b_br = pa.parts.branch or "", pb.parts.branch or ""
        if a_br.startswith("(") and b_br.startswith("("):
            return result(DISTINCT, f"括号内地区/分支不同：{a_br} vs {b_br}")
        return result(DISTINCT, f"分支机构不同：{a_br} vs {b_br}")
    caps: list[str] = []
    if bool(pa.branch_key) != bool(pb.branch_key):
        branch = pa.parts.branch or pb.parts.branch or ""
        if branch.startswith("(") and _registered(pa) and _registered(pb):
            # 新华医疗器械（上海）有限公司: a company of its own in that place, not the head office
            rules.append("地区子公司")
            return result(DISTINCT, f"一方是地区子公司：{branch}")
        caps.append(f"一方是分支机构（{branch}）")

    # 2. Places: 武汉协和医院 vs 北京协和医院.  A place the gazetteer does not
    #    know that sounds like the other's (石家装 / 石家庄) is a typo, not a city.
    conflict = _place_conflict(pa, pb)
    if conflict:
        rules.append("地名比较")
        typo = _place_typo(pa, pb)
        if typo is None:
            return result(DISTINCT, conflict)
        fixed_a, fixed_b, why = typo
        got = _compare_parsed(fixed_a, fixed_b)
        if got.verdict == DISTINCT:
            return got
        rules.append("地名错字")
        tail = "" if got.verdict == DUPLICATE else f"；{got.reason}"
        return MatchResult(POSSIBLE, _score(POSSIBLE, sim), why + tail, _details(pa, pb, rules))

    # 3. Type words: 医院 vs 医学院, 胸科医院 vs 肺科医院.
    ta, tb = pa.inst_type, pb.inst_type
    skip_body = False
    judged_a, judged_b = pa, pb
    if ta and tb and ta != tb:
        rules.append("类型词比较")
        _, da, db, _ = split(pa.core, pb.core)
        if ({ta, tb} == {"医院", "人民医院"} and pa.ordinal and pa.ordinal == pb.ordinal
                and pa.body in GENERIC_BODIES and pb.body in GENERIC_BODIES):
            # 杭州市第一医院 is the everyday name of 杭州市第一人民医院.
            caps.append("一方省略了“人民”")
            skip_body = True
        elif _type_family(ta, tb):
            # Old and new names of one county institution: judge the rest.
            caps.append(f"机构名称新旧写法：{ta} vs {tb}")
            judged_a, judged_b = _retype(pa, ta), _retype(pb, ta)
        elif not sounds_alike(da, db):
            return result(DISTINCT, f"类型不同：{ta} vs {tb}")
        # else 人名医院 / 人民医院: a typo inside the type word; the bodies say so

    # 4. Ordinals: 第一 vs 第六.
    if pa.ordinal and pb.ordinal and pa.ordinal != pb.ordinal:
        rules.append("序号比较")
        return result(DISTINCT, f"序号不同：{show('第' + pa.ordinal)} vs {show('第' + pb.ordinal)}")

    # 4b. An unnumbered hospital is by convention the first or main one:
    #     深圳市人民医院 / 深圳市第二人民医院 and 四川大学华西医院 / 四川大学华西
    #     第二医院 are two hospitals each (第一 left out stays "possible").
    if (bool(pa.ordinal) != bool(pb.ordinal) and (pa.ordinal or pb.ordinal) != "1"
            and (pa.body == pb.body or (pa.body in GENERIC_BODIES and pb.body in GENERIC_BODIES))
            and pa.inst_type == pb.inst_type):
        rules.append("序号比较（无序号视为第一）")
        numbered = pa.ordinal or pb.ordinal or ""
        return result(DISTINCT, f"序号不同：{show('第' + numbered)} vs 无序号")

    # 5. Generic names (人民医院, 市立医院): only the place tells them apart,
    #    so 河北省人民医院 and 石家庄市人民医院 differ although consistent.
    ma, mb = pa.most_specific, pb.most_specific
    if (ma and mb and ma != mb and pa.body in GENERIC_BODIES and pb.body in GENERIC_BODIES
            and pa.body == pb.body):
        rules.append("通用名按所属地区区分")
        return result(DISTINCT, f"所属地区不同：{ma[1]} vs {mb[1]}")
    if bool(ma) != bool(mb):
        level = (ma or mb)[0]
        caps.append(f"一方未写{'城市' if level >= 2 else '省份'}（{_where(pa) or _where(pb)}）")
    elif ma and mb and ma != mb:
        caps.append(f"地名详略不同：{_where(pa)} vs {_where(pb)}")
    if pa.group != pb.group:
        caps.append("一方是集团")

    # 6. The bodies themselves.
    verdict = judge(judged_a, judged_b) if not skip_body else None
    if verdict is None:
        rules.extend(caps)
        return result(POSSIBLE, caps[0])
    rules.append(verdict.rule)
    if verdict.verdict == DISTINCT:
        return result(DISTINCT, verdict.reason)
    if verdict.verdict == POSSIBLE and verdict.rule in _REGISTERED_APART and _registered(pa) and _registered(pb):
        rules.append("两个登记名称")
        return result(DISTINCT, f"两家登记的公司：{verdict.reason}")
    if verdict.verdict == POSSIBLE:
        caps.insert(0, verdict.reason)
    if caps:
        rules.extend(caps)
        return result(POSSIBLE, caps[0])
    return result(DUPLICATE, verdict.reason if verdict.reason != "名称主体相同" else
                  same_body_reason(pa, pb))


def _better(x: MatchResult, y: MatchResult) -> bool:
    return (_RANK[x.verdict], x.score) > (_RANK[y.verdict], y.score)


def _via_short_form(pa: Parsed, pb: Parsed, aliases: Mapping[str, str] | None) -> MatchResult | None:
    """青大附院 / 青岛大学附属医院: one side may be a short form nobody listed
    (abbrev.read_short_form).  Never more than "possible"."""
    for short, full in ((pa, pb), (pb, pa)):
        read = read_short_form(short.core, full.core)
        if read is None:
            continue
        word, university, rewritten = read
        # the places it was written with (an implied place is no part of the name)
        prefix = "".join(p.raw for p in short.places) if short.parts.key.split("|")[0] else ""
        longer = parse(prefix + rewritten, aliases)
        got = _compare_parsed(longer, full)
        if got.verdict == DISTINCT:
            continue
        why = f"“{word}”可能是“{university}”的简称"
        if got.verdict == POSSIBLE:
            why += f"；{got.reason}"
        return MatchResult(POSSIBLE, got.score if got.verdict == POSSIBLE else _score(POSSIBLE, 0.8),
                           why, got.details + (f"规则: 简称 {word}→{university}",))
    return None


def _with_alternates(pa: Parsed, pb: Parsed, aliases: Mapping[str, str] | None) -> MatchResult:
    best = _compare_parsed(pa, pb)
    if best.verdict == DUPLICATE:
        return best
    if best.verdict == DISTINCT:
        best = _via_short_form(pa, pb, aliases) or best
    # A bracket often holds another name of the same place:
    # 福建医科大学附属协和医院(福建省协和医院).  Try those too.
    tries = [(parse(alt.removeprefix("原"), aliases), pb, alt) for alt in pa.alts]
    tries += [(pa, parse(alt.removeprefix("原"), aliases), alt) for alt in pb.alts]
    for xa, xb, alt in tries:
        got = _compare_parsed(xa, xb)
        if got.verdict != DISTINCT and _better(got, best):
            best = MatchResult(got.verdict, got.score, f"按括号内名称“{alt}”：{got.reason}",
                               got.details + (f"规则: 括号内名称 {alt}",))
    # Say which short forms were read: 吉大一院 vs 吉林大学白求恩第一医院 differ
    # in 白求恩 only after 吉大 was read as 吉林大学.
    return replace(best, reason=with_expansions(best.reason, pa, pb))


def _across_scripts(a: str, b: str, pa: Parsed, pb: Parsed) -> MatchResult | None:
    """Beijing Xiehe Hospital / 北京协和医院, 北京Xiehe医院 / 北京协和医院: a name
    written (partly) in Latin letters is read as the other name sounds
    (roman.py).  Two names that both hold Chinese are never more than
    "possible" on their sound alone (协和 / 协合 sound alike)."""
    la, lb = is_latinish(a), is_latinish(b)
    if not (la or lb) or pa.empty or pb.empty:
        return None
    ra = read_script(a) if la else from_parsed(pa)
    rb = read_script(b) if lb else from_parsed(pb)
    got = judge_readings(ra, rb)
    if got.verdict == DISTINCT:
        return None
    verdict = got.verdict if (ra.latin or rb.latin) else POSSIBLE
    if got.verdict == DUPLICATE and (spells(a, b) or spells(b, a)):
        verdict = DUPLICATE      # the same characters, some in pinyin: nothing left to doubt
    sim = fuzz.ratio(ra.letters, rb.letters) / 100.0
    score = 1.0 if verdict == DUPLICATE and got.verdict == DUPLICATE else _score(verdict, sim)
    reason = f"{got.reason}：{a.strip()[:30]} ↔ {b.strip()[:30]}"
    details = _details(pa, pb, [f"读音 A: {ra.letters}|{ra.place}", f"读音 B: {rb.letters}|{rb.place}", got.rule])
    return MatchResult(verdict, score, reason, details)


def _judge_names(a: str, b: str, pa: Parsed, pb: Parsed, aliases: Mapping[str, str] | None) -> MatchResult:
    best = _with_alternates(pa, pb, aliases)
    if best.verdict == DUPLICATE:
        return best
    across = _across_scripts(a, b, pa, pb)
    # the reading decides only where it says more than the names as written
    return across if across is not None and _RANK[across.verdict] > _RANK[best.verdict] else best


@lru_cache(maxsize=8192)   # bounded: every worker holds one (all caches full: ~30 MB)
def _compare_cached(a: str, b: str) -> MatchResult:
    return _judge_names(a, b, parse(a), parse(b), None)


def compare(a: str, b: str, aliases: Mapping[str, str] | None = None) -> MatchResult:
    """Are `a` and `b` the same customer?  Never raises."""
    try:
        if not isinstance(a, str) or not isinstance(b, str):
            a, b = "" if a is None else str(a), "" if b is None else str(b)
        if not aliases:
            return _compare_cached(a, b)
        return _judge_names(a, b, parse(a, aliases), parse(b, aliases), aliases)
    except Exception as exc:  # defensive: one odd name must not break a registration
        log.exception("compare failed for %r / %r", a, b)
        return MatchResult(DISTINCT, 0.0, "无法比较（内部错误）", (f"错误: {exc!r}",))


def best_match(name: str, candidates: Iterable[tuple[Hashable, str]],
               aliases: Mapping[str, str] | None = None) -> tuple[Hashable, MatchResult] | None:
    """Best non-distinct candidate: duplicate beats possible, then score.
    Ties keep the earlier candidate.  None if every candidate is distinct."""
    best: tuple[Hashable, MatchResult] | None = None
    for ident, cand in candidates:
        got = compare(name, cand, aliases)
        if got.verdict == DISTINCT:
            continue
        if best is None or _better(got, best[1]):
            best = (ident, got)
    return best
