"""Loads rule files into the database and serves the active version to every worker."""
from __future__ import annotations

import hashlib
import json
import math
import threading
from datetime import date, datetime
from pathlib import Path

import yaml
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from domain.clock import Clock
from domain.rules.base import RuleError
from domain.rules.model import RuleSetData
from domain.rules.numbers import as_stored
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


# A rule file's values, counted as if every alias were written out in full. Anchors
# and aliases (and merge keys, <<: *base) are fine; nested ones that multiply a few
# hundred bytes into billions of values (an "alias bomb") are not.
MOST_VALUES = 100_000


def _values_written_out(root: yaml.Node) -> int:
    """How many values the document holds with its aliases expanded, counted over the
    node graph (an alias is the same node object), without expanding anything."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            sizes[id(node)] = 1
            continue
        if children_done:
            sizes[id(node)] = min(MOST_VALUES + 1, 1 + sum(sizes[id(c)] for c in children))
        else:
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(root)]


def _keys_as_words(value, where: str = ""):
    """Keys as the stored JSON holds them: a number key (tier 1:) as its text, as
    json.dumps writes it; a key that is no word or number (true, ~, a date) is refused."""
    if isinstance(value, list):
        return [_keys_as_words(inner, where) for inner in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, inner in value.items():
        if isinstance(key, int | float) and not isinstance(key, bool) and math.isfinite(key):
            key = str(key)
        if not isinstance(key, str):
            raise RuleError(f"{where or 'the file'}: the key {key!r} must be a word or a number (quote it)")
        out[key] = _keys_as_words(inner, f"{where}.{key}" if where else key)
    return out


def read_yaml(text: str) -> dict:
    """A rule file's text as stored content (dates as 'YYYY-MM-DD'); yaml.YAMLError
    when unreadable, RuleError when readable but no rule file."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return {}
        if _values_written_out(root) > MOST_VALUES:
            raise RuleError(f"the file holds more than {MOST_VALUES:,} values once its aliases (*name) are "
                            f"written out")
        content = loader.construct_document(root)
    except RecursionError:
        raise RuleError("the file is nested too deeply to be a rule file") from None
    except RuleError:
        raise
    except ValueError as exc:           # a date YAML reads, then can't make: 2026-02-30
        raise RuleError(f"a value is no real date or number ({exc})") from None
    finally:
        loader.dispose()
    if content is None:
        return {}
    if not isinstance(content, dict):
        raise RuleError("a rule file must be a mapping of sections (registration:, orders:, …)")
    return _iso_dates(_keys_as_words(content))


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
        content = read_yaml(Path(path).read_text(encoding="utf-8"))
        if not content:        # surely a slip (an empty or truncated file), as the console's check says
            raise RuleError(f"{path} holds no rules (an empty file would make every default the rule)")
        return self.load_content(session, content, source=str(path))

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
        with as_stored():
            data = RuleSetData.from_dict(row.version, row.content, self._tz)
        with self._lock:
            self._cache = data
        return data
