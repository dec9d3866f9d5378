"""Reads of guardianship requests. ``visible_to_staff`` is the one place that narrows them."""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import Select, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.guardianship.models import GuardianshipEvent, GuardianshipRequest
from ruxue.kit import pii
from ruxue.kit.clock import now_of

if TYPE_CHECKING:
    from ruxue.staff.auth import Staff

OPEN = ("pending", "approved")


def requests_of_applicant(applicant_id: str) -> Select[GuardianshipRequest]:
    indexes = pii.blind_indexes(applicant_id)
    return select(GuardianshipRequest).where(GuardianshipRequest.applicant_index.in_(indexes))


async def mine(session: AsyncSession, applicant_id: str) -> Sequence[GuardianshipRequest]:
    query = requests_of_applicant(applicant_id).order_by(GuardianshipRequest.created_at.desc())
    return (await session.scalars(query)).all()


async def open_request(
    session: AsyncSession, applicant_id: str, child_id: str, statuses: Sequence[str] = OPEN
) -> GuardianshipRequest | None:
    query = requests_of_applicant(applicant_id).where(
        GuardianshipRequest.child_index.in_(pii.blind_indexes(child_id)),
        GuardianshipRequest.status.in_(statuses),
    )
    return (await session.scalars(query.order_by(GuardianshipRequest.id.desc()))).first()


async def approved_request(session: AsyncSession, applicant_id: str, child_id: str) -> str | None:
    """The number of the approved request that lets this person act for this child, if any."""
    found = await open_request(session, applicant_id, child_id, ("approved",))
    return found.request_no if found else None


async def approval(
    session: AsyncSession, applicant_id: str, child_id: str
) -> tuple[str, str] | None:
    """The approved request that lets this person act for this child and its basis, if any."""
    found = await open_request(session, applicant_id, child_id, ("approved",))
    return (found.request_no, found.basis) if found else None


def visible_to_staff(staff: "Staff") -> Select[GuardianshipRequest]:
    """A reviewer the requests of their district, the administrator all, anyone else none."""
    query = select(GuardianshipRequest)
    if staff.role == "admin":
        return query
    if staff.role == "reviewer":
        return query.where(GuardianshipRequest.district_code == staff.district_code)
    return query.where(false())


async def staff_requests(
    session: AsyncSession, staff: "Staff", status: str
) -> Sequence[GuardianshipRequest]:
    query = visible_to_staff(staff).where(GuardianshipRequest.status == status)
    return (await session.scalars(query.order_by(GuardianshipRequest.created_at))).all()


async def staff_request(
    session: AsyncSession, staff: "Staff", request_no: str
) -> GuardianshipRequest | None:
    query = visible_to_staff(staff).where(GuardianshipRequest.request_no == request_no)
    return (await session.scalars(query)).one_or_none()


async def by_no(session: AsyncSession, request_no: str) -> GuardianshipRequest:
    """For the system's own follow-up of a request it just wrote; never for a caller's lookup."""
    query = select(GuardianshipRequest).where(GuardianshipRequest.request_no == request_no)
    return (await session.scalars(query)).one()


async def add_event(
    session: AsyncSession, request: GuardianshipRequest, actor: str, action: str, **detail: object
) -> GuardianshipEvent:
    last = await session.scalar(
        select(func.max(GuardianshipEvent.seq)).where(GuardianshipEvent.request_id == request.id)
    )
    event = GuardianshipEvent(
        request_id=request.id,
        seq=(last or 0) + 1,
        at=now_of(session),
        actor=actor,
        action=action,
        detail=detail,
    )
    session.add(event)
    await session.flush()
    return event


async def events_of(
    session: AsyncSession, request: GuardianshipRequest
) -> Sequence[GuardianshipEvent]:
    query = select(GuardianshipEvent).where(GuardianshipEvent.request_id == request.id)
    return (await session.scalars(query.order_by(GuardianshipEvent.seq))).all()
