"""The guardian-side reads of cases. ``visible_cases`` is the one place that narrows what a
guardian may see (staff: ``cases.repository.visible_to_staff``)."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.models import Case
from ruxue.cases.status import ENDED
from ruxue.kit import pii


def _visible(indexes: Any) -> Select[Case]:
    return select(Case).where(Case.guardian_index.in_(indexes))


def visible_cases(guardian_id: str) -> Select[Case]:
    """Cases a guardian may see: their own applications only."""
    return _visible(pii.blind_indexes(guardian_id))


# every step reads its case so: the statement (and its cache key) built once, the guardian's
# blind indexes and the case number bound at each call
_CASE_OF = _visible(bindparam("indexes", expanding=True)).where(Case.case_no == bindparam("no"))
_CASE_OF_LOCKED = _CASE_OF.with_for_update()


async def cases_of(session: AsyncSession, guardian_id: str) -> Sequence[Case]:
    return (
        await session.scalars(
            visible_cases(guardian_id).order_by(Case.created_at.desc(), Case.id.desc())
        )
    ).all()


async def case_of(
    session: AsyncSession, guardian_id: str, case_no: str, *, lock: bool = False
) -> Case | None:
    params = {"indexes": pii.blind_indexes(guardian_id), "no": case_no}
    return (await session.scalars(_CASE_OF_LOCKED if lock else _CASE_OF, params)).one_or_none()


def authorised_cases(parent_id: str) -> Select[Case]:
    """Cases the other parent authorised (step 3): they may read them and end their consent."""
    return select(Case).where(Case.spouse_index.in_(pii.blind_indexes(parent_id)))


async def cases_authorised_by(session: AsyncSession, parent_id: str) -> Sequence[Case]:
    query = authorised_cases(parent_id).order_by(Case.created_at.desc(), Case.id.desc())
    return (await session.scalars(query)).all()


async def case_authorised_by(session: AsyncSession, parent_id: str, case_no: str) -> Case | None:
    query = authorised_cases(parent_id).where(Case.case_no == case_no)
    return (await session.scalars(query)).one_or_none()


async def case_for_child(
    session: AsyncSession, year: int, segment: str, child_id: str
) -> Case | None:
    """The case holding the child's one case of the year and segment (not withdrawn, not rejected)."""
    query = select(Case).where(
        Case.year == year, Case.segment == segment, Case.child_index.in_(pii.blind_indexes(child_id)),
        Case.status.not_in(ENDED),
    )  # fmt: skip
    return (await session.scalars(query)).one_or_none()
