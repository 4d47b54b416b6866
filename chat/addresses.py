"""Where an outgoing message goes, as one string in the outbox's ``recipient``:
a user (their userid) or a group chat (``group:<the platform's chat id>``).

Userids on both platforms are made of letters, digits and ``_-.@`` (no colon),
so the prefix can't be mistaken for a user. Transports read an address with
``parse`` and deliver each kind their platform's way; the outbox orders and
paces per address, so a group's messages keep their order and its own pace.
"""
from __future__ import annotations

from dataclasses import dataclass

GROUP_PREFIX = "group:"


@dataclass(frozen=True)
class Address:
    id: str
    group: bool = False


def of_group(chat_id: str) -> str:
    return GROUP_PREFIX + chat_id


def parse(recipient: str) -> Address:
    if recipient.startswith(GROUP_PREFIX):
        return Address(recipient[len(GROUP_PREFIX):], group=True)
    return Address(recipient)
