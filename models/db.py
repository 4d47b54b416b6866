"""Engine, sessions and schema (Alembic migrations, also on an empty database)."""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, Table, TextClause, bindparam, create_engine, event, insert, inspect, text
from sqlalchemy.orm import Session, make_transient_to_detached, sessionmaker

ROOT = Path(__file__).resolve().parent.parent


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and ":memory:" not in url:
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            dbapi_conn.isolation_level = None   # we issue BEGIN ourselves (below)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")   # readers don't block the writer
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin_immediate(conn):
            # A deferred transaction that reads, then writes after another connection
            # committed, fails at once with SQLITE_BUSY in WAL mode. Taking the write
            # lock up front makes writers queue on busy_timeout instead. A read-only
            # transaction (read_only below) takes no lock: it never writes.
            conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")

        return engine
    # No pre-ping: it would cost a round trip on every checkout (every callback). A
    # connection the server closed fails once and is discarded (the inbox's accept
    # retries on a fresh one; a command is retried like any failed one), and
    # connections are renewed before server-side idle limits.
    return create_engine(url, pool_size=5, max_overflow=10, pool_recycle=1800)


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    cfg.attributes["engine"] = engine
    return cfg


MIGRATION_LOCK_ID = 7_274_236   # any constant: the advisory lock every worker agrees on


def upgrade_schema(engine: Engine) -> None:
    """Bring the schema to the newest migration (creates it on an empty database).

    Several gunicorn workers start at once; on PostgreSQL an advisory lock lets
    one migrate while the others wait and then find nothing to do.
    """
    cfg = alembic_config(engine)
    if engine.dialect.name != "postgresql":
        command.upgrade(cfg, "head")
        return
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_ID})
        try:
            conn.commit()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            conn.commit()
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_ID})
            conn.commit()


READ_ONLY = "qudao_read_only"


@contextmanager
def read_only(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session in a transaction that can't write (the database refuses any
    write: PostgreSQL's READ ONLY, SQLite's query_only) and is rolled back at
    the end. For replays and reports that must change nothing."""
    engine: Engine = factory.kw["bind"]
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        conn = conn.execution_options(**{READ_ONLY: True})
        raw = conn.connection.dbapi_connection          # PRAGMAs outside any transaction (autocommit)
        if sqlite:
            raw.execute("PRAGMA query_only = ON")
        trans = conn.begin()
        try:
            if not sqlite:
                conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            with Session(bind=conn, expire_on_commit=False) as session:
                yield session
        finally:
            trans.rollback()
            if sqlite:
                raw.execute("PRAGMA query_only = OFF")   # the connection goes back to the pool


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction per command: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session


def insert_of(bind: Session | Engine, entity):
    """The dialect's INSERT for ``entity`` (PostgreSQL or SQLite) on a session's or an
    engine's database: the one that can say ON CONFLICT … DO NOTHING / DO UPDATE."""
    engine = bind.get_bind() if isinstance(bind, Session) else bind
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(entity)


def insert_or_nothing(table: Table, columns: Sequence[str], conflict: Sequence[str],
                      returning: Sequence[str] = (), computed: Mapping[str, str] | None = None,
                      binds: Mapping[str, str] | None = None) -> TextClause:
    """``INSERT … VALUES (:col, …) ON CONFLICT (…) DO NOTHING [RETURNING …]`` for a
    hot path, as one statement object that is compiled once. SQLAlchemy 2.0 has no
    cache key for the dialects' own ``insert()`` (the one that says ON CONFLICT),
    so it compiles such a statement afresh on every execution; a profile of a
    registration found three of them costing more than the rest of its SQL. The
    text is the same on PostgreSQL and SQLite (≥ 3.35); each value is bound with its
    column's type, so JSON and datetimes are stored exactly as the ORM stores them.

    ``computed``: column → an SQL expression written in its place (it may use the
    columns' binds, its own too, and ``binds``: more bind names → the column whose
    type each takes)."""
    computed, binds = computed or {}, binds or {}
    values = ", ".join(f"({computed[c]})" if c in computed else ":" + c for c in columns)
    sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({values}) "
           f"ON CONFLICT ({', '.join(conflict)}) DO NOTHING")
    if returning:
        sql += f" RETURNING {', '.join(returning)}"
    typed = [bindparam(c, type_=table.c[c].type) for c in columns
             if c not in computed or re.search(rf":{c}\b", computed[c])]    # a computed column may bind none
    typed += [bindparam(name, type_=table.c[c].type) for name, c in binds.items()]
    stmt = text(sql).bindparams(*typed)
    return stmt.columns(*(table.c[c] for c in returning)) if returning else stmt


class _NotInsertable(Exception):
    """Something only the database or the unit of work can settle."""


_UNSET = object()


def _python_default(column):
    """The value the unit of work would write for a column it leaves to its
    default: the Python default (a constant, or a zero-argument callable, which
    SQLAlchemy wraps to take a context), or _UNSET when there is none (NULL)."""
    if column.server_default is not None:
        raise _NotInsertable(column.key)
    default = column.default
    if default is None:
        return _UNSET
    if default.is_scalar:
        return default.arg
    if default.is_callable:
        try:
            return default.arg(None)
        except Exception as exc:          # a default that reads its context: the flush's to call
            raise _NotInsertable(column.key) from exc
    raise _NotInsertable(column.key)      # a SQL expression or a sequence: the database's to say


_PLAIN_INSERTS: dict[tuple[Table, bool], object] = {}   # (table, numbered by the database?)


def _insert_values(mapper, obj) -> tuple[dict, dict]:
    """(the INSERT's values by column, every column attribute's value): what the
    unit of work would write. It leaves out a column whose value is None (unless
    the type stores None itself, as JSON does) so that its default applies, or NULL
    when it has none; such a column is left out here too, and the attribute set."""
    table, state = mapper.local_table, obj.__dict__
    if mapper.version_id_col is not None or any(rel.key in state for rel in mapper.relationships):
        raise _NotInsertable("a version counter or a related object to sync")   # the flush's work
    values, attributes = {}, {}
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if getattr(column, "table", None) is not table:
            raise _NotInsertable(prop.key)      # an expression, or another table's column
        value = state.get(prop.key, _UNSET)
        if value is None and not column.type.should_evaluate_none:
            value = _UNSET
        if value is _UNSET:
            value = _python_default(column)
        if value is _UNSET:
            attributes[prop.key] = None
        else:
            values[column.key] = attributes[prop.key] = value
    missing = [c for c in mapper.primary_key if values.get(c.key) is None]
    if missing and (len(missing) > 1 or _made_key(table) is not missing[0]):
        raise _NotInsertable("primary key")
    return values, attributes


def _made_key(table: Table):
    """The table's one primary key column if the database numbers it (an integer
    it assigns on insert, read back with RETURNING), else None."""
    key = table.primary_key.columns.values()
    column = key[0] if len(key) == 1 else None
    return column if column is not None and column is table.autoincrement_column else None


def add_inserted(session: Session, obj) -> None:
    """Write a new object with one plain INSERT, then file it in the session as
    loaded. For a hot path: the unit of work's flush of one row costs several times
    the statement itself (a registration's was a twelfth of its command's CPU).

    The object carries its primary key, or the database numbers it (one integer
    key, read back with RETURNING). Every column attribute is set first (to
    what the flush would have written), so nothing is left to load later; changes
    made afterwards are flushed as UPDATEs, as for any loaded row. What this can't
    do as the flush would (a database-side default, a key still to be made, a
    related object set on it, a version counter, a key made some other way) goes
    through the unit of work.

    A rollback does not take the object out of the session (it never was pending):
    use it where a failed transaction's session is closed, as a command's is; inside a
    savepoint (which may be rolled back while the session goes on) it flushes instead."""
    mapper = inspect(type(obj))
    try:
        if session.in_nested_transaction():
            # A savepoint rolled back leaves the session in use: only a pending object
            # leaves it with its row (chat.api's items each run in one).
            raise _NotInsertable("inside a savepoint")
        values, attributes = _insert_values(mapper, obj)
    except _NotInsertable:
        session.add(obj)
        session.flush()
        return
    for key, value in attributes.items():
        if key not in obj.__dict__ or obj.__dict__[key] is not value:
            setattr(obj, key, value)
    table = mapper.local_table
    made = _made_key(table)
    if made is not None and values.get(made.key) is not None:
        made = None                     # the key is given: nothing to read back
    statement = _PLAIN_INSERTS.get((table, made is not None))
    if statement is None:
        statement = _PLAIN_INSERTS[(table, made is not None)] = (
            insert(table).returning(made) if made is not None else insert(table))
    result = session.execute(statement, values)
    if made is not None:
        setattr(obj, mapper.get_property_by_column(made).key, result.scalar_one())
    make_transient_to_detached(obj)
    session.add(obj)
