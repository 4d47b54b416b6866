"""What the simulator's chat page does, for end-to-end tests of the served
embedded default: send as a user, read a user's conversation, fast-forward
the bot's clock."""
from __future__ import annotations

import requests


def say(base: str, user: str, text: str) -> None:
    r = requests.post(base + "/sim/api/send", json={"user": user, "text": text}, timeout=10)
    assert r.status_code == 200 and r.json()["ok"], r.text


def entries(base: str, user: str) -> list[dict]:
    return requests.get(base + "/sim/api/conversation", params={"user": user}, timeout=10).json()["entries"]


def bot_texts(base: str, user: str) -> list[str]:
    return [e["payload"].get("content", "") for e in entries(base, user) if e["direction"] == "bot"]


def advance(base: str, hours: float) -> dict:
    """The page's ⏩: the bot's clock moves on, the embedded scheduler acts at each stop."""
    r = requests.post(base + "/sim/api/clock", json={"advance_hours": hours}, timeout=120)
    assert r.status_code == 200 and r.json()["ok"], r.text
    return r.json()
