"""Reads of ratings and rectification items; ``visible_items`` narrows what staff may see."""

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import Select, SQLColumnExpression, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.models import Case, CaseEvent
from ruxue.cases.status import FINAL
from ruxue.rating.models import Rating, Rectification

if TYPE_CHECKING:
    from ruxue.staff.auth import Staff

DECISIONS = ("decide", "review_approve", "review_reject")  # trace actions that decide a case
OPEN = ("open", "visited", "fixed")  # steps with a deadline running


async def decided_at(session: AsyncSession, case: Case) -> dt.datetime | None:
    """When the case got its final decision: the last deciding event of its trace."""
    if case.status not in FINAL:
        return None
    return await session.scalar(_last_decision(case.id))


def _last_decision(case_id: int | SQLColumnExpression[int]) -> Select[dt.datetime]:
    return select(func.max(CaseEvent.at)).where(
        CaseEvent.case_id == case_id, CaseEvent.action.in_(DECISIONS)
    )


async def with_decided_at(
    session: AsyncSession, cases: Select[Case]
) -> tuple[Case, dt.datetime | None] | None:
    """The one case ``cases`` selects and ``decided_at`` of it, in one statement (the rating)."""
    row = (
        await session.execute(cases.add_columns(_last_decision(Case.id).scalar_subquery()))
    ).one_or_none()
    if row is None:
        return None
    case, at = row
    return case, at if case.status in FINAL else None


async def rating_of(session: AsyncSession, case_id: int, channel: str) -> Rating | None:
    query = select(Rating).where(Rating.case_id == case_id, Rating.channel == channel)
    return (await session.scalars(query)).one_or_none()


async def item_of_rating(session: AsyncSession, rating_id: int) -> Rectification | None:
    query = select(Rectification).where(Rectification.rating_id == rating_id)
    return (await session.scalars(query)).one_or_none()


async def replied_channels(session: AsyncSession, case_id: int) -> dict[str, int]:
    """The case's items answered and waiting for a re-rating: the rating's channel -> the item."""
    query = (
        select(Rating.channel, Rectification.id)
        .join(Rectification, Rectification.rating_id == Rating.id)
        .where(Rating.case_id == case_id, Rectification.status == "replied")
    )
    return {channel: item_id for channel, item_id in (await session.execute(query)).all()}


def visible_items(staff: "Staff") -> Select[Rectification]:
    """Items a staff member may see: a desk its school's, a reviewer the district's, the city all."""
    query = select(Rectification)
    if staff.role == "admin":
        return query
    if staff.role == "reviewer":
        return query.where(Rectification.district_code == (staff.district_code or ""))
    if staff.role == "desk":
        return query.where(Rectification.school_code == (staff.school_code or ""))
    return query.where(false())


async def items_for(session: AsyncSession, staff: "Staff") -> Sequence[Rectification]:
    query = visible_items(staff).order_by(Rectification.opened_at.desc()).limit(200)
    return (await session.scalars(query)).all()


async def items_in_full(
    session: AsyncSession, staff: "Staff"
) -> Sequence[tuple[Rectification, Rating, Case]]:
    """The staff's list of items with the rating (the complaint) and the case (number, contact)."""
    query = (
        visible_items(staff)
        .join(Rating, Rating.id == Rectification.rating_id)
        .join(Case, Case.id == Rectification.case_id)
        .add_columns(Rating, Case)
        .order_by(Rectification.opened_at.desc())
        .limit(200)
    )
    return [(item, rating, case) for item, rating, case in (await session.execute(query)).all()]


async def item_for(session: AsyncSession, staff: "Staff", item_id: int) -> Rectification | None:
    query = visible_items(staff).where(Rectification.id == item_id)
    return (await session.scalars(query)).one_or_none()


async def running_items(session: AsyncSession) -> Sequence[Rectification]:
    query = select(Rectification).where(Rectification.status.in_(OPEN))
    return (await session.scalars(query)).all()
