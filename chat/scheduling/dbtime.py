"""The database server's clock, as a SQL expression.

Scheduler processes run on several hosts whose clocks drift apart; a lease
compared against each process's own clock lets two hosts skewed by more than
the lease time both believe they hold it. Compared against one clock, the
database's, they cannot. (Job periods still come from the bot's Clock, which
tests pin; only the lease's "when" comes from here.)

SQLite's CURRENT_TIMESTAMP has whole seconds, too coarse for a lease of a
few seconds, and a different text form from the one SQLAlchemy stores; so on
SQLite the time is written exactly as stored datetimes are ("YYYY-MM-DD
HH:MM:SS.ffffff", UTC), which keeps comparisons with stored values right.
"""
from __future__ import annotations

from sqlalchemy import Float, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from models.base import UTCDateTime


class db_now(FunctionElement):
    """The database's current UTC time plus ``seconds`` (may be negative)."""
    type = UTCDateTime()
    name = "db_now"
    inherit_cache = True

    def __init__(self, seconds: float = 0.0):
        super().__init__(literal(float(seconds), Float()))


@compiles(db_now)
def _generic(element: db_now, compiler, **kw) -> str:        # PostgreSQL and the rest
    return f"(CURRENT_TIMESTAMP + make_interval(secs => {compiler.process(element.clauses, **kw)}))"


@compiles(db_now, "sqlite")
def _sqlite(element: db_now, compiler, **kw) -> str:
    seconds = compiler.process(element.clauses, **kw)
    return f"(strftime('%Y-%m-%d %H:%M:%f', 'now', ({seconds}) || ' seconds') || '000')"
