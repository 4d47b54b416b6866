"""Driving the ops console in tests: a one-time sign-in link made the way
`python -m bot console-login` makes one, and the CSRF token of a session."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from adapters.console import links
from models import User


def link_for(app, userid: str, ttl: timedelta = links.LINK_TTL) -> str:
    q = app.extensions["qudao"]
    with q.factory() as s, s.begin():
        user = s.execute(select(User).where(User.external_id == userid)).scalar_one()
        return links.LINK_PATH + links.issue(s, q.clock, user, ttl=ttl)


def signed_in(app, userid: str):
    client = app.test_client()
    r = client.get(link_for(app, userid))
    assert r.status_code == 302, r.get_data(as_text=True)
    return client


def csrf(client) -> str:
    with client.session_transaction() as sess:
        return sess["csrf"]


def nonce_and_action(html: str, ref: str) -> tuple[str, str]:
    """The decide form of the approval row about ``ref``."""
    row = html[html.index(f'data-ref="{ref}"'):]
    action = re.search(r'action="(/console/approvals/[^"]+/decide)"', row).group(1)
    nonce = re.search(r'name="nonce" value="([^"]+)"', row).group(1)
    return action, nonce
