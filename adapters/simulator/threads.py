"""The simulator's platforms and group chats: what the page shows and sends
for WeCom 1:1 (chat.py), WeCom groups and DingTalk (1:1 and groups).

Conversations are keyed like the bot's addresses: a userid for a user's
chat with the bot, ``group:<chat id>`` for a group. A group message reaches
the bot only if it @-mentions it (both platforms hand robots only those):
WeCom's as the group robot's callback XML (with the webhook that posts back),
DingTalk's as signed robot JSON; a card click on DingTalk as a sealed event.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import inbound_xml
from .callback import CallbackClient
from .dingtalk import CardClickClient, DingTalkState, RobotClient
from .state import SimulatorState

BOT_MENTION = "@渠道助手"
PLATFORMS = ("wecom", "dingtalk")


@dataclass
class DingTalkSim:
    """The simulated DingTalk: its world, and its side of the robot and card callbacks."""
    state: DingTalkState
    robot: RobotClient
    cards: CardClickClient


class PageError(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


class Threads:
    def __init__(self, wecom: SimulatorState, wecom_client: CallbackClient, dingtalk: DingTalkSim | None,
                 groups_provider: Callable[[], list[dict]], names: Callable[[], dict[str, str]],
                 next_msg_id: Callable[[], str], clock: Callable[[], float], wecom_api_base: Callable[[], str]):
        self.wecom, self.wecom_client, self.dingtalk = wecom, wecom_client, dingtalk
        self.groups_provider, self.names = groups_provider, names
        self.next_msg_id, self.clock, self.wecom_api_base = next_msg_id, clock, wecom_api_base

    # -- reading ------------------------------------------------------------------------
    def platforms(self) -> list[str]:
        return [p for p in PLATFORMS if p == "wecom" or self.dingtalk is not None]

    def groups(self) -> list[dict]:
        return [{"chat_id": g["chat_id"], "title": g["title"], "members": list(g["members"])}
                for g in self.groups_provider()]

    def _group(self, chat_id: str) -> dict:
        found = next((g for g in self.groups() if g["chat_id"] == chat_id), None)
        if found is None:
            raise PageError(f"unknown group {chat_id!r}", 404)
        return found

    def _platform(self, platform: str | None) -> str:
        platform = platform or "wecom"
        if platform not in self.platforms():
            raise PageError(f"unknown platform {platform!r}", 404)
        return platform

    def summary(self, platform: str) -> dict[str, dict]:
        platform = self._platform(platform)
        return (self.dingtalk.state if platform == "dingtalk" else self.wecom).chat_summary()

    def conversation(self, platform: str, chat: str, after: int) -> dict[str, Any]:
        """A group's (or a DingTalk 1:1's) entries and its cards as they are now."""
        platform = self._platform(platform)
        if platform == "wecom":
            return {"entries": self.wecom.conversation(chat, after), "cards": {}}
        state = self.dingtalk.state
        return {"entries": state.conversation(chat, after),
                "cards": {c.out_track_id: c.view() for c in state.cards_in(chat)}}

    # -- sending ------------------------------------------------------------------------
    def send(self, platform: str, user: str, text: str, group_id: str | None) -> dict[str, Any]:
        platform = self._platform(platform)
        group = self._group(group_id) if group_id else None
        if group is not None and user not in group["members"]:
            raise PageError(f"{user} is not in {group['title']}", 403)
        chat = f"group:{group['chat_id']}" if group else user
        mentioned = group is None or BOT_MENTION in text
        if platform == "wecom":
            if group is None:
                raise PageError("WeCom direct messages go through /api/send without a group")
            return self._wecom_group(user, text, group, chat, mentioned)
        return self._dingtalk(user, text, group, chat, mentioned)

    def _not_for_the_bot(self, entry: dict) -> dict[str, Any]:
        return {"ok": True, "delivered": False, "entry_id": entry["id"],
                "note": f"没有 {BOT_MENTION}：群里的人都看得到，机器人收不到"}

    def _wecom_group(self, user: str, text: str, group: dict, chat: str, mentioned: bool) -> dict[str, Any]:
        msg_id = self.next_msg_id()
        entry = self.wecom.add_entry(chat, "user", "text", {"content": text}, source="page", msgid=msg_id,
                                     speaker=user)
        if not mentioned:
            return self._not_for_the_bot(entry)
        key = self.wecom.group_webhook_key(group["chat_id"])
        xml = inbound_xml.group_text_message(user, self.names().get(user, user), group["chat_id"], text, msg_id,
                                             f"{self.wecom_api_base()}webhook/send?key={key}", int(self.clock()))
        result = self.wecom_client.deliver(xml)
        status = {"status": result.status, "error": result.error}
        self.wecom.annotate_entry(entry["id"], callback=status)
        return {"ok": result.ok, "delivered": True, "entry_id": entry["id"], **status}

    def _dingtalk(self, user: str, text: str, group: dict | None, chat: str, mentioned: bool) -> dict[str, Any]:
        state = self.dingtalk.state
        entry = state.add_entry(chat, "user", "text", {"content": text}, source="page", userid=user)
        if not mentioned:
            return self._not_for_the_bot(entry)
        doc = self.dingtalk.robot.message(user, self.names().get(user, user), text,
                                          group=(group["chat_id"], group["title"]) if group else None)
        posted = self.dingtalk.robot.post(doc)
        status = {"status": posted.status, "error": posted.error}
        state.annotate_entry(entry["id"], callback=status, msgid=doc["msgId"])
        return {"ok": posted.ok, "delivered": True, "entry_id": entry["id"], **status}

    def click(self, user: str, out_track_id: str, key: str) -> dict[str, Any]:
        """A tap on a DingTalk card: whoever can see the card may tap it; the bot decides who counts."""
        if self.dingtalk is None:
            raise PageError("no DingTalk here", 404)
        card = self.dingtalk.state.card(out_track_id)
        if card is None:
            raise PageError(f"no card {out_track_id!r}", 404)
        in_group = card.chat.startswith("group:")
        if in_group and user not in self._group(card.chat[len("group:"):])["members"]:
            raise PageError(f"{user} can't see this card", 403)
        if not in_group and card.chat != user:
            raise PageError(f"{user} can't see this card", 403)
        if card.params.get("status") == "done":
            raise PageError("card buttons are no longer active", 409)
        posted = self.dingtalk.cards.post(self.dingtalk.cards.click_event(
            out_track_id, user, key, card.chat[len("group:"):] if in_group else None))
        return {"ok": posted.ok, "status": posted.status, "error": posted.error}
