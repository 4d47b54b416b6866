"""``intent_of`` says what ``parse_message`` would say of a message's intent and
action without reading its fields; the registration's claim key (read for every
text a worker sequences) uses it to pass over orders, check-ins and the rest
unparsed. Checked on the labelled messages of bench/data and on fuzz."""
from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.language import parse_message, vocabulary
from domain.language import intent_of
from domain.matching import analyse
from handlers.registration.register import claim_key

MESSAGES = [json.loads(line)["text"] for line in
            (Path(__file__).resolve().parents[2] / "bench" / "data" / "parse_messages.jsonl")
            .read_text(encoding="utf-8").splitlines() if line.strip()]
MORE = ["查询 我的报备", "查看 我的计划", "王经理：报备 北京协和医院 彩超 80万", "您好，订货 A100*2",
        "你好 报备 协和医院", "报备状态 RG20261123-0001", "撤销报备 RG20261123-0001", "", "   ", "。。。",
        "订货 A100*3 B200*5", "签到", "委托 张伟 12月5日-12月12日", "hi register Peking Union Hospital 800k"]


def _parsed_claim_key(text: str) -> str | None:
    """The claim key as it was read before: from a whole parse."""
    parsed = parse_message(text)
    if parsed.intent != "register" or parsed.action is not None or not parsed.customer:
        return None
    return analyse(parsed.customer).key[:200]


def test_the_intent_alone_is_the_parsers_on_every_labelled_message():
    assert len(MESSAGES) > 300
    differ = [(text, intent_of(text, vocabulary()), (p.intent, p.action)) for text in MESSAGES + MORE
              if intent_of(text, vocabulary()) != ((p := parse_message(text)).intent, p.action)]
    assert differ == []


def test_the_claim_key_is_the_one_a_whole_parse_gives():
    keys = {text: claim_key(text, vocabulary()) for text in MESSAGES + MORE}
    assert keys == {text: _parsed_claim_key(text) for text in MESSAGES + MORE}
    assert sum(key is not None for key in keys.values()) > 50          # registrations do have keys


_WORDS = st.sampled_from(["报备", "订货", "查询", "我的报备", "撤销", "你好", "王经理：", "签到", "委托", "A100*2",
                          "北京协和医院", "80万", "，", "。", " ", "\n", "RG20261123-0001", "report", "order"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_WORDS, st.text(max_size=6)), max_size=8).map("".join))
def test_fuzzed_text_gets_the_same_intent_either_way(text):
    parsed = parse_message(text)
    assert intent_of(text, vocabulary()) == (parsed.intent, parsed.action)
    assert claim_key(text, vocabulary()) == _parsed_claim_key(text)
