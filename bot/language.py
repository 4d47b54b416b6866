"""The language parser with every installed command's words: what the CLI's
``parse`` command, the benchmarks and the parser tests read messages with."""
from __future__ import annotations

from datetime import date
from functools import lru_cache

from bot.capabilities import build_router
from domain.language import Catalog, Parsed
from domain.language import parse_message as parse_with
from domain.language.vocabulary import Vocabulary


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    return build_router().registry.vocabulary


def parse_message(text: str, today: date | None = None, catalog: Catalog | None = None) -> Parsed:
    return parse_with(text, vocabulary(), today=today, catalog=catalog)


def _meanings() -> set[tuple[str, str | None]]:
    v = vocabulary()
    return {("unknown", None), *v.keywords.values(), *(m for table in v.by_ref.values() for m in table.values()),
            *v.readers}


# Every intent and action a message can be read as, with the commands installed.
INTENTS = tuple(sorted({intent for intent, _ in _meanings()}))
ACTIONS = tuple(sorted({action for _, action in _meanings() if action}))
