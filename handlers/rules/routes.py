"""What the rules capability offers the ops console: drafts of the rule set,
their what-if replay, activation and discarding, and the text of a version."""
from __future__ import annotations

from chat.registry import Registry
from handlers.rules import drafts


def install(registry: Registry) -> None:
    registry.operation("rules.save_draft", drafts.save_draft)
    registry.operation("rules.whatif", drafts.run_what_if)
    registry.operation("rules.activate", drafts.activate)
    registry.operation("rules.discard", drafts.discard)
    registry.operation("rules.source", lambda svc, actor, version=None: drafts.source_of(svc, version))
