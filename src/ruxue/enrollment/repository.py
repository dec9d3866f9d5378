"""Reads of cases. ``visible_cases`` is the one place that narrows what a caller may see."""

from collections.abc import Sequence
from typing import TYPE_CHECKING

import msgspec
from sqlalchemy import Select, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.models import Case
from ruxue.cases.status import ENDED, Status
from ruxue.kit import pii
from ruxue.materials.models import Material
from ruxue.policy.facts import Facts

if TYPE_CHECKING:
    from ruxue.staff.auth import Staff


def visible_cases(guardian_id: str) -> Select[Case]:
    """Cases a guardian may see: their own applications only."""
    return select(Case).where(Case.guardian_index.in_(pii.blind_indexes(guardian_id)))


async def cases_of(session: AsyncSession, guardian_id: str) -> Sequence[Case]:
    return (
        await session.scalars(
            visible_cases(guardian_id).order_by(Case.created_at.desc(), Case.id.desc())
        )
    ).all()


async def case_of(
    session: AsyncSession, guardian_id: str, case_no: str, *, lock: bool = False
) -> Case | None:
    query = visible_cases(guardian_id).where(Case.case_no == case_no)
    return (await session.scalars(query.with_for_update() if lock else query)).one_or_none()


async def case_for_child(
    session: AsyncSession, year: int, segment: str, child_id: str
) -> Case | None:
    """The case holding the child's one case of the year and segment (not withdrawn, not rejected)."""
    query = select(Case).where(
        Case.year == year, Case.segment == segment, Case.child_index.in_(pii.blind_indexes(child_id)),
        Case.status.not_in(ENDED),
    )  # fmt: skip
    return (await session.scalars(query)).one_or_none()


def read_facts(case: Case) -> Facts:
    return msgspec.json.decode(pii.decrypt(case.draft_enc).encode(), type=Facts)


def write_facts(case: Case, facts: Facts) -> None:
    case.draft_enc = pii.encrypt(msgspec.json.encode(facts).decode())


async def materials_of(session: AsyncSession, case: Case) -> Sequence[Material]:
    return (
        await session.scalars(
            select(Material).where(Material.case_id == case.id).order_by(Material.id)
        )
    ).all()


def visible_to_staff(staff: "Staff") -> Select[Case]:
    """The one place that narrows what staff may see: a desk its school's applicants and its own
    offline registrations, a reviewer the district, the city administrator everything."""
    query = select(Case).where(Case.status != Status.DRAFT)
    if staff.role == "admin":
        return query
    if staff.role == "reviewer":
        return query.where(Case.district_code == staff.district_code)
    if staff.role == "desk":
        return query.where(
            or_(Case.school_code == staff.school_code, Case.desk_school == staff.school_code)
        )
    return query.where(false())


async def staff_case(
    session: AsyncSession, staff: "Staff", case_no: str, *, lock: bool = False
) -> Case | None:
    """``lock``: for an action, so that a double submission waits for the first and sees it."""
    query = visible_to_staff(staff).where(Case.case_no == case_no)
    return (await session.scalars(query.with_for_update() if lock else query)).one_or_none()


async def staff_material(
    session: AsyncSession, staff: "Staff", case_no: str, material_id: int
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
