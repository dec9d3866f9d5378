"""Reads of a case's row and its trace, the next event of the trace, and the one query that
narrows what staff may see (``visible_to_staff``)."""

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import Select, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.models import Case, CaseEvent
from ruxue.cases.status import Status
from ruxue.kit.clock import now_of


async def add_event(
    session: AsyncSession, case: Case, actor: str, action: str, **detail: object
) -> CaseEvent:
    """The next event of the case's trace, numbered by the case's own counter: no look-up, and the
    rows go out with the case's own write at the next flush. Two writers of one case cannot both
    number an event: the case's version check refuses the second (and ``uq_case_event_seq``).
    What a status change makes elsewhere (the county's stages…) is the lifecycle's subscribers'."""
    case.events = (case.events or 0) + 1
    event = CaseEvent(
        case=case, seq=case.events, at=now_of(session), actor=actor, action=action, detail=detail
    )
    session.add(event)
    return event


async def events_of(session: AsyncSession, case: Case) -> Sequence[CaseEvent]:
    return (
        await session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)
        )
    ).all()


async def case_by_verify_code(session: AsyncSession, code: str) -> Case | None:
    return (await session.scalars(select(Case).where(Case.verify_code == code))).one_or_none()


async def case_by_no(session: AsyncSession, case_no: str) -> Case | None:
    return (await session.scalars(select(Case).where(Case.case_no == case_no))).one_or_none()


class StaffScope(Protocol):
    """What narrows a staff member's view (``staff.auth.Staff``)."""

    @property
    def role(self) -> str: ...
    @property
    def school_code(self) -> str | None: ...
    @property
    def district_code(self) -> str | None: ...


def visible_to_staff(staff: StaffScope) -> Select[Case]:
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
    session: AsyncSession, staff: StaffScope, case_no: str, *, lock: bool = False
) -> Case | None:
    """``lock``: for an action, so that a double submission waits for the first and sees it."""
    query = visible_to_staff(staff).where(Case.case_no == case_no)
    return (await session.scalars(query.with_for_update() if lock else query)).one_or_none()
