"""`console-login USERID`: a one-time sign-in link for the ops console."""
from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta

from bot.cli.base import database, problem, settings


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("console-login", help="print a one-time sign-in link to the ops console for USERID")
    p.add_argument("userid", help="the user's id (an admin, the director or an area manager)")
    p.add_argument("--minutes", type=int, default=10, help="how long the link stays valid (default 10, at most 60)")
    p.add_argument("--base", help="the console's address (default QUDAO_PUBLIC_URL, else http://127.0.0.1:PORT)")
    p.set_defaults(func=cmd_console_login)


def cmd_console_login(args) -> int:
    from sqlalchemy import select

    from adapters.console import links
    from adapters.console.access import CONSOLE_ROLES, may_use_console
    from chat import audit
    from models import User
    if not 1 <= args.minutes <= 60:
        return problem("--minutes 应为 1–60", "--minutes must be 1..60")
    config = settings()
    _, factory, clock = database(config)
    with factory() as s, s.begin():
        user = s.execute(select(User).where(User.external_id == args.userid)).scalar_one_or_none()
        if user is None:
            print(f"没有用户 {args.userid} (no such user)", file=sys.stderr)
            return 2
        if not may_use_console(user):
            print(f"{user.name} ({user.role}) 没有控制台权限：控制台对 {', '.join(CONSOLE_ROLES)} 开放 "
                  f"(this role has no console)", file=sys.stderr)
            return 2
        token = links.issue(s, clock, user, created_by="cli", ttl=timedelta(minutes=args.minutes))
        audit.record(s, at=clock.now(), actor="cli", action="console.link_issued", entity_type="user",
                     entity_id=user.external_id, after={"minutes": args.minutes})
        name = user.name
    base = args.base or config.public_url or f"http://127.0.0.1:{os.environ.get('PORT') or 8000}"
    print(f"{base.rstrip('/')}{links.LINK_PATH}{token}")
    print(f"一次性登录链接：{name}，{args.minutes} 分钟内有效，只能使用一次 "
          f"(one-time sign-in link for {args.userid}: valid {args.minutes} minutes, once)", file=sys.stderr)
    return 0
