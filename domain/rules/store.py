"""Loads rule files into the database and serves the active version to every worker."""
from __future__ import annotations

import hashlib
import json
import threading
from datetime import date, datetime
from pathlib import Path

import yaml
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from domain.clock import Clock
from domain.rules.base import RuleError
from domain.rules.model import RuleSetData
from models import RuleSet


def _iso_dates(value):
    """YAML reads an unquoted 2026-10-01 as a date; the rules are stored as JSON
    and read dates as 'YYYY-MM-DD', so a holiday list is the same quoted or not."""
    if isinstance(value, dict):
        return {k: _iso_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso_dates(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def checksum(content: dict) -> str:
    """What tells two rule sets apart: their content, whatever the comments or key order."""
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class _RuleLoader(yaml.SafeLoader):
    """Safe YAML without aliases: a rule file needs none, and nested aliases expand
    a few hundred bytes into billions of nodes (an "alias bomb")."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.events.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed in a rule file",
                                              event.start_mark)
        return super().compose_node(parent, index)


def _words_as_keys(value, where: str = "") -> None:
    """Every key is a word: JSON (the stored form) and the checksum's sorting need it."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if not isinstance(key, str):
                raise RuleError(f"{where or 'the file'}: the key {key!r} must be a word (quote it)")
            _words_as_keys(inner, f"{where}.{key}" if where else key)
    elif isinstance(value, list):
        for inner in value:
            _words_as_keys(inner, where)


def read_yaml(text: str) -> dict:
    """A rule file's text as stored content (dates as 'YYYY-MM-DD'); yaml.YAMLError
    when unreadable, RuleError when readable but no rule file."""
    try:
        content = yaml.load(text, Loader=_RuleLoader) or {}
    except RecursionError:
        raise RuleError("the file is nested too deeply to be a rule file") from None
    except ValueError as exc:           # a date YAML reads, then can't make: 2026-02-30
        raise RuleError(f"a value is no real date or number ({exc})") from None
    if not isinstance(content, dict):
        raise RuleError("a rule file must be a mapping of sections (registration:, orders:, …)")
    _words_as_keys(content)
    return _iso_dates(content)


def as_yaml(content: dict) -> str:
    """Stored content written out as YAML, sections in their stored order (diffs compare these)."""
    return yaml.safe_dump(content, allow_unicode=True, sort_keys=False, default_flow_style=False)


class RuleStore:
    def __init__(self, clock: Clock):
        self._clock = clock
        self._tz = clock.tz.key
        self._cache: RuleSetData | None = None
        self._lock = threading.Lock()

    def load_file(self, session: Session, path: Path) -> RuleSet:
        """Insert the file as a new active version unless the active one has the same content."""
        return self.load_content(session, read_yaml(Path(path).read_text(encoding="utf-8")), source=str(path))

    def load_content(self, session: Session, content: dict, source: str) -> RuleSet:
        RuleSetData.from_dict(0, content, self._tz)        # validate before anything goes live
        digest = checksum(content)
        active = session.execute(select(RuleSet).where(RuleSet.active.is_(True))
                                 .order_by(RuleSet.version.desc())).scalars().first()
        if active is not None and active.checksum == digest:
            return active
        version = (session.execute(select(func.max(RuleSet.version))).scalar() or 0) + 1
        session.execute(update(RuleSet).where(RuleSet.active.is_(True)).values(active=False))
        row = RuleSet(version=version, checksum=digest, source=source, content=content,
                      active=True, loaded_at=self._clock.now())
        session.add(row)
        session.flush()
        return row

    def active(self, session: Session) -> RuleSetData:
        """The active rules; re-read only when another worker published a new version."""
        return self.at(session, session.execute(select(func.max(RuleSet.version))
                                                .where(RuleSet.active.is_(True))).scalar())

    def at(self, session: Session, version: int | None) -> RuleSetData:
        """The rules of ``version``, the active one as the caller read it (with
        other data in one statement: models.catalog.read_reference); read from
        the database only when this process has not got that version yet."""
        if version is None:
            raise LookupError("no rule set loaded")
        cached = self._cache
        if cached is not None and cached.version == version:
            return cached
        row = session.execute(select(RuleSet).where(RuleSet.version == version)).scalar_one()
        data = RuleSetData.from_dict(row.version, row.content, self._tz)
        with self._lock:
            self._cache = data
        return data
