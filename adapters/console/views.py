"""What every console page shares: template filters (times in the company's
zone, money, states), paging, the form nonce, and flashing the outcome of a
refused operation in the person's words."""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import Blueprint, flash, g, request

from adapters.console import words
from adapters.console.env import ConsoleEnv
from chat.operations import Refused
from domain.rules.words import reason_label, role_word, rule_name
from domain.wording import yuan

PAGE_SIZE = 50
# Past these a page's OFFSET no longer fits the database's integer: they show nothing anyway.
LAST_PAGE = 10**9
FILTER_YEARS = range(1900, 3000)
# A filter or search longer than this is no search anyone types (and SQLite refuses a
# LIKE pattern past 50,000 bytes): the page says so.
LONGEST_FILTER = 500
NOT_FILTERS = frozenset({"next", "state", "code", "problem"})


def install_filters(bp: Blueprint, env: ConsoleEnv) -> None:
    clock = env.svc.clock

    @bp.app_template_filter("local")
    def local(when: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
        return clock.fmt(when, pattern)

    bp.add_app_template_filter(lambda v: yuan(v) if v is not None else "-", "yuan")
    bp.add_app_template_filter(words.status, "status")
    bp.add_app_template_filter(lambda v: words.KIND.get(v, v), "kind")
    bp.add_app_template_filter(lambda v: words.OUTCOME.get(v, v), "outcome")
    bp.add_app_template_filter(lambda v: words.ROLE.get(v, v), "role")
    bp.add_app_template_filter(lambda v: " → ".join(role_word(r) for r in (v or "").split(",") if r), "approver")
    bp.add_app_template_filter(lambda v: rule_name(v or ""), "rule")
    bp.add_app_template_filter(lambda v: "、".join(reason_label(c) for c in (v or "").split(",") if c), "reasons")
    bp.add_app_template_filter(
        lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True, default=str) if v not in (None, {}, []) else "",
        "compact")

    @bp.app_template_global("nonce")
    def nonce() -> str:
        """A fresh id for a form that acts through the inbox: sending it twice does it once."""
        return secrets.token_urlsafe(12)


@dataclass(frozen=True)
class Page:
    number: int
    size: int = PAGE_SIZE

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def page_arg() -> Page:
    try:
        return Page(max(1, min(LAST_PAGE, int(request.args.get("page", 1)))))
    except ValueError:
        return Page(1)


def int_arg(name: str, default: int | None = None, low: int = 0, high: int = 10**9) -> int | None:
    try:
        value = int(request.values.get(name, ""))
    except ValueError:
        return default
    return max(low, min(high, value))


def day_arg(name: str) -> date | None:
    """A day to filter by; one outside FILTER_YEARS filters nothing (its midnight
    in UTC, or the day after it, would fall outside what a date can hold)."""
    try:
        day = date.fromisoformat(request.values.get(name, ""))
    except ValueError:
        return None
    return day if day.year in FILTER_YEARS else None


def start_of(env: ConsoleEnv, day: date) -> datetime:
    """Midnight of a company day, as an aware instant."""
    return datetime.combine(day, time(0), tzinfo=env.svc.clock.tz)


def end_of(env: ConsoleEnv, day: date) -> datetime:
    return start_of(env, day) + timedelta(days=1)


def refused(exc: Refused) -> None:
    flash(f"{exc.zh}（{exc.en}）" if exc.en != exc.zh else exc.zh, "error")


def viewer_id() -> str:
    return g.viewer.external_id
