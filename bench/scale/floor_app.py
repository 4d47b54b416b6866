"""The floor of the ack path: the least a WeCom callback endpoint can do.

wechatpy verifies the signature, decrypts the AES envelope and parses the inner
XML, then an empty 200 — nothing stored, nothing else. Served by the same
gunicorn as Qudao (``gunicorn -w 2 --threads 4 bench.scale.floor_app:app``),
so the difference is what Qudao does on top. A body that fails is a 400."""
from __future__ import annotations

import os
from urllib.parse import parse_qs

import yaml
from wechatpy.enterprise import parse_message
from wechatpy.enterprise.crypto import WeChatCrypto

_HERE = os.path.dirname(os.path.abspath(__file__))
_DEMO = os.path.join(_HERE, "..", "..", "config", "demo", "wecom.yaml")


def _crypto() -> WeChatCrypto:
    with open(_DEMO, encoding="utf-8") as fh:
        demo = yaml.safe_load(fh)
    return WeChatCrypto(os.environ.get("WECOM_TOKEN") or demo["token"],
                        os.environ.get("WECOM_AES_KEY") or demo["aes_key"],
                        os.environ.get("WECOM_CORP_ID") or demo["corp_id"])


CRYPTO = _crypto()


def app(environ, start_response):
    if environ.get("PATH_INFO") == "/healthz":
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "11")])
        return [b'{"ok":true}']
    try:
        size = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(size)
        q = parse_qs(environ.get("QUERY_STRING", ""))
        xml = CRYPTO.decrypt_message(body, q["msg_signature"][0], q["timestamp"][0], q["nonce"][0])
        parse_message(xml)
    except Exception:   # any bad callback is the sender's problem: 400
        start_response("400 Bad Request", [("Content-Length", "0")])
        return [b""]
    start_response("200 OK", [("Content-Length", "0")])
    return [b""]
