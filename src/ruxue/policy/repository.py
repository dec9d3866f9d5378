"""Reads and writes of the imported policy versions."""

from sqlalchemy import ColumnElement, ScalarSelect, SQLColumnExpression, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.policy.models import PolicyVersion


def _of(district: str, year: int) -> ColumnElement[bool]:
    return and_(PolicyVersion.district_code == district, PolicyVersion.year == year)


async def latest_digest(session: AsyncSession, district: str, year: int) -> str | None:
    """The digest of the version in force: the one small query the read path runs per case."""
    query = select(PolicyVersion.digest).where(_of(district, year))
    return await session.scalar(query.order_by(PolicyVersion.version.desc()).limit(1))


def digest_in_force(
    district: SQLColumnExpression[str | None], year: SQLColumnExpression[int]
) -> ScalarSelect[str | None]:
    """``latest_digest`` as a column of another read (a case's district and year): the version
    check without a statement of its own (``service.Checked``)."""
    query = select(PolicyVersion.digest).where(
        PolicyVersion.district_code == district, PolicyVersion.year == year
    )
    return query.order_by(PolicyVersion.version.desc()).limit(1).scalar_subquery()


async def latest(session: AsyncSession, district: str, year: int) -> PolicyVersion | None:
    query = select(PolicyVersion).where(_of(district, year))
    return await session.scalar(query.order_by(PolicyVersion.version.desc()).limit(1))


async def next_version(session: AsyncSession, district: str, year: int) -> int:
    found = await session.scalar(select(func.max(PolicyVersion.version)).where(_of(district, year)))
    return (found or 0) + 1


async def history(session: AsyncSession) -> list[PolicyVersion]:
    """Every version, newest first within each district and year."""
    query = select(PolicyVersion).order_by(
        PolicyVersion.year.desc(), PolicyVersion.district_code, PolicyVersion.version.desc()
    )
    return list(await session.scalars(query))


def in_force(versions: list[PolicyVersion]) -> list[PolicyVersion]:
    """The newest version of each district and year, from ``history``'s order."""
    seen: set[tuple[str, int]] = set()
    newest = []
    for row in versions:
        if (row.district_code, row.year) not in seen:
            seen.add((row.district_code, row.year))
            newest.append(row)
    return newest
