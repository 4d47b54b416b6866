"""What a handler gets: the command's transaction, the sender, and ways to answer."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from chat import addresses, audit, outbox
from chat.kvstore import KvStore
from chat.messages import Card, CardStamp, Inbound, InboundKind, Markdown, Outgoing, Text
from chat.pacing import Limits
from chat.texts import t
from domain.clock import Clock
from domain.language import Catalog, Parsed, parse_message
from domain.rules import RuleSetData, RuleStore
from models import User
from models.catalog import DbCatalog, read_reference

# The language a user last wrote to the bot in (chat.router keeps it up to date).
LANG_KEY = "lang:{user}"
LANG_TTL_S = 90 * 24 * 3600


class RunAgain(Exception):
    """Raised by a command that decided on reads taken without a lock and found, at
    its end under the lock, that they may be stale (only while
    ``Context.may_run_again``). The inbox rolls the command back and runs it again at
    once (``run`` counts); in its last run (``final_run``) it takes its locks first."""


@dataclass(frozen=True)
class MediaSource:
    """A platform's inbound media: ``fetch(media_id) -> (bytes, content type, file
    name)``, and how long the platform keeps them (after that, fetching is futile)."""
    fetch: Callable[[str], tuple[bytes, str, str]]
    kept_for: timedelta


@dataclass(frozen=True)
class PlatformTraits:
    """What a platform can do, as its adapter says. Capabilities and the core
    read these; none of them asks which platform it is."""
    # Interactive cards (buttons) can be posted into a group chat.
    cards_in_groups: bool = False
    # Users can send their position as a chat message (else the bot offers a page).
    location_messages: bool = True


NO_TRAITS = PlatformTraits()


@dataclass
class Services:
    """Built once in create_app; shared by every command."""
    factory: sessionmaker[Session]
    clock: Clock
    rules: RuleStore
    kv: KvStore
    conversation_ttl_s: int = 600
    # what capabilities registered (chat.registry.Registry), set by the composition root
    registry: Any = None
    # where a user with no platform of their own is reached
    default_platform: str = ""
    # platform → where its inbound media (photos) are fetched, set once the adapters exist
    media: dict[str, MediaSource] = field(default_factory=dict)
    # platform → what it can do (set with media)
    traits: dict[str, PlatformTraits] = field(default_factory=dict)
    # (platform, userid, minutes valid) → a link to the bot's position page for
    # that user, for platforms that send no location messages; None: no page
    location_page: Callable[[str, str, int], str] | None = None
    # keys the audit trail's batch hashes (QUDAO_AUDIT_KEY); None: unkeyed
    audit_key: str | None = None
    # (platform, recipient) → the platform's pacing for them (chat.outbox.Deliverer.limits_to):
    # a reply joining a held-back queue is parked by it
    pacing: Callable[[str, str], Limits] = lambda platform, recipient: ()

    def traits_of(self, platform: str | None) -> PlatformTraits:
        return self.traits.get(platform or self.default_platform, NO_TRAITS)


@dataclass
class Context:
    """One command's world. A chat message has an ``inbound`` to answer; timed
    jobs and the ERP API run with ``inbound=None`` and act as ``actor_id``."""
    s: Session
    svc: Services
    inbound: Inbound | None
    inbox_id: int | None
    received_at: datetime           # server receive time: what first-come is decided on
    user: User | None
    lang: str = "zh"
    actor_id: str | None = None     # who acts when there is no inbound message: "system", "erp:…"
    _replies: int = field(default=0, repr=False)
    _rules: RuleSetData | None = field(default=None, repr=False)
    _catalog: DbCatalog | None = field(default=None, repr=False)
    # From a group: what went to the group, what went privately, and the line
    # the group hears when all answers were private (see after_command).
    _group_replies: int = field(default=0, repr=False)
    _private_replies: int = field(default=0, repr=False)
    _group_note: str | None = field(default=None, repr=False)
    # Sends waiting for their turn (see sends_held), and holds not yet released.
    _held: list | None = field(default=None, repr=False)
    _holds: list[HeldSends] = field(default_factory=list, repr=False)
    # Which run of the command this is, and whether its runner allows no other (RunAgain).
    run: int = 1
    final_run: bool = True
    # Steps to run last (see at_end); None: nobody calls finish(), so they run at once.
    _at_end: list[Callable[[], None]] | None = field(default=None, repr=False)

    @classmethod
    def finished_by_runner(cls, run: int = 1, final_run: bool = False, **kwargs) -> Context:
        """A context whose runner calls ``finish`` before it commits and runs the
        command again on RunAgain, unless this is its final run (the inbox)."""
        return cls(**kwargs, run=run, final_run=final_run, _at_end=[])

    @property
    def may_run_again(self) -> bool:
        """Whether the command may raise RunAgain: its runner would run it again."""
        return self._at_end is not None and not self.final_run

    def at_end(self, step: Callable[[], None]) -> None:
        """Run ``step`` as the command's last statements, after all it wrote: a
        capability takes a contended row lock there, so that it is held only until
        the commit. In a context nobody finishes (a timed job, the ERP API) it runs now."""
        if self._at_end is None:
            step()
        else:
            self._at_end.append(step)

    def finish(self) -> None:
        """Called by the runner once the command ran, before its commit: what the
        session still holds is written, then the steps kept by ``at_end``."""
        if not self._at_end:
            return
        self.s.flush()
        steps, self._at_end = self._at_end, []
        for step in steps:
            step()

    @classmethod
    def for_system(cls, s: Session, svc: Services, actor: str = "system", user: User | None = None) -> Context:
        return cls(s=s, svc=svc, inbound=None, inbox_id=None, received_at=svc.clock.now(), user=user,
                   actor_id=actor)

    @property
    def clock(self) -> Clock:
        return self.svc.clock

    @property
    def now(self) -> datetime:
        return self.svc.clock.now()

    @property
    def rules(self) -> RuleSetData:
        """The active rules, the same for the whole command."""
        if self._rules is None:
            self._rules = self.svc.rules.active(self.s)
        return self._rules

    @property
    def catalog(self) -> DbCatalog:
        """The product catalog, read once per command together with the active
        rule version (one statement serves the parser, the handler and the rules)."""
        if self._catalog is None:
            version, self._catalog = read_reference(self.s)
            if self._rules is None and version is not None:
                self._rules = self.svc.rules.at(self.s, version)
        return self._catalog

    @property
    def actor(self) -> str:
        return self.inbound.sender if self.inbound is not None else (self.actor_id or "system")

    @property
    def in_group(self) -> bool:
        return self.inbound is not None and self.inbound.in_group

    @property
    def sender_name(self) -> str:
        ib = self.inbound
        return self.user.name if self.user is not None else (ib.sender_name or ib.sender if ib else "")

    def _enqueue_reply(self, recipient: str, msg: Outgoing) -> None:
        """Keyed by inbox row and order, so re-processing never doubles it."""
        if self.inbound is None:
            raise RuntimeError("a command without an inbound message has nobody to reply to")
        self._replies += 1
        self._put(recipient, msg, f"in:{self.inbox_id}:{self._replies}", self.inbound.platform)

    def _put(self, recipient: str, msg: Outgoing, key: str, platform: str) -> None:
        if self._held is not None:
            self._held.append((recipient, msg, key, platform))
        else:
            outbox.enqueue(self.s, self.clock, recipient, msg, key, platform=platform,
                           limits=self.svc.pacing(platform, recipient))

    def sends_held(self) -> HeldSends:
        """``with ctx.sends_held() as held:`` — what the block sends waits until
        ``held.release()``: an approval card made first (so the reply can name
        who has it) still reaches a shared thread after that reply. Released at
        the end of the command at the latest."""
        return HeldSends(self)

    def reply(self, msg: Outgoing) -> None:
        """Answer where the message was said: the sender's direct chat, or the
        group it came from, naming the sender there. Private details never go
        through here from a group: see reply_private."""
        if not self.in_group:
            self._enqueue_reply(self.inbound.sender, msg)
            return
        if isinstance(msg, Card | CardStamp) and not self.svc.traits_of(self.inbound.platform).cards_in_groups:
            self.reply_private(msg)         # a card that can't live in this group is the sender's to tap
            return
        self._group_replies += 1
        self._enqueue_reply(addresses.of_group(self.inbound.chat_id), self._naming_sender(msg))

    def reply_private(self, msg: Outgoing, group_note: str | None = None) -> None:
        """Answer the sender alone, in their direct chat with the bot, wherever
        they wrote: another partner's details, credit figures, a link made for
        them. From a group, the group hears ``group_note`` (or that the answer
        went privately) unless the command answered there too."""
        if self.in_group:
            self._private_replies += 1
            self._group_note = group_note or self._group_note
        self._enqueue_reply(self.inbound.sender if self.inbound else "", msg)

    def after_command(self) -> None:
        """Called by the router once the command ran: held sends go out, and a
        group that saw a message get no answer of its own while the sender got
        private ones is told so (a tap on a card is seen by nobody else, so it
        needs no such line)."""
        for held in list(self._holds):
            held.release()
        if (self.in_group and self.inbound.kind == InboundKind.TEXT and self._private_replies
                and not self._group_replies):
            self.reply(Text(self._group_note or t("answered_privately", self.lang)))

    def _naming_sender(self, msg: Outgoing) -> Outgoing:
        if isinstance(msg, Text | Markdown) and msg.mention is None:
            return replace(msg, body=f"@{self.sender_name} {msg.body}", mention=self.inbound.sender)
        return msg

    def send(self, user: User, msg: Outgoing, key: str) -> None:
        self._put(user.external_id, msg, key, user.platform or self.svc.default_platform)

    def send_to_group(self, platform: str, chat_id: str, msg: Outgoing, key: str) -> None:
        """A push into a group chat on ``platform`` (an approval's thread)."""
        self.send_to(platform, addresses.of_group(chat_id), msg, key)

    def send_to(self, platform: str, address: str, msg: Outgoing, key: str) -> None:
        """A push to an address (chat.addresses) on a given platform: where a card was placed."""
        self._put(address, msg, key, platform)

    def reply_or_send(self, user: User, msg: Outgoing, key: str) -> None:
        """To ``user`` alone: as a private reply when they sent this message
        (keeps the reply order), else as a push keyed by ``key``."""
        ib = self.inbound
        if ib is not None and ib.sender == user.external_id:
            self.reply_private(msg)
        else:
            self.send(user, msg, key)

    def location_page_link(self, minutes: int) -> str | None:
        """Where the sender can send their position, if their platform has no
        location messages (a page served by the bot, made for them alone and
        good for ``minutes``)."""
        ib = self.inbound
        if ib is None or self.svc.location_page is None or self.svc.traits_of(ib.platform).location_messages:
            return None
        return self.svc.location_page(ib.platform, ib.sender, minutes)

    def publish(self, event: str, **facts: Any) -> None:
        """Tell the capabilities that subscribed to ``event`` (registry.on) what
        happened; they act in this transaction, before this command commits."""
        if self.svc.registry is not None:
            self.svc.registry.publish(self, event, facts)

    def lang_of(self, user: User) -> str:
        """The language ``user`` last wrote to the bot in ("zh" when unknown): a
        push to them (a decision, a reminder) is written in it."""
        if self.inbound is not None and self.user is not None and user.id == self.user.id:
            return self.lang
        return self.svc.kv.get(LANG_KEY.format(user=user.external_id), session=self.s) or "zh"

    def parse(self, text: str, catalog: Catalog | None = None) -> Parsed:
        """Read a chat text with every registered command's words (a follow-up
        answer is read as the command it continues, e.g. "报备 " + answer)."""
        return parse_message(text, self.svc.registry.vocabulary, today=self.clock.today(),
                             catalog=catalog if catalog is not None else self.catalog)

    def audit(self, action: str, entity_type: str, entity_id: Any, before=None, after=None, verdicts=None) -> None:
        audit.record(self.s, at=self.now, actor=self.actor, action=action, entity_type=entity_type,
                     entity_id=entity_id, before=before, after=after, verdicts=verdicts)

    def fmt(self, when: datetime | None, pattern: str = "%m-%d %H:%M") -> str:
        return self.clock.fmt(when, pattern)

    # -- short conversation state (missing fields, reject reasons) -----------
    def _state_key(self) -> str:
        return f"conv:{self.inbound.platform}:{self.inbound.sender}"

    def read_state_ahead(self, *keys: str) -> None:
        """The conversation state and ``keys`` will be read: read them together."""
        self.svc.kv.read_ahead([self._state_key(), *keys], self.s)

    def get_state(self) -> dict | None:
        return self.svc.kv.get(self._state_key(), session=self.s)

    def set_state(self, state: dict) -> None:
        # The conversation keeps the language it started in: a short answer such as
        # "CT" or "80w" says nothing about which language the user reads.
        state = {"lang": self.lang, **state}
        self.svc.kv.set(self._state_key(), state, self.svc.conversation_ttl_s, session=self.s)

    def clear_state(self) -> None:
        self.svc.kv.delete(self._state_key(), session=self.s)


class HeldSends:
    """Sends made inside a ``with`` block, kept back until released (once)."""

    def __init__(self, ctx: Context):
        self._ctx = ctx
        self._items: list = []

    def __enter__(self) -> HeldSends:
        if self._ctx._held is not None:
            raise RuntimeError("sends are already held")
        self._ctx._held = self._items
        self._ctx._holds.append(self)
        return self

    def __exit__(self, *exc) -> None:
        self._ctx._held = None

    def release(self) -> None:
        if self not in self._ctx._holds:
            return
        self._ctx._holds.remove(self)
        for recipient, msg, key, platform in self._items:
            self._ctx._put(recipient, msg, key, platform)
