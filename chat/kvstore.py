"""Short-lived shared state with a TTL: Redis when configured, else the database.

Both are shared by every worker, so conversation state and the access token
never live in one worker's memory only.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import delete, event
from sqlalchemy.orm import Session, sessionmaker

from domain.clock import Clock
from models import KvEntry


class KvStore(Protocol):
    """``session``: the command's transaction, so state changes commit with it (SQL only)."""
    def get(self, key: str, session: Session | None = None) -> Any | None: ...
    def read_ahead(self, keys: list[str], session: Session) -> None:
        """Keys the transaction is about to ``get``, read together where that saves round trips."""
    def set(self, key: str, value: Any, ttl_s: int, session: Session | None = None) -> None: ...
    def delete(self, key: str, session: Session | None = None) -> None: ...


_UNREAD = object()


class RedisKv:
    """With a ``session``, writes wait for that transaction: applied after its
    commit, dropped on rollback, so state never runs ahead of the command
    (a retried command finds the state it started from).

    Within a transaction a key is read from Redis once (``read_ahead`` reads
    several in one round trip), and deleting a key it read as absent sends
    nothing: most commands end by clearing a conversation that never began. (So
    a conversation another command of the same sender started meanwhile, whose
    question the sender has just been asked, is left standing.)"""

    def __init__(self, client, prefix: str = "qudao:"):
        self._r = client
        self._prefix = prefix

    @staticmethod
    def _read(session: Session) -> dict[str, bytes | None]:
        """The raw values this transaction read, by key (kept as read: a caller may
        change the value ``get`` gave it). Outside a transaction nothing is kept."""
        txn = session.get_transaction()
        if txn is None:
            return {}
        held = session.info.get("qudao_kv_read")
        if held is None or held[0] is not txn:
            held = session.info["qudao_kv_read"] = (txn, {})
        return held[1]

    def read_ahead(self, keys: list[str], session: Session) -> None:
        read, pending = self._read(session), session.info.get("qudao_kv_ops", {})
        wanted = [k for k in dict.fromkeys(keys) if k not in read and k not in pending]
        if wanted:
            read.update(zip(wanted, self._r.mget([self._prefix + k for k in wanted]), strict=True))

    def _pending(self, session: Session) -> dict[str, tuple[str, Any, int]]:
        ops = session.info.get("qudao_kv_ops")
        if ops is None:
            ops = session.info["qudao_kv_ops"] = {}
            if not session.info.get("qudao_kv_listening"):
                # Once per session, not once per firing: a session lives through
                # several transactions, and a savepoint's release fires after_commit too.
                session.info["qudao_kv_listening"] = True
                event.listen(session, "after_commit", self._flush)
                event.listen(session, "after_rollback", self._discard)
        return ops

    def _flush(self, session: Session) -> None:
        if session.get_nested_transaction() is not None:
            return              # a savepoint released: the writes wait for the transaction's commit
        session.info.pop("qudao_kv_read", None)
        for key, (op, value, ttl) in session.info.pop("qudao_kv_ops", {}).items():
            if op == "set":
                self._r.set(self._prefix + key, json.dumps(value, ensure_ascii=False), ex=max(1, int(ttl)))
            else:
                self._r.delete(self._prefix + key)

    @staticmethod
    def _discard(session: Session) -> None:
        # A savepoint rolled back drops every write still waiting, its transaction's
        # earlier ones too: nothing here says which came before it.
        session.info.pop("qudao_kv_ops", None)
        session.info.pop("qudao_kv_read", None)

    def get(self, key: str, session: Session | None = None) -> Any | None:
        if session is None:
            raw = self._r.get(self._prefix + key)
            return None if raw is None else json.loads(raw)
        if key in session.info.get("qudao_kv_ops", {}):
            op, value, _ = session.info["qudao_kv_ops"][key]
            return value if op == "set" else None
        read = self._read(session)
        raw = read.get(key, _UNREAD)
        if raw is _UNREAD:
            raw = read[key] = self._r.get(self._prefix + key)
        return None if raw is None else json.loads(raw)

    def set(self, key: str, value: Any, ttl_s: int, session: Session | None = None) -> None:
        if session is not None:
            self._pending(session)[key] = ("set", value, ttl_s)
            return
        self._r.set(self._prefix + key, json.dumps(value, ensure_ascii=False), ex=max(1, int(ttl_s)))

    def delete(self, key: str, session: Session | None = None) -> None:
        if session is not None:
            if key not in session.info.get("qudao_kv_ops", {}) and self._read(session).get(key, _UNREAD) is None:
                return          # absent when this transaction read it: nothing of ours to delete
            self._pending(session)[key] = ("delete", None, 0)
            return
        self._r.delete(self._prefix + key)


class SqlKv:
    """Uses the caller's transaction when given one, else a short one of its own."""

    def __init__(self, factory: sessionmaker[Session], clock: Clock):
        self._factory = factory
        self._clock = clock

    @contextmanager
    def _tx(self, session: Session | None) -> Iterator[Session]:
        if session is not None:
            yield session
            return
        with self._factory() as s, s.begin():
            yield s

    def read_ahead(self, keys: list[str], session: Session) -> None:
        """Nothing to gain: each ``get`` is a primary-key read in the transaction."""

    def get(self, key: str, session: Session | None = None) -> Any | None:
        with self._tx(session) as s:
            row = s.get(KvEntry, key)
            if row is None or row.expires_at <= self._clock.now():
                return None
            return row.value.get("v")

    def set(self, key: str, value: Any, ttl_s: int, session: Session | None = None) -> None:
        with self._tx(session) as s:
            row = s.get(KvEntry, key)
            expires = self._clock.now() + timedelta(seconds=ttl_s)
            if row is None:
                s.add(KvEntry(key=key, value={"v": value}, expires_at=expires))
            else:
                row.value, row.expires_at = {"v": value}, expires
            s.flush()

    def delete(self, key: str, session: Session | None = None) -> None:
        with self._tx(session) as s:
            s.execute(delete(KvEntry).where(KvEntry.key == key))
