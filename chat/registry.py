"""The route table of the chat core. Capabilities register here; the core
never imports them.

Each capability package has a ``routes.py`` whose ``install(registry)`` says
what the capability answers: its commands (with the words that start them
and how their bodies are read), card buttons, conversations waiting for an
answer, other kinds of message (a location, a photo), approval kinds, timed
jobs, HTTP endpoints for other systems, named operations for the ops console,
and its lines of the help menu. The
composition root (``bot.capabilities``) calls every ``install`` once, in
order; the router, the inbox, the scheduler and the HTTP adapter then read
the table. The same idea as bolt-python's listeners and errbot's plugins.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import TYPE_CHECKING, Any

from chat.api import ApiRequest, ApiResponse
from domain.language import Parsed
from domain.language.vocabulary import Meaning, Reader, Recogniser, Vocabulary, read_nothing

if TYPE_CHECKING:
    from chat.context import Context, Services
    from domain.rules import RuleSetData

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class Command:
    meaning: Meaning
    run: Callable[[Context, Parsed], None]
    # Only reads (我的报备, 查询, 帮助): answered even while a conversation waits
    # for free text, which keeps waiting.
    lookup: bool = False


@dataclass(frozen=True)
class Continuation:
    """A conversation waiting for the sender's next message ("which customer?",
    "why do you reject?"), named by the ``flow`` of the conversation state."""
    flow: str
    # Returns whether it took the message (False: route it as a new command).
    run: Callable[[Context, dict, str], bool]
    # A greedy conversation takes every message that is not a lookup (any text
    # is a reason); a plain one only messages that are no command.
    greedy: bool = False
    # A photo (or other non-text message) sent while the conversation waits:
    # offered here first; returns whether it took it (False: its usual handler).
    on_media: Callable[[Context, dict], bool] | None = None
    after_lookup: Callable[[Context, dict], None] | None = None
    # The sender acted on something else meanwhile (tapped a card, typed a
    # decision); the argument is the number that action was about ("" if none).
    moved_on: Callable[[Context, dict, str], None] | None = None
    # What "取消" means while it waits (cancel the draft order it is about);
    # None: the conversation is simply dropped.
    on_cancel: Callable[[Context, dict], None] | None = None


@dataclass(frozen=True)
class CardAction:
    """Buttons of the cards one capability sends: ``find`` the card's subject by
    its task id (None: not one of ours), then ``run`` the click on it."""
    find: Callable[[Context, str], Any | None]
    run: Callable[[Context, Any], None]
    subject_ref: Callable[[Context, Any], str] = lambda ctx, subject: ""


@dataclass(frozen=True)
class TextAction:
    """A message recognised before the language parser ("同意 RG…")."""
    match: Callable[[str], Any | None]
    run: Callable[[Context, Any], None]
    subject_ref: Callable[[Any], str] = lambda found: ""


@dataclass(frozen=True)
class Sweep:
    """Timed work that runs every few seconds or minutes and does whatever came due."""
    name: str
    every_s: int
    run: Callable[[Services], dict | None]


@dataclass(frozen=True)
class CalendarJob:
    """Timed work that runs once per day (or week) at a time the rules set."""
    name: str
    at: Callable[[RuleSetData], time]
    run: Callable[[Services, str, datetime], dict | None]       # (services, period, slot time)
    weekday: Callable[[RuleSetData], int] | None = None         # ISO weekday for weekly jobs


@dataclass(frozen=True)
class Endpoint:
    """An HTTP endpoint for other systems (the ERP), token-authenticated by the adapter."""
    method: str
    path: str
    run: Callable[[Services, ApiRequest], ApiResponse]
    writes: bool = False         # it may enqueue pushes: deliver them soon


@dataclass(frozen=True)
class Operation:
    """Something a front-end other than the chat (the ops console) asks a
    capability to do by name: merge two customers, run an import, replay the
    rules. ``run(services, actor, **params)``: ``actor`` is the user's id (it
    goes into the audit trail); a polite refusal is ``chat.operations.Refused``."""
    name: str
    run: Callable[..., Any]


@dataclass
class HelpSection:
    zh: str
    en: str
    # who sees the line in 帮助 and under a greeting (User.role values); None: everyone
    roles: frozenset[str] | None = None

    def for_role(self, role: str | None) -> bool:
        return self.roles is None or role is None or role in self.roles


@dataclass
class Registry:
    commands: dict[Meaning, Command] = field(default_factory=dict)
    continuations: dict[str, Continuation] = field(default_factory=dict)
    card_actions: list[CardAction] = field(default_factory=list)
    text_actions: list[TextAction] = field(default_factory=list)
    # other kinds of inbound message: "location", "image"
    message_handlers: dict[str, Callable[[Context], None]] = field(default_factory=dict)
    sweeps: list[Sweep] = field(default_factory=list)
    calendar_jobs: list[CalendarJob] = field(default_factory=list)
    endpoints: list[Endpoint] = field(default_factory=list)
    operations: dict[str, Operation] = field(default_factory=dict)
    approval_kinds: dict[str, Any] = field(default_factory=dict)
    help_sections: list[HelpSection] = field(default_factory=list)
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    # Events one capability publishes and others act on (ctx.publish), in the same transaction.
    subscribers: dict[str, list[Callable[[Context, dict], None]]] = field(default_factory=dict)
    # The ordering key of an inbound text: messages with the same key are
    # processed in the order they were received (claims on one customer).
    ordering_key: Callable[[str], str | None] = lambda text: None
    # Run once when a worker starts, before its first message: whatever a capability
    # builds lazily (converters, parsed tables) is built then, not on a user's time.
    warm_ups: list[Callable[[], None]] = field(default_factory=list)

    # -- commands --------------------------------------------------------------
    def command(self, intent: str, action: str | None = None, *, run: Callable[[Context, Parsed], None],
                words: tuple[str, ...] = (), reader: Reader = read_nothing, lookup: bool = False,
                lists: bool = False) -> Command:
        """A chat command: ``words`` start it, ``reader`` reads its body, ``run``
        does it. ``lists``: it lists the sender's own records ("我的报备")."""
        meaning = (intent, action)
        if meaning in self.commands:
            raise ValueError(f"command {meaning} registered twice")
        cmd = Command(meaning, run, lookup)
        self.commands[meaning] = cmd
        self.vocabulary.add_keywords(meaning, words)
        self.vocabulary.readers[meaning] = reader
        if lists:
            self.vocabulary.lists.add(meaning)
        return cmd

    def shared_verb(self, words: tuple[str, ...], prefix: str | None, intent: str, action: str | None = None) -> None:
        """Verbs several capabilities share (修改 / 撤销 / 取消 / 查 …): before a
        number starting with ``prefix`` (None: no number, or another prefix)
        they mean this command."""
        for word in words:
            self.vocabulary.add_ref_verb(word, prefix, (intent, action))

    def opener(self, recognise: Recogniser) -> None:
        """A command recognised when no command word starts the message."""
        self.vocabulary.openers.append(recognise)

    def fallback(self, recognise: Recogniser) -> None:
        """A command recognised when nothing else matched (tried last)."""
        self.vocabulary.fallbacks.append(recognise)

    def not_commands(self, *words: str) -> None:
        """Nouns that begin like one of this capability's command words."""
        self.vocabulary.not_commands = (*self.vocabulary.not_commands, *words)

    def wraps_lists(self, intent: str, action: str | None = None) -> None:
        """This command's body may be a list command ("查询 我的报备")."""
        self.vocabulary.wraps_lists.add((intent, action))

    def greeting(self, intent: str, action: str | None, words: tuple[str, ...]) -> None:
        self.vocabulary.greetings = words
        self.vocabulary.greeting_meaning = (intent, action)

    def command_for(self, parsed: Parsed) -> Command | None:
        return self.commands.get((parsed.intent, parsed.action)) or self.commands.get((parsed.intent, None))

    def is_lookup(self, parsed: Parsed) -> bool:
        cmd = self.command_for(parsed)
        return cmd is not None and cmd.lookup

    # -- everything else a capability answers -------------------------------------
    def continuation(self, flow: str, run: Callable[[Context, dict, str], bool], **kw) -> None:
        if flow in self.continuations:
            raise ValueError(f"conversation {flow!r} registered twice")
        self.continuations[flow] = Continuation(flow, run, **kw)

    def card_action(self, find: Callable[[Context, str], Any | None], run: Callable[[Context, Any], None],
                    subject_ref: Callable[[Context, Any], str] | None = None) -> None:
        self.card_actions.append(CardAction(find, run, subject_ref or (lambda ctx, subject: "")))

    def text_action(self, match: Callable[[str], Any | None], run: Callable[[Context, Any], None],
                    subject_ref: Callable[[Any], str] | None = None) -> None:
        self.text_actions.append(TextAction(match, run, subject_ref or (lambda found: "")))

    def on_message(self, kind: str, run: Callable[[Context], None]) -> None:
        if kind in self.message_handlers:
            raise ValueError(f"messages of kind {kind!r} already handled")
        self.message_handlers[kind] = run

    def sweep(self, name: str, every_s: int, run: Callable[[Services], dict | None]) -> None:
        self.sweeps.append(Sweep(name, every_s, run))

    def calendar_job(self, name: str, at: Callable[[RuleSetData], time],
                     run: Callable[[Services, str, datetime], dict | None],
                     weekday: Callable[[RuleSetData], int] | None = None) -> None:
        self.calendar_jobs.append(CalendarJob(name, at, run, weekday))

    def endpoint(self, method: str, path: str, run: Callable[[Services, ApiRequest], ApiResponse],
                 writes: bool = False) -> None:
        self.endpoints.append(Endpoint(method.upper(), path, run, writes))

    def operation(self, name: str, run: Callable[..., Any]) -> None:
        """A named operation for the ops console (see Operation)."""
        if name in self.operations:
            raise ValueError(f"operation {name!r} registered twice")
        self.operations[name] = Operation(name, run)

    def approval_kind(self, kind: Any) -> None:
        """A kind of subject the approval engine decides (see handlers.approvals.kinds)."""
        if kind.name in self.approval_kinds:
            raise ValueError(f"approval kind {kind.name!r} registered twice")
        self.approval_kinds[kind.name] = kind

    def help(self, zh: str, en: str, roles: tuple[str, ...] | None = None) -> None:
        """Lines of the 帮助 menu, in the order capabilities are installed; ``roles``
        names who sees them (dealer, rep, manager, director, admin), None everyone."""
        self.help_sections.append(HelpSection(zh, en, frozenset(roles) if roles else None))

    # -- events ---------------------------------------------------------------------
    def on(self, event: str, handler: Callable[[Context, dict], None]) -> None:
        """Act when another capability publishes ``event`` ("visit.verified",
        "order.confirmed"). Capabilities of one layer never import each other;
        this is how one tells the other what happened. The handler runs at once,
        in the publisher's transaction, with the facts the publisher gave."""
        self.subscribers.setdefault(event, []).append(handler)

    def publish(self, ctx: Context, event: str, facts: dict) -> None:
        for handler in self.subscribers.get(event, ()):
            handler(ctx, facts)

    def order_by(self, key: Callable[[str], str | None]) -> None:
        self.ordering_key = key

    def warm_up(self, fn: Callable[[], None]) -> None:
        self.warm_ups.append(fn)

    def warm(self) -> None:
        """Each warm-up once; one that fails is logged and skipped (it only costs time)."""
        for fn in self.warm_ups:
            try:
                fn()
            except Exception:
                log.exception("warm-up %r failed", fn)
