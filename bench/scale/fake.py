"""The counting fake platform API on loopback: the project's fake WeCom API
(adapters/simulator: tokens, message/send with WeCom's 30-a-minute-per-member
limit, which drops the excess silently as WeCom does, cards and response codes)
with a record of every delivery and every drop, and a hook a driver can wait on."""
from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Callable

from adapters.simulator import FakeWeComServer
from adapters.simulator.state import RATE_PER_MINUTE, SimulatorState
from bot.settings import load_settings


class CountingState(SimulatorState):
    def __init__(self):
        super().__init__()
        self.deliveries: dict[str, list[float]] = defaultdict(list)   # userid → delivery times
        self.drops: dict[str, list[float]] = defaultdict(list)        # userid → rate-limited send times
        self.listener: Callable[[dict], None] | None = None
        self._count_lock = threading.Lock()

    def add_entry(self, userid, direction, msgtype, payload, *, source, msgid=None, **extra):
        entry = super().add_entry(userid, direction, msgtype, payload, source=source, msgid=msgid, **extra)
        if direction == "bot":
            with self._count_lock:
                self.deliveries[userid].append(entry["time"])
            if self.listener is not None:
                self.listener(entry)
        return entry

    def record_undelivered(self, userid, msgtype, payload, reason, msgid):
        super().record_undelivered(userid, msgtype, payload, reason, msgid)
        if reason == "rate_limited":
            with self._count_lock:
                self.drops[userid].append(self.now())

    def delivered_to(self, userid: str) -> int:
        with self._count_lock:
            return len(self.deliveries.get(userid, ()))

    def pacing(self) -> dict:
        """Per member: the most sends in any 60 s (delivered and dropped), the drops."""
        with self._count_lock:
            worst, worst_user = 0, None
            for user in set(self.deliveries) | set(self.drops):
                times = sorted(self.deliveries.get(user, []) + self.drops.get(user, []))
                lo = 0
                for hi, t in enumerate(times):
                    while times[lo] <= t - 60:
                        lo += 1
                    if hi - lo + 1 > worst:
                        worst, worst_user = hi - lo + 1, user
            dropped = Counter({u: len(v) for u, v in self.drops.items() if v})
            return {"limit_per_minute": RATE_PER_MINUTE, "max_sends_in_60s": worst, "max_member": worst_user,
                    "dropped": sum(dropped.values()), "members_dropped": len(dropped),
                    "delivered": sum(len(v) for v in self.deliveries.values()),
                    "members": len(self.deliveries)}


class CountingFake:
    """The fake WeCom API for the demo app's corp id, secret and agent id; every
    userid is a known member (the bench seeds hundreds)."""

    def __init__(self):
        cfg = load_settings({}).wecom
        self.state = CountingState()
        self.server = FakeWeComServer(corp_id=cfg.corp_id, secret=cfg.secret, agent_id=cfg.agent_id,
                                      known_users=None, state=self.state)
        self.base_url = self.server.base_url

    def close(self) -> None:
        self.server.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
