"""parse_message: cleaned text -> intent -> fields -> Parsed.

The vocabulary says which word starts which command and how that
command's body is read (:mod:`.field_reader` for field lists,
:mod:`.readers` for the rest).
"""
from __future__ import annotations

import logging
from datetime import date

from .catalog import default_catalog
from .intents import detect_intent
from .normalize import clean
from .schema import Catalog, Parsed
from .vocabulary import UNKNOWN, IntentMatch, Vocabulary

log = logging.getLogger(__name__)


def _intent(cleaned: str, today: date, vocabulary: Vocabulary) -> IntentMatch:
    match = detect_intent(cleaned, vocabulary, today)
    if match.meaning in vocabulary.wraps_lists and match.body:
        inner = detect_intent(match.body, vocabulary, today)  # "查询 我的报备", "查看 我的计划"
        if inner.meaning in vocabulary.lists:
            match = inner
    return match


def _parse(text: str, today: date, catalog: Catalog, vocabulary: Vocabulary) -> Parsed:
    match = _intent(clean(text), today, vocabulary)
    parsed = Parsed(intent=match.intent, action=match.action)
    vocabulary.reader_for(match.meaning)(parsed, match.body, today, catalog)
    return parsed


def intent_of(text: str, vocabulary: Vocabulary, today: date | None = None) -> tuple[str, str | None]:
    """(intent, action) exactly as ``parse_message`` gives them, without reading the
    message's fields (no reader changes them): what a caller needs to know a message
    is not the command it looks for, at a fraction of a parse. Never raises."""
    try:
        match = _intent(clean(text), today or date.today(), vocabulary)
    except Exception:
        log.exception("intent_of failed")
        return UNKNOWN[0], None
    return match.intent, match.action


def parse_message(text: str, vocabulary: Vocabulary, today: date | None = None,
                  catalog: Catalog | None = None) -> Parsed:
    """Parse one chat message. Never raises: on any internal error -> intent 'unknown'.

    Orders: a ship-to address (收货地址:/地址:/送到 …) is returned in ``note``
    (followed by any 备注, joined with '；'). Items need a quantity; a code
    mentioned without one is returned in ``products`` so the caller can ask.
    """
    try:
        return _parse(text, today or date.today(), catalog or default_catalog(), vocabulary)
    except Exception:  # the bot must answer something, whatever was typed
        log.exception("parse_message failed")
        return Parsed(intent=UNKNOWN[0])
