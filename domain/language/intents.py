"""Intent from the leading keyword: "报备 …", "订货：…", "my deals", "?".

Users type the command word first (that is what the help card teaches), so
only the start of the message is inspected; the rest is handed back as the
body for field parsing. Which words start which command comes from the
:class:`~domain.language.vocabulary.Vocabulary` the capabilities supplied.
Longer keywords are tried first ("特价申请" before "特价", "查询" before
"查"). Refinements, all generic:
- verbs shared by several kinds of record (修改 / 撤销 / 取消 / 确认 / 查) take
  their meaning from the prefix of the number that follows (RG…, SO…, SP…);
- recognisers for commands that open with something else (a plan with its
  day, "明天拜访计划：…") are tried right after the keywords, and those for
  commands written without a leading word ("客户：… 金额：…") last;
- a greeting alone asks for the menu; a speaker prefix ("王经理：报备 …") and
  politeness ("我要报备 …") are passed over.
"""
from __future__ import annotations

import re
from datetime import date

from .fields import LABEL_KIND
from .items import REF_RE
from .vocabulary import UNKNOWN, IntentMatch, Meaning, Vocabulary

# Politeness before the command: "我要报备 …", "请帮我下单 …".
_POLITE = re.compile(r"^(?:请|麻烦|帮我|帮忙|我要|我想|我需要|想要|要)+")
_SPEAKER = re.compile(r"([^\s:]{1,12})\s*:\s*")
# Separators allowed between keyword and body, and decoration around keywords.
LEAD_STRIP = " :,;、.。!~-【】[]"
_REF_WINDOW = 200  # the number follows the verb; no need to search a pasted essay
_PREFIX = re.compile(r"[A-Za-z]+")


def _by_ref(vocabulary: Vocabulary, word: str, body: str) -> Meaning | None:
    """What a shared verb means given the number in its body (None: no command)."""
    table = vocabulary.by_ref[word]
    m = REF_RE.search(body[:_REF_WINDOW])
    prefix = _PREFIX.match(m.group("ref")).group().upper() if m else None  # type: ignore[union-attr]
    return table.get(prefix, table.get(None))


def _keyword_at_start(vocabulary: Vocabulary, text: str) -> IntentMatch | None:
    low = text.lower()
    if vocabulary.not_commands and low.startswith(vocabulary.not_commands):
        return None
    for word, meaning in vocabulary.sorted_words():
        if not low.startswith(word):
            continue
        nxt = low[len(word):len(word) + 1]
        # ASCII keywords need a word boundary: "reg" must not match "regular".
        if word.isascii() and word[-1].isalnum() and nxt.isascii() and nxt.isalnum():
            continue
        body = text[len(word):].lstrip(LEAD_STRIP + "\n")
        if word in vocabulary.by_ref:
            found = _by_ref(vocabulary, word, body)
            if found is None:
                continue
            meaning = found
        return IntentMatch(meaning[0], meaning[1], body)
    return None


def _recognised(recognisers, text: str, today: date) -> IntentMatch | None:
    for recognise in recognisers:
        hit = recognise(text, today)
        if hit is not None:
            return hit
    return None


def detect_intent(text: str, vocabulary: Vocabulary, today: date | None = None) -> IntentMatch:
    """Classify a cleaned message; the fallback is intent 'unknown'.

    ``today`` only helps recognise a leading date; spans do not depend on it.
    """
    today = today or date.today()
    text = text.strip().lstrip(LEAD_STRIP)
    if not text:
        return IntentMatch(*UNKNOWN, "")
    hit = _keyword_at_start(vocabulary, text) or _recognised(vocabulary.openers, text, today)
    if hit:
        return hit
    low = text.lower()
    for greeting in vocabulary.greetings:
        if low.startswith(greeting):
            rest = text[len(greeting):]
            if rest[:1].isascii() and rest[:1].isalpha():
                continue  # "history", "hint": not a greeting
            rest = rest.lstrip(LEAD_STRIP + "\n")
            inner = detect_intent(rest, vocabulary, today) if rest else None
            if (inner is None or inner.meaning == UNKNOWN) and vocabulary.greeting_meaning:
                return IntentMatch(*vocabulary.greeting_meaning, rest)
            if inner is not None:
                return inner
    # "王经理：报备 …" (a quoted or forwarded line): a short speaker prefix
    # ending in a colon, then a keyword.
    speaker = _SPEAKER.match(text)
    if speaker and speaker.group(1).lower() not in LABEL_KIND:
        hit = _keyword_at_start(vocabulary, text[speaker.end():])
        if hit:
            return hit
    polite = _POLITE.match(text)
    if polite and polite.end() < len(text):
        hit = _keyword_at_start(vocabulary, text[polite.end():])
        if hit:
            return hit
    return _recognised(vocabulary.fallbacks, text, today) or IntentMatch(*UNKNOWN, text)
