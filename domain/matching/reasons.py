"""The sentences a manager reads next to a verdict: what made two names
equal (同名（去掉“股份有限公司”后相同）), which short form or alias was read
(吉大=吉林大学), which place words one side adds (浙江省).  Decisions are
made in compare.py; this module only words them.
"""

from __future__ import annotations

from .bodies import show
from .data.lexicon import ABBREV_PATTERNS
from .model import Parsed

# Step prefix (see parse.py / text.py) → phrase for "同名（…后相同）".
_STEP_PHRASES = (
    ("繁→简", "繁简转换"), ("全角→半角", "全角半角统一"), ("括号统一", "括号统一"),
    ("去掉多余空格", "去掉空格"), ("去掉空格", "去掉空格"), ("英文大写", "大小写统一"),
    ("第", "序号写法统一"), ("语序统一", "语序统一"), ("识别地名", "省市名写法统一"),
    ("括号内地名", "省市名写法统一"), ("保留校名中的地名", "省市名写法统一"),
    ("括号内别名", "忽略括号内别名"), ("括号内地址", "忽略括号内地址"),
    ("括号内分支", "分支机构写法统一"), ("分支机构", "分支机构写法统一"),
    ("去掉括号注记", "忽略括号注记"), ("缩写", "展开缩写"), ("别名", "按别名表"),
)
# Pattern rewrites (附N院→第N附属医院, 中医院→中医医院) fix spelling, they
# name no institution: not worth a manager's attention.
_RULE_LABELS = frozenset(label for _, _, label in ABBREV_PATTERNS)


def expansions(p: Parsed) -> list[str]:
    """The short forms and aliases read in one name, as a manager would
    write them: “吉大”即吉林大学."""
    return named_expansions(p.parts.steps)


def named_expansions(steps: tuple[str, ...]) -> list[str]:
    """expansions() from a name's steps (NameParts.steps)."""
    out: list[str] = []
    for step in steps:
        if step.startswith(("别名 ", "缩写 ")) and "→" in step and step[3:] not in _RULE_LABELS:
            short, _, full = step[3:].partition("→")
            out.append(f"“{short}”即{show(full, 20)}")
    return out


def with_expansions(reason: str, pa: Parsed, pb: Parsed) -> str:
    """Append the short forms and aliases read on either side, unless the
    reason names them already: 一方多出“白求恩”；展开缩写：“吉大”即吉林大学."""
    notes = [e for e in dict.fromkeys(expansions(pa) + expansions(pb)) if e not in reason]
    if not notes or "缩写" in reason or "别名" in reason or "简称" in reason:
        return reason
    aliased = any(s.startswith("别名 ") for s in pa.parts.steps + pb.parts.steps)
    return f"{reason}；{'按别名' if aliased else '展开缩写'}：{'，'.join(notes)}"


def same_key_reason(pa: Parsed, pb: Parsed) -> str:
    if pa.parts.original == pb.parts.original:
        return "完全相同"
    diff = set(pa.parts.steps) ^ set(pb.parts.steps)
    legal = sorted({s.split(" ", 1)[1] for s in diff if s.startswith("去掉法律后缀 ")},
                   key=len, reverse=True)
    phrases: list[str] = []
    if legal:
        phrases.append("去掉" + "".join(f"“{w}”" for w in legal))
    for step in sorted(diff):
        for prefix, phrase in _STEP_PHRASES:
            if step.startswith(prefix):
                if phrase not in phrases:
                    phrases.append(phrase)
                break
    if not phrases:
        return "同名（规范化后相同）"
    named = list(dict.fromkeys(expansions(pa) + expansions(pb)))
    tail = f"：{'，'.join(named)}" if named else ""
    return f"同名（{'、'.join(phrases)}后相同{tail}）"


def same_body_reason(pa: Parsed, pb: Parsed) -> str:
    """Equal bodies under place chains that differ only in detail:
    浙江省桐乡市第一人民医院 / 桐乡市第一人民医院 → 同名（一方多写“浙江省”）."""
    wa = "".join(p.raw for p in pa.places)
    wb = "".join(p.raw for p in pb.places)
    longer, shorter = (wa, wb) if len(wa) >= len(wb) else (wb, wa)
    if shorter and longer != shorter and longer.endswith(shorter):
        return f"同名（一方多写“{longer[: -len(shorter)]}”）"
    if shorter and longer != shorter and longer.startswith(shorter):
        return f"同名（一方多写“{longer[len(shorter):]}”）"
    if not shorter and longer:
        return f"同名（一方多写“{longer}”）"
    reason = same_key_reason(pa, pb)
    return reason if reason != "同名（规范化后相同）" else f"同名（{show(pa.core)}）"
