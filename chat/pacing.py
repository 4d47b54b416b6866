"""A platform's pacing, per recipient: how many messages a member (or a group chat)
may get per window, as its transport says, and what that means for a queue of them.
The outbox counts sends against these limits; here is only the arithmetic."""
from __future__ import annotations

from chat import addresses

Limits = tuple[tuple[int, int], ...]      # (window in seconds, most messages in it)


def limits(transport, recipient: str) -> Limits:
    """A group chat may have limits of its own (a transport's optional
    ``group_send_limits``); a member has the platform's ``send_limits``."""
    group_limits = getattr(transport, "group_send_limits", None)
    if group_limits is not None and addresses.parse(recipient).group:
        return group_limits
    return transport.send_limits


def windows_s(limits: Limits, ahead: int) -> int:
    """The least time the pacing needs to let ``ahead`` messages through (whole
    windows: a window's count may go at once), 0 where nothing is paced."""
    return max(((ahead // count) * window for window, count in limits if count), default=0)
