"""Safe XML parsing for WeCom bodies.

wechatpy parses with xmltodict (expat) before it checks the signature, so an
entity-bearing body would be expanded by an unauthenticated caller. We parse
ourselves with DTDs refused (so no entity can be declared; an undeclared one is
a parse error) and treat any parse failure as a client error. Elements nested
deeper than ``MAX_DEPTH`` are refused before the dictionary is built: WeCom's
own payloads are three levels deep, and a thousand levels made later code
(anything that prints or stores the value) recurse until it crashed.

Every callback is parsed twice (the envelope, then the decrypted message), so
this is on the acknowledgement's hot path: the tree is built by ElementTree's C
parser and turned into the same dictionary xmltodict gives (``@attr`` keys,
``#text`` beside children or attributes, repeated elements as a list,
whitespace stripped, empty as None), about a quarter of xmltodict's CPU.
Namespaced or prefixed names (which WeCom never sends: ``xmlns``, ``xml:lang``,
an unbound ``p:a``) go to xmltodict itself, which keeps prefixes as written where
ElementTree would expand them or refuse.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
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
    doc = _with_namespaces(text) if "xmlns" in text else _plain(text)
    if not isinstance(doc, dict) or not isinstance(doc.get("xml"), dict):
        raise BadXml("no <xml> root")
    return doc["xml"]


def _plain(text: str) -> dict:
    # Fed as UTF-8 bytes so that a declared encoding is overridden, as xmltodict does.
    parser = ET.XMLParser(encoding="utf-8")
    try:
        parser.feed(text.encode("utf-8"))
        root = parser.close()
    except ET.ParseError as exc:
        if "unbound prefix" in str(exc):      # a prefix without xmlns: xmltodict keeps it as written
            return _with_namespaces(text)
        raise BadXml(str(exc)) from exc
    _check_tree_depth(root, MAX_DEPTH)
    try:
        return {root.tag: _value(root)}
    except _Expanded:                         # xml:lang and the like: ElementTree expanded the prefix
        return _with_namespaces(text)


class _Expanded(Exception):
    """A name ElementTree expanded to {uri}local, which xmltodict keeps as prefix:local."""


def _check_tree_depth(root: ET.Element, limit: int) -> None:
    """Without recursion: the tree may be as deep as the body is long."""
    level = [root]
    for _ in range(limit):
        level = [child for element in level for child in element]
        if not level:
            return
    raise BadXml(f"elements nested more than {limit} deep")


def _value(element: ET.Element) -> dict | str | None:
    """xmltodict's value for one element (depth already bounded, so recursion is safe)."""
    text = (element.text or "") + "".join(child.tail or "" for child in element)
    text = text.strip() or None
    if not element.attrib and len(element) == 0:
        return text
    out: dict = {}
    for name, value in element.attrib.items():
        if name[0] == "{":
            raise _Expanded
        out[f"@{name}"] = value
    for child in element:
        if child.tag[0] == "{":
            raise _Expanded
        value = _value(child)
        if child.tag not in out:
            out[child.tag] = value
        elif isinstance(out[child.tag], list):
            out[child.tag].append(value)
        else:
            out[child.tag] = [out[child.tag], value]
    if text is not None:
        out["#text"] = text
    return out


def _with_namespaces(text: str) -> dict:
    try:
        _check_depth(text, MAX_DEPTH)
        return xmltodict.parse(text, disable_entities=True)
    except (ExpatError, ValueError) as exc:
        raise BadXml(str(exc)) from exc


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
