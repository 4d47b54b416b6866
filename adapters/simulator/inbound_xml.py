"""XML of the messages WeCom pushes to the bot's callback URL.

Layouts follow doc path/90239 (接收消息) and path/90240 (事件). Every string
goes in CDATA (with "]]>" split across two sections) and every other value
through ``xml.sax.saxutils.escape``; characters XML 1.0 forbids even in
CDATA are removed, so no user text can break or forge the document.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from xml.sax.saxutils import escape

# XML 1.0 Char production: no C0 controls except tab/LF/CR, no surrogates, no FFFE/FFFF.
_NOT_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TAG = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

Value = str | int | float


class Cdata(str):
    """Marks a value to be written as CDATA (WeCom's choice for strings)."""


def clean_text(text: str) -> str:
    return _NOT_XML_CHAR.sub("", text)


def cdata(text: str) -> str:
    safe = clean_text(text).replace("]]>", "]]]]><![CDATA[>")
    return f"<![CDATA[{safe}]]>"


def build_xml(fields: Iterable[tuple[str, Value]]) -> str:
    """``<xml>`` with one child per field; ``Cdata`` values as CDATA, others escaped."""
    parts = ["<xml>"]
    for tag, value in fields:
        if not _TAG.fullmatch(tag):
            raise ValueError(f"bad tag {tag!r}")
        body = cdata(value) if isinstance(value, Cdata) else escape(clean_text(str(value)))
        parts.append(f"<{tag}>{body}</{tag}>")
    parts.append("</xml>")
    return "".join(parts)


def _msg_id(msg_id: str) -> Value:
    # Numeric ids are written bare as WeCom always did; opaque ones go in CDATA.
    return msg_id if msg_id.isdigit() else Cdata(msg_id)


def _agent_id(agent_id: str | int) -> Value:
    return str(agent_id) if str(agent_id).isdigit() else Cdata(str(agent_id))


def _head(corp_id: str, userid: str, create_time: int, msgtype: str) -> list[tuple[str, Value]]:
    return [("ToUserName", Cdata(corp_id)), ("FromUserName", Cdata(userid)),
            ("CreateTime", int(create_time)), ("MsgType", Cdata(msgtype))]


def text_message(corp_id: str, userid: str, content: str, msg_id: str,
                 agent_id: str | int, create_time: int) -> str:
    return build_xml(_head(corp_id, userid, create_time, "text") + [
        ("Content", Cdata(content)), ("MsgId", _msg_id(msg_id)), ("AgentID", _agent_id(agent_id))])


def location_message(corp_id: str, userid: str, lat: float, lng: float, label: str,
                     msg_id: str, agent_id: str | int, create_time: int, scale: int = 15) -> str:
    # Location_X is the latitude, Location_Y the longitude (doc path/90239).
    return build_xml(_head(corp_id, userid, create_time, "location") + [
        ("Location_X", repr(float(lat))), ("Location_Y", repr(float(lng))), ("Scale", int(scale)),
        ("Label", Cdata(label)), ("MsgId", _msg_id(msg_id)), ("AgentID", _agent_id(agent_id))])


def image_message(corp_id: str, userid: str, pic_url: str, media_id: str, msg_id: str,
                  agent_id: str | int, create_time: int) -> str:
    # PicUrl: where the picture can be fetched; MediaId: for media/get (doc path/90239).
    return build_xml(_head(corp_id, userid, create_time, "image") + [
        ("PicUrl", Cdata(pic_url)), ("MediaId", Cdata(media_id)), ("MsgId", _msg_id(msg_id)),
        ("AgentID", _agent_id(agent_id))])


def card_click_event(corp_id: str, userid: str, task_id: str, key: str, card_type: str,
                     response_code: str, agent_id: str | int, create_time: int) -> str:
    # template_card_event (doc path/90240#模板卡片事件推送); no MsgId on events.
    return build_xml(_head(corp_id, userid, create_time, "event") + [
        ("Event", Cdata("template_card_event")), ("EventKey", Cdata(key)),
        ("TaskId", Cdata(task_id)), ("CardType", Cdata(card_type)),
        ("ResponseCode", Cdata(response_code)), ("AgentID", _agent_id(agent_id))])


def group_text_message(userid: str, name: str, chat_id: str, content: str, msg_id: str, webhook_url: str,
                       create_time: int) -> str:
    """A group message as the group's robot hands it on (the group robot
    callback): the chat, the sender under From, the text under Text, and the
    webhook that posts back into the group. Only messages @-mentioning the
    robot are handed on."""
    sender = (f"<From><UserId>{cdata(userid)}</UserId><Name>{cdata(name)}</Name>"
              f"<Alias>{cdata(userid)}</Alias></From>")
    return (f"<xml><WebhookUrl>{cdata(webhook_url)}</WebhookUrl><ChatId>{cdata(chat_id)}</ChatId>"
            f"<ChatType>group</ChatType>{sender}<CreateTime>{int(create_time)}</CreateTime>"
            f"<MsgType>text</MsgType><Text><Content>{cdata(content)}</Content></Text>"
            f"<MsgId>{cdata(msg_id)}</MsgId></xml>")


def envelope(corp_id: str, encrypt: str, agent_id: str | int) -> str:
    """The outer POST body: only ToUserName, Encrypt and AgentID travel in clear."""
    return build_xml([("ToUserName", Cdata(corp_id)), ("Encrypt", Cdata(encrypt)),
                      ("AgentID", Cdata(str(agent_id)))])
