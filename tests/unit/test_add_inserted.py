"""models.db.add_inserted: a new object written with one plain INSERT and filed in
the session as loaded, on SQLite and PostgreSQL: the row holds what the unit of
work would have written (Python defaults included), reading the object afterwards
sends nothing, a later change is flushed as an UPDATE, a key the database numbers is
read back by the same INSERT, and what it can't do alone (a database-side default, a
related object, a default that reads its context) goes through the unit of work."""
from __future__ import annotations

import pytest
from sqlalchemy import JSON, ForeignKey, String, create_engine, event, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from models.db import add_inserted
from tests.support.statements import counting


class Base(DeclarativeBase):
    pass


class Contextual(Base):
    __tablename__ = "t_contextual"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    twice: Mapped[int] = mapped_column(default=lambda ctx: ctx.get_current_parameters()["id"] * 2)


class Deal(Base):
    __tablename__ = "t_deals"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(40))
    lines: Mapped[list] = mapped_column(JSON, default=list)
    revision: Mapped[int] = mapped_column(default=1)
    note: Mapped[str | None] = mapped_column(String(40))
    terms: Mapped[dict | None] = mapped_column(JSON)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("t_counted.id"))
    owner: Mapped[Counted | None] = relationship()


class Stamped(Base):
    __tablename__ = "t_stamped"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    made: Mapped[str] = mapped_column(String(20), server_default=text("'db'"))


class Counted(Base):
    __tablename__ = "t_counted"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request, tmp_path):
    if request.param == "sqlite":
        eng = create_engine(f"sqlite:///{tmp_path / 'ins.sqlite3'}")
    else:
        eng = create_engine(request.getfixturevalue("pg_url"))
    Base.metadata.create_all(eng)
    yield eng
    eng.dispose()


def test_one_insert_and_the_object_is_loaded(engine):
    with Session(engine) as s, s.begin():
        deal = Deal(id=7, name="协和")
        with counting(engine) as sent:
            add_inserted(s, deal)
            # every column is there: reading them (and flushing) sends nothing more
            assert (deal.lines, deal.revision, deal.note, deal.terms) == ([], 1, None, None)
            s.flush()
        assert len(sent) == 1 and sent.issued[0].lstrip().upper().startswith("INSERT INTO T_DEALS")
        assert inspect(deal).persistent and s.get(Deal, 7) is deal
    with engine.connect() as conn:
        assert conn.execute(select(Deal.__table__)).one() == (7, "协和", [], 1, None, None, None)
        # an unset JSON column is SQL NULL, as the flush leaves it (not JSON null)
        assert conn.execute(select(Deal.id).where(Deal.terms.is_(None))).scalar_one() == 7


def test_a_none_given_lets_the_default_apply_as_the_flush_does(engine):
    with Session(engine) as s, s.begin():
        deal = Deal(id=10, name="默认", revision=None, lines=None)
        add_inserted(s, deal)
        assert deal.revision == 1
    with engine.connect() as conn:
        # JSON stores a None given (the type says so); an integer's None gives way to its default
        assert conn.execute(select(Deal.revision, Deal.lines).where(Deal.id == 10)).one() == (1, None)


def test_a_key_the_database_numbers_is_read_back_by_the_insert(engine):
    with Session(engine) as s, s.begin():
        first, second = Counted(name="一"), Counted(name="二")
        flushes: list[int] = []
        event.listen(s, "before_flush", lambda *_: flushes.append(1))
        with counting(engine) as sent:
            add_inserted(s, first)
            add_inserted(s, second)
            assert second.id == first.id + 1 and not flushes      # no unit of work involved
            s.flush()
        assert [q.lstrip().split()[0].upper() for q in sent.issued] == ["INSERT", "INSERT"]
        assert all("RETURNING" in q.upper() for q in sent.issued)
        assert inspect(first).persistent and s.get(Counted, first.id) is first
        ids = first.id, second.id
    with engine.connect() as conn:
        assert conn.execute(select(Counted.id, Counted.name).order_by(Counted.id)).all() == [
            (ids[0], "一"), (ids[1], "二")]


def test_a_later_change_is_an_update(engine):
    with Session(engine) as s, s.begin():
        deal = Deal(id=8, name="朝阳", lines=["影像"])
        add_inserted(s, deal)
        deal.note = "改过"
        with counting(engine) as sent:
            s.flush()
        assert [q.lstrip().split()[0].upper() for q in sent.issued] == ["UPDATE"]
    with engine.connect() as conn:
        assert conn.execute(select(Deal.note, Deal.lines).where(Deal.id == 8)).one() == ("改过", ["影像"])


def test_what_the_database_must_say_goes_through_the_unit_of_work(engine):
    with Session(engine) as s, s.begin():
        stamped, counted, contextual = Stamped(id=1), Counted(name="自增"), Contextual(id=21)
        owned = Deal(id=11, name="有主", owner=Counted(name="主"))
        for obj in (stamped, counted, contextual, owned):
            add_inserted(s, obj)
        assert counted.id is not None and stamped.made == "db" and contextual.twice == 42
        assert owned.owner_id == owned.owner.id is not None
    with engine.connect() as conn:
        assert conn.execute(select(Stamped.made)).scalar_one() == "db"
        assert conn.execute(select(Counted.name).order_by(Counted.id)).scalars().all() == ["自增", "主"]
        assert conn.execute(select(Contextual.twice)).scalar_one() == 42
        assert conn.execute(select(Counted.name).join(Deal, Deal.owner_id == Counted.id)).scalar_one() == "主"


def test_a_failed_insert_leaves_nothing_filed(engine):
    with Session(engine) as s, s.begin():
        add_inserted(s, Deal(id=9, name="先到"))
    with Session(engine) as s:
        s.begin()
        with pytest.raises(IntegrityError):
            add_inserted(s, Deal(id=9, name="后到"))
        s.rollback()
        assert s.get(Deal, 9).name == "先到"


def test_inside_a_savepoint_it_is_the_unit_of_works(engine):
    """A savepoint rolled back while the session goes on (chat.api's items) must take
    the object with it: there it is added and flushed, so the rollback expunges it."""
    with Session(engine) as s, s.begin():
        nested = s.begin_nested()
        gone = Counted(name="回滚")
        add_inserted(s, gone)
        nested.rollback()
        assert gone not in s
        kept = Counted(name="留下")
        add_inserted(s, kept)
        assert s.get(Counted, kept.id) is kept
    with engine.connect() as conn:
        assert conn.execute(select(Counted.name)).scalars().all() == ["留下"]
