"""Command bodies that are not field lists: visit plans, approval transfer and
delegation, and commands that name one record by its number.

  计划 明天 拜访 北京协和医院、天津医科大学总医院   -> plan_date, customers
  转交 SP20261202-0001 张伟 请总监定夺           -> ref, target, note
  委托 张伟 12月5日至12月12日                    -> target, date_from, date_to
  撤销 SO20261202-0001 客户不要了                -> ref, note

Each reader fills a :class:`Parsed` in place and, like the rest of the
parser, looks for fields only in the first ``MAX_FIELD_TEXT`` characters of
a body; a note is kept whole.
"""
from __future__ import annotations

import re
from datetime import date

from .dates import DateHit, scan_dates
from .entities import has_cjk, is_filler, is_org, org_suffix
from .fields import LABEL_KIND
from .items import REF_RE
from .ranges import find_span, first_day
from .schema import Parsed

# Commands are short; beyond this many characters of a body we stop looking
# for fields (free-text notes are still kept whole). Bounds the work on
# pasted essays or junk to a few milliseconds.
MAX_FIELD_TEXT = 1500
_MASK = "\x00"
NOTE_LEAD = re.compile(r"^(?:原因|理由|因为|由于|reason)\s*[:,]?\s*", re.IGNORECASE)

# --- commands naming one record -------------------------------------------------


def ref_and_rest(body: str) -> tuple[str | None, str]:
    """The first reference number and the text around it (spaces collapsed)."""
    m = REF_RE.search(body)
    if not m:
        return None, body.strip()
    rest = (body[:m.start()] + " " + body[m.end():]).strip(" :,;\n")
    return m.group("ref").upper(), re.sub(r"\s+", " ", rest).strip()


def read_ref_command(parsed: Parsed, body: str) -> str:
    """ref + the rest as a reason (撤销 / 取消 / 确认 / 查 …); returns the reason."""
    parsed.ref, rest = ref_and_rest(body)
    note = NOTE_LEAD.sub("", rest).strip()
    parsed.note = note or None
    return note


# --- visit plans ------------------------------------------------------------------

# Hard separators between names; spaces separate Chinese names only (English
# names contain spaces, and are listed with commas).
_NAME_SEP = re.compile(r"[\x00,;、。:!?\n]+")
_EN_AND = re.compile(r"\s+(?:and|&)\s+", re.IGNORECASE)
_EN_LEAD = re.compile(r"^(?:(?:visit|visiting|to|at|plan|customers?)\s+)+", re.IGNORECASE)
_CN_LEAD = re.compile(r"^(?:上午|下午|中午|晚上|早上|全天)?(?:计划|准备|打算)?(?:去|到)?(?:拜访|走访|拜会|访问)?")
_CN_TRAIL = re.compile(r"(?:拜访|走访|拜会)$")
_TIME_WORDS = {"上午", "下午", "中午", "晚上", "早上", "全天", "拜访计划", "计划拜访"}
_EN_NOT_NAMES = {"visit", "visiting", "plan", "to", "at", "customers", "customer"}
# "北京协和医院和天坛医院": 和/及/与 join two names only right after a whole
# name; inside a name ("北京协和医院") the part before 和 is no name.
_JOINER = re.compile(r"以及|和|及|与")
_PLAN_NOTE = re.compile(r"(?:备注|说明|(?<![A-Za-z])(?i:note|remark)(?![A-Za-z]))\s*:?\s*")
MAX_CUSTOMERS = 50
_NAME_TAIL = 40  # characters that are enough to see how a name ends


def _joined_names(token: str) -> list[str]:
    """Split '甲医院和乙医院' at 和/及/与 where the left part is a whole name."""
    out: list[str] = []
    rest = token
    for _ in range(MAX_CUSTOMERS):
        cut = None
        for m in _JOINER.finditer(rest):
            # Only the end of the left part decides (a bounded look keeps a
            # long run of 和 linear); "北京协" before 和 is no name.
            left = rest[max(0, m.start() - _NAME_TAIL):m.start()]
            if not left or not is_org(left):
                continue
            right = rest[m.end():]
            suffix = org_suffix(right[-_NAME_TAIL:])
            # "…大学和平医院" must stay whole: a name has two characters before its suffix.
            if len(right) >= 2 and (suffix is None or len(right) - len(suffix) >= 2):
                cut = m
                break
        if cut is None:
            break
        out.append(rest[:cut.start()])
        rest = rest[cut.end():]
    out.append(rest)
    return out


def _cjk_names(piece: str) -> list[str]:
    names: list[str] = []
    ascii_run: list[str] = []
    for word in piece.split():
        if not has_cjk(word):
            ascii_run.append(word)  # "拜访 PUMCH": Latin words stay together
            continue
        if ascii_run:
            names.extend(_en_names(" ".join(ascii_run)))
            ascii_run = []
        word = _CN_TRAIL.sub("", _CN_LEAD.sub("", word))
        names.extend(_joined_names(word) if word else [])
    if ascii_run:
        names.extend(_en_names(" ".join(ascii_run)))
    return names


def _en_names(piece: str) -> list[str]:
    return [_EN_LEAD.sub("", part).strip() for part in _EN_AND.split(piece)]


def _is_name(name: str) -> bool:
    low = name.lower()
    return bool(name) and not is_filler(name) and low not in LABEL_KIND and name not in _TIME_WORDS \
        and low not in _EN_NOT_NAMES


def plan_customers(text: str) -> list[str]:
    """Customer names of a plan body, in order, without repeats."""
    names: list[str] = []
    for piece in _NAME_SEP.split(text):
        piece = piece.strip()
        if not piece:
            continue
        for name in (_cjk_names(piece) if has_cjk(piece) else _en_names(piece)):
            name = name.strip(" .-~")
            if _is_name(name) and name not in names:
                names.append(name)
                if len(names) >= MAX_CUSTOMERS:
                    return names
    return names


def _mask_dates(text: str, today: date) -> tuple[str, list[DateHit], list[str]]:
    """Dates, and date-shaped text that is no date, masked so neither passes for
    a name. Days people name may be in the past (nearest occurrence, see dates)."""
    scan = scan_dates(text, today, roll_forward=False)
    chars = list(text)
    for start, end in [(h.start, h.end) for h in scan.hits] + scan.invalid:
        chars[start:end] = _MASK * (end - start)
    return "".join(chars), scan.hits, [text[a:b] for a, b in scan.invalid]


def read_plan(parsed: Parsed, body: str, today: date) -> None:
    """Day (first date; a week or month means its first day) and customers."""
    text = body[:MAX_FIELD_TEXT]
    masked, hits, invalid = _mask_dates(text, today)
    parsed.bad_date = invalid[0] if invalid else None
    if hits:
        parsed.plan_date = first_day(text, hits[0])
    if parsed.action == "mine":
        return
    note = _PLAN_NOTE.search(masked)
    if note:
        parsed.note = text[note.end():].strip() or None
        masked = masked[:note.start()]
    parsed.customers = plan_customers(masked)


# --- approvals ----------------------------------------------------------------------

_GIVE = re.compile(r"^(?:转交给|转给|交给|给|(?i:to)(?![A-Za-z]))\s*")
_DUTY_TAIL = re.compile(r"(?:审批|处理|审核|定夺)$")
_TOKEN = re.compile(r"[^\s,;、。:!?\x00]+")
# Around the delegate's name: "由张伟代批", "请张伟代我审批", "交给张伟". A short
# lead (由/请/让/给) counts only with a tail: "由于出差" names nobody.
_BY_TAIL = re.compile(r"(?:代我审批|代为审批|代理审批|代审批|代我批|代批|代审|代签|代理|审批)$")
_BY_LEAD_WITH_TAIL = re.compile(r"^(?:委托给|委托|交给|由|请|让|给)")
_BY_LEAD_ALONE = re.compile(r"^(?:委托给|交给)")
_EN_SKIP = {"to", "from", "until", "till", "for", "between", "and", "the", "me", "my", "approvals", "approval",
            "delegation", "during", "on", "off", "leave", "by", "approve", "approves", "please"}
_CN_SKIP = {"期间", "请假", "审批", "审批权", "代批", "权限", "我的", "帮我"}
# Why the approver is away is a note, never the delegate: "由于出差", "年假".
_AWAY_REASON = re.compile(r"^(?:由于|因为|原因|理由|出差|休假|年假|病假|事假|产假|婚假|开会|培训|外出)")


def _target_word(word: str) -> str | None:
    word = word.strip(" .")
    if len(word) > 2:
        word = _DUTY_TAIL.sub("", word)
    if not word or is_filler(word) or word.lower() in _EN_SKIP or word in _CN_SKIP:
        return None
    return word


def read_transfer(parsed: Parsed, body: str) -> None:
    """转交 <ref> [给] <target> [note]: the target is one word (a name or a user id)."""
    parsed.ref, rest = ref_and_rest(body)
    rest = _GIVE.sub("", rest)
    for m in _TOKEN.finditer(rest, 0, MAX_FIELD_TEXT):
        target = _target_word(_GIVE.sub("", m.group()))
        if target:
            parsed.target = target
            note = NOTE_LEAD.sub("", rest[m.end():].strip(" ,;:")).strip()
            parsed.note = note or None
            return


def _delegate_words(masked: str) -> tuple[str | None, list[str]]:
    """(target, other words): a marked name ("由张伟代批") beats the first plain word."""
    plain: list[str] = []
    reasons: list[str] = []
    for word in _TOKEN.findall(masked):
        if _BY_TAIL.fullmatch(word):  # "代批" on its own
            continue
        if _AWAY_REASON.match(word):
            reasons.append(NOTE_LEAD.sub("", word) or word)
            continue
        core = _BY_TAIL.sub("", word)
        core = _BY_LEAD_WITH_TAIL.sub("", core) if core != word else _BY_LEAD_ALONE.sub("", core)
        marked = core != word
        if _target_word(core) is None:
            continue
        if marked:
            return core, plain + reasons
        plain.append(core)
    return (plain[0], plain[1:] + reasons) if plain else (None, reasons)


def read_delegate(parsed: Parsed, body: str, today: date) -> None:
    """委托 <target> <from>至<to>: one day only means that day; none leaves both None."""
    text = body[:MAX_FIELD_TEXT]
    # Nearest occurrence: a range already over stays in the past and is refused.
    span = find_span(text, today, roll_forward=False)
    if span is not None:
        parsed.date_from, parsed.date_to = span.first, span.last
        text = text[:span.start] + _MASK * (span.end - span.start) + text[span.end:]
    masked, _, invalid = _mask_dates(text, today)  # a third date must not pass for a name
    parsed.bad_date = invalid[0] if invalid else None
    parsed.target, rest = _delegate_words(masked)
    parsed.note = " ".join(rest) or None
