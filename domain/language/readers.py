"""Readers for command bodies that are not field lists, with the one
signature a :class:`~domain.language.vocabulary.Vocabulary` holds:
``reader(parsed, body, today, catalog)``. A capability picks the reader
for each of its commands when it registers the command."""
from __future__ import annotations

import re
from datetime import date

from .commands import MAX_FIELD_TEXT, read_delegate, read_plan, read_ref_command, read_transfer
from .dates import find_dates
from .entities import is_org
from .fields import TOKEN_RE
from .schema import Catalog, Parsed
from .vocabulary import read_nothing

__all__ = [
    "leading_word",
    "read_alias",
    "read_delegation",
    "read_extension",
    "read_name",
    "read_nothing",
    "read_plan_days",
    "read_ref",
    "read_transfer_to",
    "read_visit_note",
]

# Around a word that says what happened: "已报价", "报价了", "报完价"… the word is "报价".
_DONE_BEFORE = re.compile(r"^(?:已经|已|刚刚|刚|今天|昨天)")
_DONE_AFTER = re.compile(r"(?:了|啦|过了|过|完了|完|好了)$")


def leading_word(text: str | None, words: list[str], glued: tuple[str, ...] = ()) -> tuple[str | None, str]:
    """The first word of ``text`` if it is one of ``words`` (particles of a
    done deed around it are passed over: "报价了" is "报价"), and the rest;
    (None, the whole text) otherwise. Longer words are tried first. Only the
    words in ``glued`` may be glued to what follows ("方案报价客户要求演示"):
    a short word at the start of a sentence ("商务宴请") is no such word."""
    text = (text or "").strip()
    head, _, rest = text.partition(" ")
    core = _DONE_AFTER.sub("", _DONE_BEFORE.sub("", head))
    for word in sorted(words, key=len, reverse=True):
        if core == word:
            return word, rest.strip()
        if word in glued and head.startswith(word):
            return word, (head[len(word):] + " " + rest).strip()
    return None, text

_ALIAS_SPLIT = re.compile(r"\s*(?:==|=>|=|->|→)\s*")


def read_alias(parsed: Parsed, body: str, today: date, catalog: Catalog) -> None:
    """别名 吉大一院 = 吉林大学白求恩第一医院: ``note`` the short name, ``customer`` the full one."""
    parts = _ALIAS_SPLIT.split(body, maxsplit=1)
    if len(parts) != 2:
        words = body.split()
        if len(words) != 2:
            return
        parts = words
        if is_org(parts[0]) and not is_org(parts[1]):
            parts = [parts[1], parts[0]]
    short, full = parts[0].strip(" :,;"), parts[1].strip(" :,;")
    parsed.note = short or None
    parsed.customer = full or None


def read_visit_note(parsed: Parsed, body: str, today: date, catalog: Catalog) -> None:
    """拜访小结 …: the whole body is the note; a leading organisation names the customer."""
    parsed.note = body or None
    first = TOKEN_RE.match(body)
    if first and is_org(first.group()):
        parsed.customer = first.group()


def read_name(parsed: Parsed, body: str, today: date, catalog: Catalog) -> None:
    """漏斗 北京康健 / 伙伴 北京康健: the body is one name (``target``), or nothing."""
    parsed.target = body.strip(" :,;")[:MAX_FIELD_TEXT] or None


def read_ref(parsed: Parsed, body: str, today: date, catalog: Catalog) -> None:
    """撤销 / 取消 / 确认 / 查 <number> [reason]."""
    read_ref_command(parsed, body)


def read_extension(parsed: Parsed, body: str, today: date, catalog: Catalog) -> None:
    """延期 <number> [reason]; a date in the reason is the new close date."""
    note = read_ref_command(parsed, body)
    if note:
        dates = find_dates(note[:MAX_FIELD_TEXT], today)
        parsed.close_date = dates[0].value if dates else None


def read_plan_days(parsed: Parsed, body: str, today: date, catalog: Catalog) -> None:
    read_plan(parsed, body, today)


def read_transfer_to(parsed: Parsed, body: str, today: date, catalog: Catalog) -> None:
    read_transfer(parsed, body)


def read_delegation(parsed: Parsed, body: str, today: date, catalog: Catalog) -> None:
    read_delegate(parsed, body, today)
