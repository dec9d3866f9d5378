"""The guardian's data tracker: which department was asked what about them, when and why."""

from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.exchange.envelope import PURPOSES
from ruxue.exchange.schemas import DEPARTMENT_NAMES, TrackedCall
from ruxue.exchange.service import who_asked_about
from ruxue.identity.service import Guardian
from ruxue.web.auth import CurrentGuardian
from ruxue.web.deps import DatabaseDep

router = APIRouter(prefix="/api/v1", tags=["exchange"])


@router.get("/me/data-tracker", response_model=list[TrackedCall])
async def data_tracker(
    request: Request,
    db: DatabaseDep,
    guardian: CurrentGuardian,
) -> list[TrackedCall]:
    async with db.read_session() as session:
        return await tracked_calls(session, guardian)


async def tracked_calls(session: AsyncSession, guardian: Guardian) -> list[TrackedCall]:
    """The calls about this guardian, for the API and the page alike."""
    calls = await who_asked_about(session, guardian.id_number)
    return [
        TrackedCall(
            at=c.at,
            department=c.department,
            department_name=DEPARTMENT_NAMES.get(c.department, c.department),
            service=c.service,
            fields=c.fields,
            purpose=PURPOSES.get(c.purpose, c.purpose),
            case_no=c.case_no,
            outcome=c.outcome,
        )
        for c in calls
    ]
