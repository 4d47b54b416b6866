"""Reading what the bot delivered, whichever backend a test runs on: the
recording test platform (capability tests) or the local mock of the WeCom API
(adapter and end-to-end tests). Cards come back as one view either way."""
from __future__ import annotations

import time

from tests.support.chat_driver import CardView, RecordingTransport


def _is_wecom(channel) -> bool:
    return not isinstance(channel, RecordingTransport)


def texts_to(channel, user: str) -> list[str]:
    """Text and markdown bodies the bot delivered to ``user``, in order."""
    if not _is_wecom(channel):
        return channel.texts_to(user)
    out = []
    for e in channel.state.messages_to(user):
        p = e["payload"]
        if e["msgtype"] in ("text", "markdown"):
            out.append(p.get("content") or p.get(e["msgtype"], {}).get("content", ""))
    return out


def last_text(channel, user: str) -> str:
    texts = texts_to(channel, user)
    assert texts, f"nothing was sent to {user}"
    return texts[-1]


def _wecom_view(rec) -> CardView:
    card = rec.card
    return CardView(task_id=rec.task_id, title=card.get("main_title", {}).get("title", ""),
                    desc=card.get("main_title", {}).get("desc", ""),
                    rows={r["keyname"]: r["value"] for r in card.get("horizontal_content_list", [])},
                    buttons=[b["text"] for b in card.get("button_list", [])], note=card.get("sub_title_text", ""),
                    stamp=rec.replace_name)


def cards_to(channel, user: str) -> list[CardView]:
    if not _is_wecom(channel):
        return channel.cards_to(user)
    return [_wecom_view(rec) for rec in channel.state.cards_for(user)]


def wait_for(predicate, timeout: float = 10.0, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False
