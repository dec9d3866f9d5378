"""Reads of schools and compounds."""

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.reference.models import Compound, School
from ruxue.reference.schools import SchoolRef


async def all_schools(session: AsyncSession) -> Sequence[School]:
    return (await session.scalars(select(School).order_by(School.code))).all()


async def school_refs(session: AsyncSession) -> list[SchoolRef]:
    return [
        SchoolRef(s.code, s.name, s.district_code, s.segment, frozenset(s.compound_codes))
        for s in await all_schools(session)
    ]


async def get_school(session: AsyncSession, code: str) -> School | None:
    return await session.get(School, code)


async def find_compounds(session: AsyncSession, text: str, limit: int = 20) -> Sequence[Compound]:
    pattern = f"%{text}%"
    query = select(Compound).where(
        or_(Compound.code == text.upper(), Compound.address.like(pattern))
    )
    return (await session.scalars(query.order_by(Compound.code).limit(limit))).all()
