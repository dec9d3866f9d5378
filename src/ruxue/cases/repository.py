"""Reads of a case's row and its trace, and the next event of the trace."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.models import Case, CaseEvent
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
