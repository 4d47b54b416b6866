"""Waking workers without busy polling.

The acknowledgement (any web process, any host) calls ``publish`` after its
commit; every worker thread waits on ``wait`` and wakes at once. Across
processes the word travels by Redis pub/sub when Redis is configured, else by
PostgreSQL's LISTEN/NOTIFY; within a process by a condition variable. A lost
word costs at most one fallback poll (``wait``'s timeout), never a message:
the database, not the wake-up, says what is to do.
"""
from __future__ import annotations

import hashlib
import logging
import threading

from sqlalchemy import Engine

log = logging.getLogger(__name__)

PG_CHANNEL = "qudao_inbox"
# After a word, the next one waits this long: under a burst of acknowledgements a
# web process says one word per gap instead of one per message (a Redis round trip
# and a thread switch each). A lone message's word goes at once; within a burst an
# idle worker learns of new work at most this late, and a busy one claims again
# without a word. At 5 ms the words were 4.5 % of a web process's CPU at 2,000
# acknowledgements a second; at 20 ms, a quarter of that.
WORD_GAP_S = 0.02


class Signal:
    """A counter that waiters watch: no wake-up is lost between a check and a wait."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._gen = 0

    @property
    def generation(self) -> int:
        return self._gen

    def set(self) -> None:
        with self._cond:
            self._gen += 1
            self._cond.notify_all()

    def wait(self, seen: int, timeout: float) -> bool:
        """Until the counter moves past ``seen`` (True) or ``timeout`` passes (False)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._gen != seen, timeout)


class Waker:
    def __init__(self, engine: Engine | None = None, redis_url: str | None = None):
        self.signal = Signal()
        self._relays: list[Signal] = []
        self._engine = engine
        self._redis_url = redis_url
        self._redis = None
        self._pg = engine is not None and engine.dialect.name == "postgresql"
        # One channel per database: deployments (and test runs) sharing a Redis don't wake each other.
        url = engine.url.render_as_string(hide_password=True) if engine is not None else ""
        self.channel = "qudao:wake:" + hashlib.sha256(url.encode()).hexdigest()[:12]
        self._listener: threading.Thread | None = None
        self._stop = threading.Event()
        self._outgoing = threading.Event()
        self._publisher: threading.Thread | None = None
        self._publisher_lock = threading.Lock()
        if redis_url:
            import redis
            self._redis = redis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)

    def relay_to(self, signal: Signal) -> None:
        """Every word this waker hears also sets ``signal``."""
        self._relays.append(signal)

    def _wake(self) -> None:
        self.signal.set()
        for relay in self._relays:
            relay.set()

    @property
    def remote(self) -> str:
        return "redis" if self._redis is not None else "postgresql" if self._pg else "none"

    def publish(self) -> None:
        """New work: wake this process's workers at once and the other processes'
        soon. The word to other processes goes from a thread of its own, so no
        request waits for Redis or PostgreSQL to carry it, and words asked for while
        one is on its way go out as one (a worker woken reads everything committed)."""
        self._wake()
        if self.remote == "none":
            return
        self._outgoing.set()
        if self._publisher is None:
            with self._publisher_lock:
                if self._publisher is None:
                    self._publisher = threading.Thread(target=self._publish_loop, name="qudao-wake-publisher",
                                                       daemon=True)
                    self._publisher.start()

    def _publish_loop(self) -> None:
        while not self._stop.is_set():
            self._outgoing.wait(1.0)
            if not self._outgoing.is_set():
                continue
            # Cleared before sending: a commit that asks after this point gets another word.
            self._outgoing.clear()
            self._send_word()
            self._stop.wait(WORD_GAP_S)

    def _send_word(self) -> None:
        try:
            if self._redis is not None:
                self._redis.publish(self.channel, b"1")
            elif self._pg:
                with self._engine.connect() as conn:
                    conn.exec_driver_sql(f"NOTIFY {PG_CHANNEL}")
                    conn.commit()
        except Exception as exc:   # workers still poll: the message is safe in the database
            log.warning("wake-up not published: %s", exc)

    def listen(self) -> None:
        """Start relaying the other processes' words to this process's waiters."""
        if self._listener is not None or self.remote == "none":
            return
        target = self._listen_redis if self._redis is not None else self._listen_pg
        self._listener = threading.Thread(target=target, name="qudao-wake", daemon=True)
        self._listener.start()

    def close(self) -> None:
        self._stop.set()
        if self._outgoing.is_set():      # a word still owed: say it before going
            self._outgoing.clear()
            self._send_word()
        if self._listener is not None:
            self._listener.join(3)

    def _listen_redis(self) -> None:
        while not self._stop.is_set():
            try:
                pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self.channel)
                self._wake()             # (re)subscribed: look once, words may have been missed
                while not self._stop.is_set():
                    if pubsub.get_message(timeout=1.0) is not None:
                        self._wake()
                pubsub.close()
            except Exception as exc:
                log.warning("wake-up listener (redis): %s; polling meanwhile", exc)
                self._stop.wait(1.0)

    def _listen_pg(self) -> None:
        import psycopg
        dsn = self._engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        while not self._stop.is_set():
            try:
                with psycopg.connect(dsn, autocommit=True) as conn:
                    conn.execute(f"LISTEN {PG_CHANNEL}")
                    self._wake()
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=1.0, stop_after=1):
                            self._wake()
            except Exception as exc:
                log.warning("wake-up listener (postgresql): %s; polling meanwhile", exc)
                self._stop.wait(1.0)
