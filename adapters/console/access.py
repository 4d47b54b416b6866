"""Who sees what in the console. Admins see everything; the director sees
every area unless regions are set for them; area managers see their regions.
Partner users and field reps have no console (they work in the chat).

"In an area" means: a record's customer is in one of the regions, or its
partner covers one of them (a Shanghai partner's deal at a Beijing hospital is
both areas' business). Pages build their queries with these filters; a record
outside the viewer's area is "not found" to them."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session

from models import Partner, Role, User

CONSOLE_ROLES = (Role.ADMIN, Role.DIRECTOR, Role.MANAGER)


@dataclass(frozen=True)
class Viewer:
    id: int
    external_id: str
    name: str
    role: str
    regions: tuple[str, ...]

    @classmethod
    def of(cls, user: User) -> Viewer:
        return cls(user.id, user.external_id, user.name, user.role, tuple(user.regions or ()))

    @property
    def all_areas(self) -> bool:
        return self.role == Role.ADMIN or (self.role == Role.DIRECTOR and not self.regions)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def sees_region(self, region: str | None) -> bool:
        return self.all_areas or (region is not None and region in self.regions)


def may_use_console(user: User | None) -> bool:
    return user is not None and user.role in CONSOLE_ROLES


def partner_ids(s: Session, viewer: Viewer) -> list[int] | None:
    """The partners in the viewer's area (None: all of them)."""
    if viewer.all_areas:
        return None
    return [pid for pid, regions in s.execute(select(Partner.id, Partner.regions))
            if set(regions or ()) & set(viewer.regions)]


def in_area(s: Session, viewer: Viewer, region_column, partner_column):
    """A WHERE clause: the region column in the viewer's regions, or the partner
    column among their partners. None when the viewer sees every area."""
    if viewer.all_areas:
        return None
    pids = partner_ids(s, viewer)
    clauses = [region_column.in_(viewer.regions)] if viewer.regions else []
    if pids:
        clauses.append(partner_column.in_(pids))
    return or_(*clauses) if clauses else false()


def where_in_area(query, clause):
    return query if clause is None else query.where(clause)
