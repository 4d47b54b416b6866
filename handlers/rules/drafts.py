"""Candidate rule sets written in the ops console: checked like a rule file
(a bad one never goes live), kept as drafts, replayed (what-if), then
activated — a new version every worker picks up — or discarded. Every step is
in the audit trail with the person who took it."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import select

from chat import audit
from chat.context import Services
from chat.operations import Refused
from domain.rules.base import INVALID_RULES, RuleError
from domain.rules.model import RuleSetData
from domain.rules.store import as_yaml, checksum, read_yaml
from handlers.rules import whatif
from handlers.rules.texts import t
from models import RuleDraft, RuleDraftStatus, RuleSet

MAX_YAML_CHARS = 200_000


def checked(text: str, tz: str) -> tuple[dict, RuleSetData]:
    """The text as stored content and as rules, or Refused saying where it is wrong."""
    if len(text) > MAX_YAML_CHARS:
        raise Refused(f"规则文本太长（最多 {MAX_YAML_CHARS} 个字符）。",
                      f"The rules are too long (at most {MAX_YAML_CHARS} characters).", code="too_long")
    try:
        content = read_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = getattr(exc, "problem", None) or str(exc)
        raise Refused(t("yaml_error", "zh", line=line, column=column, problem=problem),
                      t("yaml_error", "en", line=line, column=column, problem=problem), code="yaml",
                      line=line, column=column) from exc
    except RuleError as exc:
        raise Refused(t("rule_error", "zh", problem=exc), t("rule_error", "en", problem=exc), code="rules") from exc
    if not content:
        # An empty box (or only comments) would be a draft of every default: surely a slip.
        raise Refused("规则文本是空的，没有保存草稿。", "The rules are empty; no draft was saved.", code="empty")
    return content, rules_of(content, tz)


def rules_of(content: dict, tz: str) -> RuleSetData:
    try:
        return RuleSetData.from_dict(0, content, tz)
    except INVALID_RULES as exc:
        raise Refused(t("rule_error", "zh", problem=exc), t("rule_error", "en", problem=exc), code="rules") from exc


def _active(s) -> RuleSet | None:
    return s.execute(select(RuleSet).where(RuleSet.active.is_(True)).order_by(RuleSet.version.desc())).scalars().first()


def save_draft(svc: Services, actor: str, yaml_text: str) -> int:
    content, _ = checked(yaml_text, svc.clock.tz.key)
    with svc.factory() as s, s.begin():
        active = _active(s)
        draft = RuleDraft(yaml_text=yaml_text, content=content, base_version=active.version if active else None,
                          status=RuleDraftStatus.DRAFT, created_by=actor, created_at=svc.clock.now())
        s.add(draft)
        s.flush()
        audit.record(s, at=svc.clock.now(), actor=actor, action="rules.draft_saved", entity_type="rule_draft",
                     entity_id=draft.id, after={"base_version": draft.base_version, "checksum": checksum(content)})
        return draft.id


def _open_draft(s, draft_id: int) -> RuleDraft:
    draft = s.execute(select(RuleDraft).where(RuleDraft.id == draft_id).with_for_update()).scalar_one_or_none()
    if draft is None:
        raise Refused(t("draft_missing", "zh", id=draft_id), t("draft_missing", "en", id=draft_id), code="missing")
    if draft.status != RuleDraftStatus.DRAFT:
        raise Refused(t("draft_closed", "zh", id=draft_id, status=t(f"status_{draft.status}", "zh")),
                      t("draft_closed", "en", id=draft_id, status=t(f"status_{draft.status}", "en")), code="closed")
    return draft


def activate(svc: Services, actor: str, draft_id: int) -> int:
    """The draft becomes the active version; returns that version."""
    with svc.factory() as s, s.begin():
        draft = _open_draft(s, draft_id)
        active = _active(s)
        if active is not None and draft.base_version != active.version:
            # Someone else activated rules meanwhile: theirs would be silently undone.
            raise Refused(t("draft_stale", "zh", id=draft.id, base=draft.base_version, active=active.version),
                          t("draft_stale", "en", id=draft.id, base=draft.base_version, active=active.version),
                          code="stale")
        if active is not None and active.checksum == checksum(draft.content):
            raise Refused(t("draft_same", "zh"), t("draft_same", "en"), code="same")
        # Checked again: a draft saved under an older, laxer reading of rule files (a
        # fraction where a whole number now must go) is refused here, not a crash.
        rules_of(draft.content, svc.clock.tz.key)
        row = svc.rules.load_content(s, draft.content, source=f"console draft #{draft.id} ({actor})")
        now = svc.clock.now()
        draft.status, draft.decided_by, draft.decided_at, draft.activated_version = (
            RuleDraftStatus.ACTIVATED, actor, now, row.version)
        audit.record(s, at=now, actor=actor, action="rules.activated", entity_type="rule_set", entity_id=row.version,
                     before={"version": active.version if active else None,
                             "checksum": active.checksum if active else None},
                     after={"version": row.version, "checksum": row.checksum, "draft": draft.id})
        return row.version


def discard(svc: Services, actor: str, draft_id: int) -> None:
    with svc.factory() as s, s.begin():
        draft = _open_draft(s, draft_id)
        now = svc.clock.now()
        draft.status, draft.decided_by, draft.decided_at = RuleDraftStatus.DISCARDED, actor, now
        audit.record(s, at=now, actor=actor, action="rules.discarded", entity_type="rule_draft",
                     entity_id=draft.id, after={"base_version": draft.base_version})


def run_what_if(svc: Services, actor: str, draft_id: int, days: int = whatif.DEFAULT_DAYS) -> whatif.WhatIf:
    """The draft replayed over the last ``days`` days; the run is noted in the audit
    trail (who checked what before a change went live), the replay itself writes nothing."""
    days = max(1, min(int(days), 366))
    with svc.factory() as s:
        draft = s.get(RuleDraft, draft_id)
        if draft is None:
            raise Refused(t("draft_missing", "zh", id=draft_id), t("draft_missing", "en", id=draft_id),
                          code="missing")
        content = draft.content
    report = whatif.what_if(svc.factory, svc.clock, rules_of(content, svc.clock.tz.key), days)
    with svc.factory() as s, s.begin():
        audit.record(s, at=svc.clock.now(), actor=actor, action="rules.whatif", entity_type="rule_draft",
                     entity_id=draft_id, after={"days": days, "replayed": dict(report.replayed),
                                                "changed": len(report.cases)})
    return report


@dataclass(frozen=True)
class Source:
    version: int
    text: str               # what to start an edit from
    origin: str             # draft | file | stored


def source_of(svc: Services, version: int | None = None) -> Source | None:
    """The text of a rule version as people wrote it: the console draft it came
    from, or its file when the file still holds exactly it (comments kept), else
    the stored content written out."""
    with svc.factory() as s:
        row = (s.execute(select(RuleSet).where(RuleSet.version == version)).scalar_one_or_none()
               if version is not None else _active(s))
        if row is None:
            return None
        draft = s.execute(select(RuleDraft).where(RuleDraft.activated_version == row.version)).scalars().first()
        if draft is not None:
            return Source(row.version, draft.yaml_text, "draft")
        path = Path(row.source)
        try:
            if path.is_file():
                text = path.read_text(encoding="utf-8")
                if checksum(read_yaml(text)) == row.checksum:
                    return Source(row.version, text, "file")
        except (OSError, ValueError, yaml.YAMLError, RuleError):
            pass        # a file that changed or went away: the stored content is the truth
        return Source(row.version, as_yaml(row.content), "stored")
