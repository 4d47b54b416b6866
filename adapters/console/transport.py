"""The console as a platform of the outbox: what the bot answers a console
action (a decision taken on the page) is an outbox row like any reply; it is
"delivered" by being there, and the page reads it back from the outbox."""
from __future__ import annotations

from chat.messages import Outgoing

PLATFORM = "console"


class ConsoleTransport:
    platform = PLATFORM
    send_limits: tuple[tuple[int, int], ...] = ()    # a page, not a phone: nothing to pace

    def deliver(self, recipient: str, msg: Outgoing, uncertain: bool = False,
                card_ref: str | None = None) -> dict:
        return {"shown": "console"}
