"""WeCom callbacks as WeCom sends them: the inner XML, AES-encrypted and signed
(doc path/91144), posted to ``/wecom/callback?msg_signature=…&timestamp=…&nonce=…``.

Requests are built whole (request line, headers, body) as bytes before a run,
so the load generator only writes them: building and encrypting is never
measured. Every request has its own nonce and MsgId, so the bot sees distinct
messages (and a nonce cache never mistakes one for a replay)."""
from __future__ import annotations

import itertools
import random
import secrets
import time
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from adapters.callback_crypto import CallbackCrypto
from bot.settings import load_settings

CALLBACK_PATH = "/wecom/callback"
# Three 北京 dealers of the demo organisation (config/demo/org.yaml): two of
# 北京康健 (P-BJ-KJ), one of 北京华信 (P-BJ-HX); both partners cover 北京市 and 超声.
BEIJING_DEALERS = ("dealer_bj_li", "dealer_bj_wang", "dealer_hx_sun")


class CallbackSigner:
    """Seals inner XML the way WeCom does for the app's Token/EncodingAESKey/corp id."""

    def __init__(self, env: dict[str, str] | None = None):
        cfg = load_settings(env or {}).wecom
        self.corp_id, self.agent_id = cfg.corp_id, cfg.agent_id
        self.token, self.aes_key = cfg.token, cfg.aes_key
        self.crypto = CallbackCrypto(cfg.token, cfg.aes_key, cfg.corp_id)
        self._nonce = itertools.count(secrets.randbelow(10**8) * 100)
        self._msg_id = itertools.count(secrets.randbits(40) << 16)

    def next_msg_id(self) -> str:
        return str(next(self._msg_id))

    def text_xml(self, user: str, content: str, msg_id: str | None = None, ts: int | None = None) -> str:
        ts = int(time.time()) if ts is None else ts
        return (f"<xml><ToUserName><![CDATA[{self.corp_id}]]></ToUserName>"
                f"<FromUserName><![CDATA[{user}]]></FromUserName><CreateTime>{ts}</CreateTime>"
                f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{escape(content)}]]></Content>"
                f"<MsgId>{msg_id or self.next_msg_id()}</MsgId><AgentID>{self.agent_id}</AgentID></xml>")

    def click_xml(self, user: str, task_id: str, key: str, response_code: str, ts: int | None = None) -> str:
        ts = int(time.time()) if ts is None else ts
        return (f"<xml><ToUserName><![CDATA[{self.corp_id}]]></ToUserName>"
                f"<FromUserName><![CDATA[{user}]]></FromUserName><CreateTime>{ts}</CreateTime>"
                f"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event>"
                f"<EventKey><![CDATA[{key}]]></EventKey><TaskId><![CDATA[{task_id}]]></TaskId>"
                f"<CardType><![CDATA[button_interaction]]></CardType>"
                f"<ResponseCode><![CDATA[{response_code}]]></ResponseCode>"
                f"<AgentID>{self.agent_id}</AgentID></xml>")

    def sealed(self, inner: str, ts: int | None = None) -> tuple[str, bytes]:
        """(path with query, body) of one callback."""
        ts = int(time.time()) if ts is None else ts
        nonce = str(next(self._nonce))
        sealed = self.crypto.seal(inner, str(ts), nonce)
        body = (f"<xml><ToUserName><![CDATA[{self.corp_id}]]></ToUserName>"
                f"<Encrypt><![CDATA[{sealed['encrypt']}]]></Encrypt>"
                f"<AgentID>{self.agent_id}</AgentID></xml>").encode()
        query = urlencode({"msg_signature": sealed["msg_signature"], "timestamp": sealed["timestamp"],
                           "nonce": sealed["nonce"]})
        return f"{CALLBACK_PATH}?{query}", body


def http_post(host: str, port: int, path: str, body: bytes) -> bytes:
    """One HTTP/1.1 keep-alive POST, whole, as bytes."""
    head = (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: text/xml\r\n"
            f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n").encode()
    return head + body


class NewCustomers:
    """Names of organisations that are surely not in the database and never the
    same organisation twice to the matcher: 北京 + a two-character trade name (字号)
    drawn from the name generator's tables (leaving out place, industry and type
    words, as its pool does) + an industry word + 有限公司; each (trade name,
    industry) pair once. Trade names that sound alike (利远 / 立远, 益新 / 怡鑫) are
    used once: the matcher rightly asks whether two such names are one customer,
    and the bench wants new customers, approved at once. About 130,000 names."""

    def __init__(self, seed: int = 16):
        from pypinyin import lazy_pinyin

        from bench.namegen.tables import CN, FIRST, INDUSTRIES, SECOND
        from bench.namegen.trade import banned_fragments
        banned, singles = set(banned_fragments()), set("市省区县第" + CN + "百千万亿两")
        by_sound: dict[str, str] = {}
        for a in dict.fromkeys(FIRST):
            for b in dict.fromkeys(SECOND):
                word = a + b
                if a != b and word not in banned and not (singles & set(word)):
                    by_sound.setdefault("".join(lazy_pinyin(word)), word)
        pool = sorted(by_sound.values())
        industries = [w for w, _ in INDUSTRIES]
        rng = random.Random(seed)
        pairs = [(t, i) for t in pool for i in industries]
        rng.shuffle(pairs)
        self._pairs = iter(pairs)

    def __iter__(self):
        return self

    def __next__(self) -> str:
        trade, industry = next(self._pairs)
        return f"北京{trade}{industry}有限公司"


def registration_text(customer: str, rng: random.Random) -> str:
    """A dealer's registration in the usual shape (README): below the tier
    threshold, so a clean one is approved at once."""
    amount = rng.choice((20, 30, 45, 60, 80))
    return f"报备 {customer} 彩超 {amount}万 12月底"


def registrations(signer: CallbackSigner, host: str, port: int, n: int, start: int = 0,
                  dealers=BEIJING_DEALERS) -> list[bytes]:
    """``n`` whole requests: registrations of new customers, the dealers taking
    turns. The customers are names ``start`` … ``start + n - 1`` of one fixed
    sequence, so runs against one database with disjoint ranges never meet."""
    names, rng = itertools.islice(NewCustomers(), start, None), random.Random(start)
    out = []
    for i in range(n):
        path, body = signer.sealed(signer.text_xml(dealers[i % len(dealers)], registration_text(next(names), rng)))
        out.append(http_post(host, port, path, body))
    return out


def contention(signer: CallbackSigner, host: str, port: int, n: int, customer: str,
               dealers=BEIJING_DEALERS) -> list[tuple[str, bytes]]:
    """``n`` claims on one customer, the dealers taking turns: (sender, request)."""
    out = []
    for i in range(n):
        user = dealers[i % len(dealers)]
        path, body = signer.sealed(signer.text_xml(user, f"报备 {customer} 彩超 {50 + i}万"))
        out.append((user, http_post(host, port, path, body)))
    return out
