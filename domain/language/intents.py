"""Intent from the leading keyword: "报备 …", "订货：…", "my deals", "?".

Users type the command word first (that is what the help card teaches), so
only the start of the message is inspected; the rest is handed back as the
body for field parsing. Longer keywords are tried first ("特价申请" before
"特价", "查询" before "查"). Two refinements:
- verbs shared by several kinds of record (修改 / 撤销 / 取消 / 确认 / 查) take
  their intent from the prefix of the number that follows (RG… registration,
  SO… order, SP… special price);
- a plan may open with its day ("明天拜访计划：…", "今天的计划"), and an
  absence with its dates ("12月5日-12月12日 请张伟代我审批").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .dates import date_at
from .fields import LABEL_KIND
from .items import REF_RE
from .ranges import find_span

# (keyword, intent, action). Order within the table does not matter.
_KEYWORDS: tuple[tuple[str, str, str | None], ...] = (
    *((k, "register", None) for k in ("商机报备", "报备商机", "报个单", "报单", "报备", "登记商机", "新商机",
                                       "登记", "register", "reg")),
    *((k, "order", None) for k in ("订货", "下单", "补货", "订购", "order")),
    *((k, "special_price", None) for k in ("特价申请", "申请特价", "特价", "special price", "special-price")),
    *((k, "checkin", None) for k in ("签到", "check in", "check-in", "checkin")),
    *((k, "checkout", None) for k in ("签退", "check out", "check-out", "checkout")),
    *((k, "visit_note", None) for k in ("拜访小结", "拜访记录", "小结", "visit note", "visit-note")),
    *((k, "query", "mine") for k in ("我的报备", "我的商机", "my deals", "my registrations", "my deal")),
    *((k, "order", "my_orders") for k in ("我的订单", "my orders")),
    *((k, "query", None) for k in ("查询", "查一下", "查看", "查找", "查", "query")),
    *((k, "help", None) for k in ("帮助", "菜单", "怎么用", "使用说明", "指令", "help", "menu", "?")),
    *((k, "register", "amend") for k in ("修改报备", "修改", "更改", "变更", "amend")),
    *((k, "register", "withdraw") for k in ("撤销报备", "撤回报备", "取消报备", "撤销", "撤回", "withdraw")),
    *((k, "register", "extend") for k in ("申请延期", "延期", "extend")),
    *((k, "unknown", "alias") for k in ("别名", "alias")),
    *((k, "plan", None) for k in ("拜访计划", "计划拜访", "计划", "visit plan", "plan")),
    *((k, "plan", "mine") for k in ("我的计划", "我的拜访计划", "my plans", "my plan", "my visit plan")),
    *((k, "query", "my_visits") for k in ("我的拜访", "我的拜访记录", "my visits", "my visit")),
    *((k, "special_price", "mine") for k in ("我的特价", "我的特价申请", "my special prices", "my special price")),
    *((k, "order", "amend") for k in ("修改订单", "订单修改", "改订单", "改单", "amend order", "change order")),
    *((k, "order", "cancel") for k in ("取消订单", "撤销订单", "撤回订单", "订单取消", "cancel order")),
    *((k, "order", "confirm") for k in ("确认订单", "订单确认", "confirm order")),
    *((k, "order", "show") for k in ("查询订单", "查看订单", "查订单", "订单查询", "订单详情", "show order",
                                      "order status")),
    *((k, "approval", "transfer") for k in ("转交给", "转交", "转给", "转办", "移交", "transfer")),
    *((k, "approval", "delegate") for k in ("委托审批", "审批委托", "委托给", "委托", "请假", "delegate")),
    *((k, "approval", "undelegate") for k in ("取消委托", "撤销委托", "撤回委托", "结束委托", "收回委托", "取消代批",
                                              "cancel delegation", "end delegation", "undelegate")),
)

# Shared verbs: reference prefix -> (intent, action); the None entry applies
# without a number or with another prefix. A verb with no None entry is no
# command at all without a fitting number: "取消" alone must stay unknown,
# dispatch reads it as "cancel this conversation".
_Meaning = tuple[str, str | None]
_AMEND: dict[str | None, _Meaning] = {None: ("register", "amend"), "SO": ("order", "amend"),
                                      "SP": ("special_price", "amend")}
_WITHDRAW: dict[str | None, _Meaning] = {None: ("register", "withdraw"), "SO": ("order", "cancel"),
                                         "SP": ("special_price", "cancel")}
# "取消 RG…" is not made a withdrawal: withdrawing a registration keeps its own words.
_CANCEL: dict[str | None, _Meaning] = {"SO": ("order", "cancel"), "SP": ("special_price", "cancel")}
_CONFIRM: dict[str | None, _Meaning] = {"SO": ("order", "confirm")}
_QUERY: dict[str | None, _Meaning] = {None: ("query", None), "SO": ("order", "show"),
                                      "SP": ("special_price", "show")}
_BY_REF: dict[str, dict[str | None, _Meaning]] = {
    **dict.fromkeys(("修改", "更改", "变更", "amend"), _AMEND),
    **dict.fromkeys(("撤销", "撤回", "withdraw"), _WITHDRAW),
    **dict.fromkeys(("取消", "cancel"), _CANCEL),
    **dict.fromkeys(("确认", "confirm"), _CONFIRM),
    **dict.fromkeys(("查询", "查一下", "查看", "查找", "查", "query"), _QUERY),
    "订单": {"SO": ("order", "show")},  # "订单 SO…"; "订单" before anything else stays unknown
}
_REF_WINDOW = 200  # the number follows the verb; no need to search a pasted essay
_PREFIX = re.compile(r"[A-Za-z]+")

# Nouns that begin like a command word: "委托书怎么开" asks for a document.
_NOT_COMMANDS = ("委托书", "委托函", "计划书")

_KNOWN = {k[0] for k in _KEYWORDS}
_SORTED = sorted((*_KEYWORDS, *((w, "unknown", None) for w in _BY_REF if w not in _KNOWN)),
                 key=lambda k: len(k[0]), reverse=True)

# After a leading day: "明天拜访计划：…", "今天的计划", "周三拜访 …" (not "今天拜访了…", a report).
_PLAN_AFTER_DATE = re.compile(r"\s*的?\s*(?P<kw>拜访计划|计划拜访|计划|去?拜访(?!小结|记录|了|过|完)"
                              r"|(?i:visit plan|plan|visit)(?![A-Za-z]))")
# After leading dates: someone approves in my place ("请张伟代我审批").
_DELEGATE_HINT = re.compile(r"代我审批|代为审批|代我批|代批|代审")
_DELEGATE_WINDOW = 40

# A greeting alone is a request for the menu.
_GREETINGS = ("你好", "您好", "hello", "hi", "hey", "在吗", "在么", "嗨", "哈喽")
# Politeness before the command: "我要报备 …", "请帮我下单 …".
_POLITE = re.compile(r"^(?:请|麻烦|帮我|帮忙|我要|我想|我需要|想要|要)+")
_SPEAKER = re.compile(r"([^\s:]{1,12})\s*:\s*")
# Separators allowed between keyword and body, and decoration around keywords.
_LEAD_STRIP = " :,;、.。!~-【】[]"


@dataclass(frozen=True)
class IntentMatch:
    intent: str
    action: str | None
    body: str  # message text after the keyword, separators trimmed


def _by_ref(word: str, body: str) -> _Meaning | None:
    """What a shared verb means given the number in its body (None: no command)."""
    table = _BY_REF[word]
    m = REF_RE.search(body[:_REF_WINDOW])
    prefix = _PREFIX.match(m.group("ref")).group().upper() if m else None  # type: ignore[union-attr]
    return table.get(prefix, table.get(None))


def _keyword_at_start(text: str) -> IntentMatch | None:
    low = text.lower()
    if low.startswith(_NOT_COMMANDS):
        return None
    for word, intent, action in _SORTED:
        if not low.startswith(word):
            continue
        nxt = low[len(word):len(word) + 1]
        # ASCII keywords need a word boundary: "reg" must not match "regular".
        if word.isascii() and word[-1].isalnum() and nxt.isascii() and nxt.isalnum():
            continue
        body = text[len(word):].lstrip(_LEAD_STRIP + "\n")
        if word in _BY_REF:
            meaning = _by_ref(word, body)
            if meaning is None:
                continue
            intent, action = meaning
        return IntentMatch(intent, action, body)
    return None


def _dated_command(text: str, today: date) -> IntentMatch | None:
    """A plan or absence that starts with its date: the date stays in the body."""
    hit = date_at(text, 0, today)
    if hit is None or hit.start != 0:
        return None
    plan = _PLAN_AFTER_DATE.match(text, hit.end)
    if plan:
        rest = text[plan.end():].lstrip(_LEAD_STRIP + "\n")
        # "明天的计划" alone asks for the plan; "明天拜访" alone starts one.
        mine = not rest and plan.group("kw").lower() not in ("拜访", "去拜访", "visit")
        return IntentMatch("plan", "mine" if mine else None, f"{text[:hit.end]} {rest}".strip())
    span = find_span(text[:_DELEGATE_WINDOW * 2], today)
    if span is not None and span.start == 0 and _DELEGATE_HINT.search(text, span.end, span.end + _DELEGATE_WINDOW):
        return IntentMatch("approval", "delegate", text)
    return None


# A registration written as labelled lines with no command word ("客户：…\n金额：…"),
# or with the command word last ("北京协和医院 彩超 80万 报备").
_LABELLED_DEAL = re.compile(r"^(?:客户名称|客户|终端客户|医院名称)\s*[:：]")
_DEAL_LABELS = re.compile(r"(?:金额|预算|产品|设备|型号)\s*[:：]")
_FIELD_SEP = re.compile(r"[\s,，;；、]+")
_QUESTION = re.compile(r"怎么|如何|怎样|能否|要不要|需不需要|是否|可以吗|吗|么|[?？]")
_TRAILING_REGISTER = re.compile(r"[\s,，。]*(?:请)?(?:报备|报个单|报单|登记商机)(?:一下|下)?[\s。.!！]*$")


def _register_without_leading_keyword(text: str) -> IntentMatch | None:
    if _LABELLED_DEAL.match(text) and _DEAL_LABELS.search(text):
        return IntentMatch("register", None, text)
    tail = _TRAILING_REGISTER.search(text)
    body = text[:tail.start()].strip() if tail else ""
    # Only a list of fields ("客户 产品 金额 报备") counts: a sentence or a question
    # that ends in the word ("明天去协和报备", "怎么报备") is not a registration.
    if len(_FIELD_SEP.split(body)) >= 2 and not _QUESTION.search(body):
        return IntentMatch("register", None, body)
    return None


def detect_intent(text: str, today: date | None = None) -> IntentMatch:
    """Classify a cleaned message; the fallback is intent 'unknown'.

    ``today`` only helps recognise a leading date; spans do not depend on it.
    """
    text = text.strip().lstrip(_LEAD_STRIP)
    if not text:
        return IntentMatch("unknown", None, "")
    hit = _keyword_at_start(text) or _dated_command(text, today or date.today())
    if hit:
        return hit
    low = text.lower()
    for greeting in _GREETINGS:
        if low.startswith(greeting):
            rest = text[len(greeting):]
            if rest[:1].isascii() and rest[:1].isalpha():
                continue  # "history", "hint": not a greeting
            rest = rest.lstrip(_LEAD_STRIP + "\n")
            inner = detect_intent(rest) if rest else None
            if inner is None or inner.intent == "unknown" and inner.action is None:
                return IntentMatch("help", None, rest)
            return inner
    # "王经理：报备 …" (a quoted or forwarded line): a short speaker prefix
    # ending in a colon, then a keyword.
    speaker = _SPEAKER.match(text)
    if speaker and speaker.group(1).lower() not in LABEL_KIND:
        hit = _keyword_at_start(text[speaker.end():])
        if hit:
            return hit
    polite = _POLITE.match(text)
    if polite and polite.end() < len(text):
        hit = _keyword_at_start(text[polite.end():])
        if hit:
            return hit
    return _register_without_leading_keyword(text) or IntentMatch("unknown", None, text)
