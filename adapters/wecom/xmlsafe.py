"""Safe XML parsing for WeCom bodies.

wechatpy parses with xmltodict (expat) before it checks the signature, so an
entity-bearing body would be expanded by an unauthenticated caller. We parse
ourselves with entities disabled (xmltodict >= 1.0.2 refuses them with
ValueError) and treat any parse failure as a client error.
"""
from __future__ import annotations

from xml.parsers.expat import ExpatError

import xmltodict


class BadXml(Exception):
    pass


def parse_xml(body: bytes | str) -> dict:
    if isinstance(body, bytes):
        text = body.decode("utf-8", errors="strict")
    else:
        text = body
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise BadXml("DTD/entities are not accepted")
    try:
        doc = xmltodict.parse(text, disable_entities=True)
    except (ExpatError, ValueError) as exc:
        raise BadXml(str(exc)) from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("xml"), dict):
        raise BadXml("no <xml> root")
    return doc["xml"]
