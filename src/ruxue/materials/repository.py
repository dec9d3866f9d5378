"""Reads of a case's materials; a staff member's through ``cases.repository.visible_to_staff``."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.models import Case
from ruxue.cases.repository import StaffScope, visible_to_staff
from ruxue.materials.models import Material


async def materials_of(session: AsyncSession, case: Case) -> Sequence[Material]:
    return (
        await session.scalars(
            select(Material).where(Material.case_id == case.id).order_by(Material.id)
        )
    ).all()


async def staff_material(
    session: AsyncSession, staff: StaffScope, case_no: str, material_id: int
) -> Material | None:
    """A material of a case the staff member may see."""
    query = (
        select(Material)
        .join(Case, Case.id == Material.case_id)
        .where(
            Material.id == material_id,
            Case.id.in_(visible_to_staff(staff).with_only_columns(Case.id)),
        )
        .where(Case.case_no == case_no)
    )
    return (await session.scalars(query)).one_or_none()
