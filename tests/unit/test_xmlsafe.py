"""The WeCom body parser: the dictionary xmltodict would give, for any document
(a hypothesis run against xmltodict itself), with the safety checks kept: no DTD
or entity, no nesting deeper than MAX_DEPTH, an <xml> root."""
from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

import pytest
import xmltodict
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.wecom.xmlsafe import MAX_DEPTH, BadXml, parse_xml

TAGS = st.sampled_from(["ToUserName", "FromUserName", "Content", "MsgId", "a", "b", "UserId", "From"])
TEXT = st.lists(st.sampled_from(list("ab 中文\n\t<>&\"'") + ["]]", "  "]), max_size=8).map("".join)


def _element(depth: int):
    leaf = st.tuples(TAGS, st.dictionaries(st.sampled_from(["k", "type", "id"]), TEXT, max_size=2), TEXT,
                     st.just([]), TEXT, st.booleans())
    if depth == 0:
        return leaf
    inner = st.tuples(TAGS, st.dictionaries(st.sampled_from(["k", "type"]), TEXT, max_size=2), TEXT,
                      st.lists(_element(depth - 1), max_size=4), TEXT, st.booleans())
    return st.one_of(leaf, inner)


def _render(node) -> str:
    tag, attrs, text, children, _tail, cdata = node
    attr = "".join(f" {k}={quoteattr(v)}" for k, v in attrs.items())
    body = f"<![CDATA[{text.replace(']]', '] ]')}]]>" if cdata else escape(text)
    inside = body + "".join(_render(c) + escape(c[4]) for c in children)
    return f"<{tag}{attr}>{inside}</{tag}>"


@settings(max_examples=200, deadline=None)
@given(st.lists(_element(3), min_size=1, max_size=6))
def test_the_same_dictionary_as_xmltodict(children):
    doc = "<xml>" + "".join(_render(c) for c in children) + "</xml>"
    expected = xmltodict.parse(doc, disable_entities=True)["xml"]
    if not isinstance(expected, dict):
        with pytest.raises(BadXml):
            parse_xml(doc)
        return
    assert parse_xml(doc) == expected
    assert parse_xml(doc.encode()) == expected


def test_a_wecom_message_and_its_envelope():
    inner = ("<xml><ToUserName><![CDATA[ww1]]></ToUserName><FromUserName><![CDATA[dealer_bj_li]]></FromUserName>"
             "<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
             "<Content><![CDATA[报备 北京协和医院 80万]]></Content><MsgId>123</MsgId><AgentID>1000002</AgentID>"
             "<From><UserId>u1</UserId><Name> 张三 </Name></From><Empty></Empty></xml>")
    assert parse_xml(inner) == {"ToUserName": "ww1", "FromUserName": "dealer_bj_li", "CreateTime": "1700000000",
                                "MsgType": "text", "Content": "报备 北京协和医院 80万", "MsgId": "123",
                                "AgentID": "1000002", "From": {"UserId": "u1", "Name": "张三"}, "Empty": None}


def test_a_declared_encoding_does_not_change_the_reading():
    doc = '<?xml version="1.0" encoding="GBK"?><xml><a>中文</a></xml>'
    assert parse_xml(doc.encode("utf-8")) == {"a": "中文"} == xmltodict.parse(doc)["xml"]


@pytest.mark.parametrize("doc, expected", [
    ('<xml xmlns:w="urn:x"><w:a>1</w:a><b>2</b></xml>', {"@xmlns:w": "urn:x", "w:a": "1", "b": "2"}),
    ('<xml xml:lang="zh"><a>1</a></xml>', {"@xml:lang": "zh", "a": "1"}),
    ('<xml><a xml:space="preserve">1</a></xml>', {"a": {"@xml:space": "preserve", "#text": "1"}}),
    ("<xml><p:a>1</p:a></xml>", {"p:a": "1"}),
])
def test_prefixed_names_are_kept_as_written_as_xmltodict_does(doc, expected):
    assert parse_xml(doc) == xmltodict.parse(doc)["xml"] == expected


@pytest.mark.parametrize("doc", [
    '<!DOCTYPE x [<!ENTITY e "boom">]><xml><a>&e;</a></xml>',
    "<xml><a>&undeclared;</a></xml>",
    "<xml><a></xml>",
    "<xml>just text</xml>",
    "<xml/>",
    "<other><a>1</a></other>",
    "",
    "<xml>" + "<a>" * MAX_DEPTH + "x" + "</a>" * MAX_DEPTH + "</xml>",
    "<xml>" + "<a>" * 1000 + "x" + "</a>" * 1000 + "</xml>",
    '<xml xmlns:w="urn:x">' + "<w:a>" * 1000 + "</w:a>" * 1000 + "</xml>",
])
def test_refused(doc):
    with pytest.raises(BadXml):
        parse_xml(doc)


def test_as_deep_as_allowed_is_read():
    doc = "<xml>" + "<a>" * (MAX_DEPTH - 1) + "x" + "</a>" * (MAX_DEPTH - 1) + "</xml>"
    value = parse_xml(doc)
    for _ in range(MAX_DEPTH - 2):
        value = value["a"]
    assert value == {"a": "x"}


def test_bytes_that_are_not_utf8_are_a_decode_error():
    with pytest.raises(UnicodeDecodeError):
        parse_xml("<xml><a>中</a></xml>".encode("gbk"))
