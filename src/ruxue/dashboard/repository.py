"""Reads of the materialised aggregates. ``narrowed`` is the one place that limits them to the
caller's scope: the city for the administrator, a district for its reviewers, a school for its desk."""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.dashboard.models import Refresh, Stat
from ruxue.kit.errors import Forbidden
from ruxue.reference.districts import district_label
from ruxue.reference.models import School
from ruxue.staff.auth import Staff

CITY_ROLES = ("admin", "archivist")
# the undated metrics the figures read; the hourly rows are read only by ``series``
FIGURES = (
    "apps",
    "reported",
    "backlog",
    "backlog_over",
    "needs_materials",
    "rating",
    "overdue",
    "archive",
)


@dataclass(frozen=True)
class Scope:
    district: str = ""
    school: str = ""

    @property
    def level(self) -> str:
        return "school" if self.school else "district" if self.district else "city"

    def label(self, school_name: str = "") -> str:
        if self.school:
            return school_name or self.school
        return district_label(self.district) if self.district else "苏州市"


def scope_for(staff: Staff, district: str = "", school: str = "") -> Scope:
    """What the caller asked for, within what their role may see."""
    if staff.role in CITY_ROLES:
        return Scope(district, school)
    if staff.role == "reviewer" and staff.district_code:
        return Scope(staff.district_code, school)
    if staff.role == "desk" and staff.school_code:
        return Scope(staff.district_code or district, staff.school_code)
    raise Forbidden("无权查看监管看板")


async def checked_scope(
    session: AsyncSession, staff: Staff, district: str = "", school: str = ""
) -> Scope:
    """``scope_for``, refusing a district reviewer a school of another district (narrowed to
    their district it would be an empty dashboard under that school's code)."""
    scope = scope_for(staff, district, school)
    if staff.role == "reviewer" and scope.school:
        where = await session.scalar(select(School.district_code).where(School.code == school))
        if where != scope.district:
            raise Forbidden("只能查看本区学校的监管看板")
    return scope


Query = TypeVar("Query", bound=Select)


def narrowed(query: Query, scope: Scope) -> Query:
    if scope.district:
        query = query.where(Stat.district_code == scope.district)
    if scope.school:
        query = query.where(Stat.school_code == scope.school)
    return query


Figures = dict[tuple[str, str], tuple[int, float]]


async def totals(session: AsyncSession, scope: Scope) -> Figures:
    """(metric, key) -> (n, total) summed over the scope."""
    query = select(Stat.metric, Stat.key, func.sum(Stat.n), func.sum(Stat.total)).group_by(
        Stat.metric, Stat.key
    )
    rows = await session.execute(narrowed(query, scope).where(Stat.metric.in_(FIGURES)))
    return {(m, k): (int(n), float(t)) for m, k, n, t in rows}


async def by_unit(session: AsyncSession, scope: Scope, unit: str) -> dict[str, Figures]:
    """(metric, key) -> (n, total) per district or per school of the scope."""
    column = Stat.district_code if unit == "district" else Stat.school_code
    query = select(column, Stat.metric, Stat.key, func.sum(Stat.n), func.sum(Stat.total))
    query = narrowed(query.group_by(column, Stat.metric, Stat.key), scope)
    out: defaultdict[str, Figures] = defaultdict(dict)
    for code, m, k, n, t in await session.execute(query.where(Stat.metric.in_(FIGURES))):
        out[code][(m, k)] = (int(n), float(t))
    return dict(out)


async def series(
    session: AsyncSession, scope: Scope, by: str
) -> Sequence[tuple[dt.datetime, str, str, int, int]]:
    """Hourly applications and automatic decisions per district (the city reads the district
    roll-up, a tenth of the rows) or per school (a district, a school), and channel."""
    city = not scope.district and by != "school"
    column = Stat.district_code if city else Stat.school_code
    query = select(Stat.bucket, column, Stat.channel, func.sum(Stat.n), func.sum(Stat.total))
    query = query.where(Stat.metric == ("hourly_d" if city else "hourly"))
    query = narrowed(query.group_by(Stat.bucket, column, Stat.channel), scope).order_by(Stat.bucket)
    rows = await session.execute(query)
    return [(b, c, ch, int(a or 0), int(u or 0)) for b, c, ch, a, u in rows if b is not None]


async def departments(session: AsyncSession) -> dict[str, dict[str, float]]:
    query = select(Stat.metric, Stat.key, func.sum(Stat.n), func.sum(Stat.total)).where(
        Stat.metric.in_(("dept", "dept_latency"))
    )
    out: defaultdict[str, dict[str, float]] = defaultdict(dict)
    for metric, department, n, total in await session.execute(
        query.group_by(Stat.metric, Stat.key)
    ):
        if metric == "dept":
            out[department].update(calls=int(n), answered=int(total))
        else:
            out[department].update(p50_ms=float(n), p95_ms=float(total))
    return dict(out)


async def schools_of(session: AsyncSession, scope: Scope) -> Sequence[School]:
    query = select(School).order_by(School.code)
    if scope.district:
        query = query.where(School.district_code == scope.district)
    if scope.school:
        query = query.where(School.code == scope.school)
    return (await session.scalars(query)).all()


async def refreshed(session: AsyncSession) -> Refresh | None:
    return await session.get(Refresh, 1)
