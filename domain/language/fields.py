"""Labelled fields: "客户：苏州市立医院", "金额 1.5亿", "单价9800", "原因 竞品".

Labels are read before anything else because a label says what the value
is; the same "9800" is a unit price after 单价 and a total after 金额.
A label may be followed by a colon, a space, or (for unambiguous labels)
be glued to its value ("客户北京协和医院", "预算120万左右").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from .amounts import leading_amount
from .dates import date_at
from .discounts import leading_discount
from .entities import has_cjk, looks_like_note
from .items import find_words, leading_qty, split_qty_suffix

# kind -> label words. Kinds: customer department product qty amount
# unit_price discount date note address ref partner
_LABELS: dict[str, tuple[str, ...]] = {
    "customer": ("客户名称", "客户", "医院名称", "医院", "单位名称", "单位", "终端客户", "最终用户", "用户",
                 "customer", "client", "hospital"),
    "department": ("使用科室", "科室", "部门", "dept", "department"),
    "product": ("产品名称", "产品", "设备名称", "设备", "型号", "机型", "品名", "product", "model"),
    "qty": ("数量", "qty", "quantity"),
    "amount": ("预计金额", "预算金额", "金额", "预算", "总价", "总金额", "合同金额", "项目金额",
               "amount", "budget"),
    "unit_price": ("申请单价", "申请价格", "申请价", "特价价格", "单价", "价格", "price"),
    "discount": ("折扣", "discount"),
    "date": ("预计签约时间", "预计签约日期", "预计签约", "签约时间", "签约日期", "成交日期", "成交时间",
             "预计成交", "预计时间", "签约", "时间", "日期", "date"),
    "note": ("备注", "说明", "申请理由", "申请原因", "特价原因", "延期原因", "延期理由", "原因", "理由",
             "note", "reason", "remark"),
    "address": ("收货地址", "送货地址", "地址", "送到", "送至", "发往", "address"),
    "ref": ("订单号", "订单编号", "订单", "报备号", "报备编号", "单号", "编号", "ref"),
    # A second partner of a joint registration: "报备 … 合作 北京华信".
    "partner": ("合作伙伴", "合作方", "合作", "联合", "partner"),
}
# Only meaningful with a colon: "医院" or "时间" on their own are ordinary words.
_COLON_ONLY = {"医院", "单位", "用户", "时间", "日期", "编号", "签约", "date", "hospital", "ref"}
# Chinese labels that can be glued to their value (none is the start of a common name).
_NOT_GLUE = _COLON_ONLY | {"设备", "部门", "型号", "机型", "品名", "终端客户", "最终用户", "单位名称", "医院名称",
                           "合作", "联合", "合作方"}

LABEL_KIND: dict[str, str] = {w.lower(): kind for kind, words in _LABELS.items() for w in words}
# Glue labels indexed by first character, longest first: one dict lookup per token.
_GLUE_BY_FIRST: dict[str, list[str]] = {}
for _w in sorted(LABEL_KIND, key=len, reverse=True):
    if has_cjk(_w) and _w not in _NOT_GLUE:
        _GLUE_BY_FIRST.setdefault(_w[0], []).append(_w)

TOKEN_RE = re.compile(r"[^\s,;、。:!?\x00]+")
_EN_NAME_WORD = re.compile(r"[A-Za-z][A-Za-z.&'\-]*")
_EN_STOP = {"end", "by", "in", "before", "until", "budget", "amount", "about", "around", "approx", "for",
            "next", "this", "q1", "q2", "q3", "q4", "dept", "department"}


@dataclass(frozen=True)
class Field:
    kind: str
    start: int  # where the label starts
    end: int  # where the label's value ends (the whole span is consumed)
    value: Any  # str | float | int | date | tuple[str, int | None] | None


@dataclass(frozen=True)
class _Tok:
    start: int
    end: int
    text: str


def _is_label_word(text: str) -> bool:
    return text.lower() in LABEL_KIND


def _colon_follows(text: str, pos: int) -> bool:
    return text[pos:pos + 3].lstrip(" ")[:1] == ":"


# "客户是北京协和医院", "金额为80万", "客户名称叫…": a verb between a glued label and its value.
_GLUE_VERB = re.compile(r"(?:是|为|叫|:)\s*")


def _same_line(text: str, a: int, b: int) -> bool:
    return "\n" not in text[a:b]


def _rest_of_line(text: str, start: int, toks: list[_Tok], first: int) -> tuple[str, int]:
    """Free text value (note/address): up to the line end or the next standalone label.

    Spaces and commas stay inside (addresses and reasons contain them); a new
    label word on its own ("地址：… 备注 加急") starts the next field.
    """
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    end = line_end
    for tok in toks[first + 1:]:
        if tok.start >= line_end:
            break
        low = tok.text.lower()
        if low in LABEL_KIND and tok.start > start and (low not in _COLON_ONLY or _colon_follows(text, tok.end)):
            end = tok.start
            break
    value = text[start:end].strip(" :,;")
    return value, end


def _english_name(text: str, toks: list[_Tok], i: int, pattern: str | None) -> tuple[str, int, int]:
    """Consecutive English words after 'customer:' -> (name, end, last token index)."""
    j = i
    while j + 1 < len(toks):
        nxt = toks[j + 1]
        gap = text[toks[j].end:nxt.start]
        word = nxt.text
        # "Hospital" is a label only when a colon follows; inside a name it is a word.
        is_label = _is_label_word(word) and (word.lower() not in _COLON_ONLY or _colon_follows(text, nxt.end))
        if gap.strip(" ") or not _EN_NAME_WORD.fullmatch(word) or word.lower() in _EN_STOP or is_label \
                or any(h.start == 0 and h.end == len(word) for h in find_words(word, pattern)):
            break
        j += 1
    return text[toks[i].start:toks[j].end], toks[j].end, j


def _value(kind: str, text: str, vstart: int, toks: list[_Tok], vi: int, glued: bool,
           today: date, pattern: str | None) -> tuple[Any, int]:
    """Parse one label's value starting at ``vstart``; return (value, end of span)."""
    tok = toks[vi]
    tok_end = tok.end
    tok_text = text[vstart:tok_end]
    if kind in ("note", "address"):
        return _rest_of_line(text, vstart, toks, vi if glued else vi - 1)
    if kind in ("amount", "unit_price"):
        hit = leading_amount(text, vstart)
        return ((hit.value, True, hit.doubt), hit.end) if hit else (None, vstart)
    if kind == "discount":
        dhit = leading_discount(text, vstart)
        return (dhit.factor, dhit.end) if dhit else (None, vstart)
    if kind == "date":
        d = date_at(text, vstart, today)
        return (d.value, d.end) if d else (None, vstart)
    if kind == "qty":
        q = leading_qty(text, vstart)
        return (q[0], q[1]) if q else (None, vstart)
    if kind == "ref":
        if not any(ch.isdigit() for ch in tok_text):
            return None, vstart
        return tok_text.upper(), tok_end
    if kind == "product":
        word, qty = split_qty_suffix(tok_text)
        return (word, qty), tok_end
    if kind == "customer":
        if not has_cjk(tok_text) and not glued:
            name, end, _ = _english_name(text, toks, vi, pattern)
            return name, end
        # "协和医院 (东单院区)": a bracketed alias split off by a space belongs to the name.
        if vi + 1 < len(toks) and toks[vi + 1].text.startswith("(") and \
                not text[tok_end:toks[vi + 1].start].strip(" "):
            return tok_text + toks[vi + 1].text, toks[vi + 1].end
        return tok_text, tok_end
    return tok_text, tok_end  # department, partner


def scan_fields(text: str, today: date, pattern: str | None) -> list[Field]:
    """Find every labelled field in ``text`` (already cleaned), in order."""
    toks = [_Tok(m.start(), m.end(), m.group()) for m in TOKEN_RE.finditer(text)]
    fields: list[Field] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        low = tok.text.lower()
        kind = LABEL_KIND.get(low)
        vstart, vi, glued = -1, -1, False
        if kind is not None:
            colon = _colon_follows(text, tok.end)
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if (colon or low not in _COLON_ONLY) and nxt is not None and \
                    (colon or _same_line(text, tok.end, nxt.start)) and not _is_label_word(nxt.text):
                vstart, vi = nxt.start, i + 1
        else:
            for word in _GLUE_BY_FIRST.get(tok.text[0], ()):
                if tok.text.startswith(word) and len(tok.text) > len(word):
                    start = tok.start + len(word)
                    verb = _GLUE_VERB.match(text, start, tok.end)
                    if verb and verb.end() < tok.end:
                        start = verb.end()
                    if LABEL_KIND[word] == "customer" and not verb and looks_like_note(text[start:tok.end]):
                        break       # "客户设备科主任说…", "客户说…": a remark, not a label
                    kind, vstart, vi, glued = LABEL_KIND[word], start, i, True
                    break
        if kind is None or vstart < 0:
            i += 1
            continue
        value, end = _value(kind, text, vstart, toks, vi, glued, today, pattern)
        if value is None:
            # Label without a readable value: consume just the label word so
            # it does not end up as a customer name.
            end = vstart if glued else tok.end
        fields.append(Field(kind, tok.start, end, value))
        i += 1
        while i < len(toks) and toks[i].start < end:
            i += 1
    return fields
