"""What a handler gets: the command's transaction, the sender, and ways to answer."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from chat import audit, outbox
from chat.kvstore import KvStore
from chat.messages import Inbound, Outgoing
from domain.clock import Clock
from domain.language import Catalog, Parsed, parse_message
from domain.rules import RuleSetData, RuleStore
from models import User
from models.catalog import DbCatalog


@dataclass(frozen=True)
class MediaSource:
    """A platform's inbound media: ``fetch(media_id) -> (bytes, content type, file
    name)``, and how long the platform keeps them (after that, fetching is futile)."""
    fetch: Callable[[str], tuple[bytes, str, str]]
    kept_for: timedelta


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
        if self._rules is None:
            self._rules = self.svc.rules.active(self.s)
        return self._rules

    @property
    def actor(self) -> str:
        return self.inbound.sender if self.inbound is not None else (self.actor_id or "system")

    def reply(self, msg: Outgoing) -> None:
        """Answer the sender. Keyed by inbox row, so re-processing never doubles it."""
        if self.inbound is None:
            raise RuntimeError("a command without an inbound message has nobody to reply to")
        self._replies += 1
        outbox.enqueue(self.s, self.clock, self.inbound.sender, msg, f"in:{self.inbox_id}:{self._replies}",
                       platform=self.inbound.platform)

    def send(self, user: User, msg: Outgoing, key: str) -> None:
        outbox.enqueue(self.s, self.clock, user.external_id, msg, key,
                       platform=user.platform or self.svc.default_platform)

    def reply_or_send(self, user: User, msg: Outgoing, key: str) -> None:
        """To ``user``: as a reply when they sent this message (keeps the reply
        order), else as a push keyed by ``key``."""
        ib = self.inbound
        if ib is not None and ib.sender == user.external_id:
            self.reply(msg)
        else:
            self.send(user, msg, key)

    def publish(self, event: str, **facts: Any) -> None:
        """Tell the capabilities that subscribed to ``event`` (registry.on) what
        happened; they act in this transaction, before this command commits."""
        if self.svc.registry is not None:
            self.svc.registry.publish(self, event, facts)

    def parse(self, text: str, catalog: Catalog | None = None) -> Parsed:
        """Read a chat text with every registered command's words (a follow-up
        answer is read as the command it continues, e.g. "报备 " + answer)."""
        return parse_message(text, self.svc.registry.vocabulary, today=self.clock.today(),
                             catalog=catalog if catalog is not None else DbCatalog(self.s))

    def audit(self, action: str, entity_type: str, entity_id: Any, before=None, after=None, verdicts=None) -> None:
        audit.record(self.s, at=self.now, actor=self.actor, action=action, entity_type=entity_type,
                     entity_id=entity_id, before=before, after=after, verdicts=verdicts)

    def fmt(self, when: datetime | None, pattern: str = "%m-%d %H:%M") -> str:
        return self.clock.fmt(when, pattern)

    # -- short conversation state (missing fields, reject reasons) -----------
    def _state_key(self) -> str:
        return f"conv:{self.inbound.platform}:{self.inbound.sender}"

    def get_state(self) -> dict | None:
        return self.svc.kv.get(self._state_key(), session=self.s)

    def set_state(self, state: dict) -> None:
        # The conversation keeps the language it started in: a short answer such as
        # "CT" or "80w" says nothing about which language the user reads.
        state = {"lang": self.lang, **state}
        self.svc.kv.set(self._state_key(), state, self.svc.conversation_ttl_s, session=self.s)

    def clear_state(self) -> None:
        self.svc.kv.delete(self._state_key(), session=self.s)
