"""The registration's timed work, in one sweep and in this order: expiry
warnings and expiry, staleness warnings and recall, then telling the
partners refused on a customer that is now free (after an expiry, a recall
or a lost deal), then the cool-down ends. Each item in its own transaction."""
from __future__ import annotations

from chat import sweeps
from chat.context import Services
from handlers.registration import cooldown, lifecycle, recall


def sweep(svc: Services) -> dict[str, int]:
    counts = lifecycle.expiries(svc)
    counts |= sweeps.each(svc, sweeps.read(svc, recall.due_for_review), recall.review,
                          outcomes=("stale_warned", "recalled"))
    lifecycle.free_notices(svc)
    counts |= sweeps.each(svc, sweeps.read(svc, cooldown.due_notices), cooldown.tell_over,
                          outcomes=("cooldown_told",))
    return counts
