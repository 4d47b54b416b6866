"""The words that start commands, supplied by whoever offers the commands.

The language layer knows how people write (numbers, dates, amounts, names,
labelled fields); it does not know which commands exist. Capabilities bring
their command words, the verbs they share with others (修改 / 撤销 / 取消 …,
told apart by the number that follows), how the body of each command is read,
and any way of recognising a command that does not start with its word. The
chat core collects them into one :class:`Vocabulary` and hands it to
:func:`domain.language.parse_message`.

A command is named by its *meaning*: ``(intent, action)``, e.g. ``("order",
None)`` for 订货 and ``("order", "cancel")`` for 取消订单.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from .schema import Catalog, Parsed

Meaning = tuple[str, str | None]

UNKNOWN: Meaning = ("unknown", None)


@dataclass(frozen=True)
class IntentMatch:
    intent: str
    action: str | None
    body: str  # message text after the keyword, separators trimmed

    @property
    def meaning(self) -> Meaning:
        return self.intent, self.action


# Reads the body of one command into ``parsed`` (in place).
Reader = Callable[[Parsed, str, date, Catalog], None]
# Recognises a command written without its word first; None when it isn't one.
Recogniser = Callable[[str, date], IntentMatch | None]


def read_nothing(parsed: Parsed, body: str, today: date, catalog: Catalog) -> None:
    """Commands that carry no fields (帮助, 我的订单)."""


@dataclass
class Vocabulary:
    # word → meaning; longer words are tried first, so "特价申请" wins over "特价"
    keywords: dict[str, Meaning] = field(default_factory=dict)
    # shared verb → {number prefix (None: no number / another prefix) → meaning}
    by_ref: dict[str, dict[str | None, Meaning]] = field(default_factory=dict)
    readers: dict[Meaning, Reader] = field(default_factory=dict)
    # tried right after the keywords ("明天拜访计划…"), and last of all ("客户：… 金额：…")
    openers: list[Recogniser] = field(default_factory=list)
    fallbacks: list[Recogniser] = field(default_factory=list)
    # a greeting alone asks for this (the menu)
    greetings: tuple[str, ...] = ()
    greeting_meaning: Meaning | None = None
    # words that begin like a command word but are nouns ("委托书怎么开")
    not_commands: tuple[str, ...] = ()
    # commands that list the sender's own records ("我的报备"), and commands whose
    # body may be such a list command ("查询 我的报备")
    lists: set[Meaning] = field(default_factory=set)
    wraps_lists: set[Meaning] = field(default_factory=set)
    # sorted_words, kept until a word is added (every message reads it; words are
    # added only while the capabilities register, through add_keywords / add_ref_verb)
    _sorted: tuple[tuple[str, Meaning], ...] | None = field(default=None, init=False, repr=False, compare=False)

    def add_keywords(self, meaning: Meaning, words: tuple[str, ...]) -> None:
        self._sorted = None
        for word in words:
            known = self.keywords.get(word.lower())
            if known is not None and known != meaning:
                raise ValueError(f"command word {word!r} already means {known}, not {meaning}")
            self.keywords[word.lower()] = meaning

    def add_ref_verb(self, word: str, prefix: str | None, meaning: Meaning) -> None:
        self._sorted = None
        table = self.by_ref.setdefault(word.lower(), {})
        if table.get(prefix, meaning) != meaning:
            raise ValueError(f"{word!r} before {prefix or 'no number'} already means {table[prefix]}")
        table[prefix] = meaning

    def reader_for(self, meaning: Meaning) -> Reader:
        return self.readers.get(meaning, read_nothing)

    def sorted_words(self) -> tuple[tuple[str, Meaning], ...]:
        """Every starting word, longest first; shared verbs without a keyword of
        their own stand for "unknown" until the number decides."""
        if self._sorted is None:
            words = dict(self.keywords)
            for verb in self.by_ref:
                words.setdefault(verb, UNKNOWN)
            self._sorted = tuple(sorted(words.items(), key=lambda kv: len(kv[0]), reverse=True))
        return self._sorted
