"""Safe XML parsing for WeCom bodies.

wechatpy parses with xmltodict (expat) before it checks the signature, so an
entity-bearing body would be expanded by an unauthenticated caller. We parse
ourselves with entities disabled (xmltodict >= 1.0.2 refuses them with
ValueError) and treat any parse failure as a client error. Elements nested
deeper than ``MAX_DEPTH`` are refused before the dictionary is built: WeCom's
own payloads are three levels deep, and a thousand levels made later code
(anything that prints or stores the value) recurse until it crashed.
"""
from __future__ import annotations

from xml.parsers import expat
from xml.parsers.expat import ExpatError

import xmltodict

MAX_DEPTH = 8      # <xml><From><UserId> is the deepest WeCom sends


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
        _check_depth(text, MAX_DEPTH)
        doc = xmltodict.parse(text, disable_entities=True)
    except (ExpatError, ValueError) as exc:
        raise BadXml(str(exc)) from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("xml"), dict):
        raise BadXml("no <xml> root")
    return doc["xml"]


def _check_depth(text: str, limit: int) -> None:
    """One expat pass counting open elements (no tree is built)."""
    depth = 0

    def start(_name, _attrs) -> None:
        nonlocal depth
        depth += 1
        if depth > limit:
            raise BadXml(f"elements nested more than {limit} deep")

    def end(_name) -> None:
        nonlocal depth
        depth -= 1

    parser = expat.ParserCreate()
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.Parse(text, True)
