"""The integer in a path (/console/imports/<int:job_id>) is a row id: no row has
one past a 64-bit integer, and the database driver refuses to bind one (an
OverflowError, a 500). Past that bound the route does not match: a 404."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

LARGEST_ROW_ID = 2**63 - 1


class RowId(IntegerConverter):
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", LARGEST_ROW_ID)
        super().__init__(map, *args, **kwargs)
