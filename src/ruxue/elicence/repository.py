"""Reads of licences."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.elicence.models import Licence


async def by_case(session: AsyncSession, case_id: int, lock: bool = False) -> Licence | None:
    query = select(Licence).where(Licence.case_id == case_id).order_by(Licence.id.desc()).limit(1)
    return (await session.scalars(query.with_for_update() if lock else query)).one_or_none()


async def by_verify_code(session: AsyncSession, code: str) -> Licence | None:
    query = select(Licence).where(Licence.verify_code == code)
    return (await session.scalars(query)).one_or_none()


async def by_id(session: AsyncSession, licence_id: int) -> Licence | None:
    return await session.get(Licence, licence_id)
