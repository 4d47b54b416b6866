"""Ways a command is written without its word first, as recognisers a
capability can offer the vocabulary (each returns the meaning it was given).

  RG20261123-0001 报价了                    -> a number first, then what happened to it
  明天拜访计划：北京协和医院                 -> a plan that opens with its day
  12月5日-12月12日 请张伟代我审批             -> an absence that opens with its dates
  客户：北京协和医院\\n金额：80万              -> labelled lines, no command word
  北京协和医院 彩超 80万 报备                -> the command word last
"""
from __future__ import annotations

import re
from datetime import date

from .dates import date_at
from .intents import LEAD_STRIP
from .items import REF_RE
from .ranges import find_span
from .vocabulary import IntentMatch, Meaning, Recogniser

# After a leading day: "明天拜访计划：…", "今天的计划", "周三拜访 …" (not "今天拜访了…", a report).
_PLAN_AFTER_DATE = re.compile(r"\s*的?\s*(?P<kw>拜访计划|计划拜访|计划|去?拜访(?!小结|记录|了|过|完)"
                              r"|(?i:visit plan|plan|visit)(?![A-Za-z]))")
# After leading dates: someone approves in my place ("请张伟代我审批").
_DELEGATE_HINT = re.compile(r"代我审批|代为审批|代我批|代批|代审")
_DELEGATE_WINDOW = 40


def plan_opening_with_day(plan: Meaning, show_plan: Meaning) -> Recogniser:
    """A visit plan that starts with its day; the day stays in the body. "明天的计划"
    alone asks for the plan (``show_plan``), "明天拜访" alone starts one (``plan``)."""
    def recognise(text: str, today: date) -> IntentMatch | None:
        hit = date_at(text, 0, today)
        if hit is None or hit.start != 0:
            return None
        found = _PLAN_AFTER_DATE.match(text, hit.end)
        if not found:
            return None
        rest = text[found.end():].lstrip(LEAD_STRIP + "\n")
        mine = not rest and found.group("kw").lower() not in ("拜访", "去拜访", "visit")
        return IntentMatch(*(show_plan if mine else plan), f"{text[:hit.end]} {rest}".strip())
    return recognise


def absence_opening_with_dates(delegate: Meaning) -> Recogniser:
    """Dates first, then who approves in the sender's place."""
    def recognise(text: str, today: date) -> IntentMatch | None:
        hit = date_at(text, 0, today)
        if hit is None or hit.start != 0:
            return None
        span = find_span(text[:_DELEGATE_WINDOW * 2], today)
        if span is not None and span.start == 0 and _DELEGATE_HINT.search(text, span.end,
                                                                           span.end + _DELEGATE_WINDOW):
            return IntentMatch(*delegate, text)
        return None
    return recognise


_LABELLED_DEAL = re.compile(r"^(?:客户名称|客户|终端客户|医院名称)\s*[:：]")
_DEAL_LABELS = re.compile(r"(?:金额|预算|产品|设备|型号)\s*[:：]")
_FIELD_SEP = re.compile(r"[\s,，;；、]+")
_QUESTION = re.compile(r"怎么|如何|怎样|能否|要不要|需不需要|是否|可以吗|吗|么|[?？]")


def labelled_deal(register: Meaning) -> Recogniser:
    """A registration written as labelled lines with no command word."""
    def recognise(text: str, today: date) -> IntentMatch | None:
        if _LABELLED_DEAL.match(text) and _DEAL_LABELS.search(text):
            return IntentMatch(*register, text)
        return None
    return recognise


# "A100多少钱", "彩超什么价？", "B200 的价格是多少": what one product costs.
_PRICE_QUESTION = re.compile(
    r"^(?:请问|问一下)?\s*(?P<what>[A-Za-z]{1,4}-?\d{2,5}|[\u4e00-\u9fffA-Za-z]{1,10}?)\s*(?:的)?\s*"
    r"(?:价格|单价|报价|价钱|多少钱一台|多少钱|什么价格?|啥价|怎么卖)(?:是多少|多少)?[\s?？吗呢。!！]*$")


_PRICE_OF_CODE = re.compile(r"^(?:价格|报价|价钱|单价)\s*:?\s*(?P<what>[A-Za-z]{1,4}-?\d{2,5})[\s?？吗呢。]*$")


def price_question(meaning: Meaning) -> Recogniser:
    """A question about a product's price, written without a command word."""
    def recognise(text: str, today: date) -> IntentMatch | None:
        m = _PRICE_QUESTION.match(text) or _PRICE_OF_CODE.match(text)
        return IntentMatch(*meaning, m.group("what")) if m else None
    return recognise


_AFTER_WORD = frozenset("。.!！")
_BEFORE_WORD = frozenset(",，。")


def _rstrip(text: str, chars: frozenset[str]) -> str:
    """``text`` without its trailing whitespace and ``chars`` (one pass from the end)."""
    end = len(text)
    while end and (text[end - 1] in chars or text[end - 1].isspace()):
        end -= 1
    return text[:end]


def word_last(meaning: Meaning, words: tuple[str, ...]) -> Recogniser:
    """The command word at the end of a list of fields ("客户 产品 金额 报备").
    A sentence or a question that ends in the word ("明天去协和报备",
    "怎么报备") is not a command."""
    # Only the end is read, in steps, each linear: a pattern like
    # ``[\s,，。]*word[\s。]*$`` searched over a long run of commas retries at
    # every comma (quadratic; 15,000 commas took seconds).
    word = re.compile(r"(?:请)?(?:" + "|".join(map(re.escape, words)) + r")(?:一下|下)?$")
    reach = len("请") + max(map(len, words)) + len("一下")

    def recognise(text: str, today: date) -> IntentMatch | None:
        core = _rstrip(text, _AFTER_WORD)
        found = word.search(core[-reach:])
        if found is None:
            return None
        body = _rstrip(core[:max(0, len(core) - reach) + found.start()], _BEFORE_WORD).strip()
        if len(_FIELD_SEP.split(body)) >= 2 and not _QUESTION.search(body):
            return IntentMatch(*meaning, body)
        return None
    return recognise


def number_first(meaning: Meaning, prefix: str) -> Recogniser:
    """A message that opens with a record's number (``prefix``: "RG"), alone or
    saying something about it ("RG20261123-0001 报价了"); the body keeps the number."""
    def recognise(text: str, today: date) -> IntentMatch | None:
        found = REF_RE.match(text)
        if found is None or not found.group("ref").upper().startswith(prefix):
            return None
        return IntentMatch(*meaning, text)
    return recognise
