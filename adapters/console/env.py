"""What the console is given by the composition root: the core's services,
the way into the inbox (a decision on the page is a neutral message like a
card click), the sign-in providers, and a few switches."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from chat.context import Services
from chat.messages import Inbound


class LoginError(Exception):
    """A platform's sign-in did not name a member (bad or used code, platform error)."""


class LoginProvider(Protocol):
    """A platform's web sign-in (OAuth QR scan): where to send the browser, and
    who the code it comes back with belongs to."""
    name: str                      # "wecom": the path /console/login/<name>
    label: str                     # the button: 企业微信扫码登录

    def authorize_url(self, redirect_uri: str, state: str) -> str: ...

    def userid_for(self, code: str) -> str:
        """The member's userid; LoginError when the code names nobody."""


@dataclass
class ConsoleEnv:
    svc: Services
    # Accept a neutral message into the inbox and have it processed: returns the
    # inbox row id (None: the same message was accepted before).
    submit: Callable[[Inbound, str], int | None]
    logins: dict[str, LoginProvider] = field(default_factory=dict)
    embedded: bool = False             # show how to get a one-time link (`console-login`)
    background_imports: bool = True    # run imports in a thread (tests may run them inline)
    reply_wait_s: float = 8.0          # how long a decision waits for the bot's answer to show it
