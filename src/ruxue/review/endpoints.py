"""District review API: the queue, approve (统筹 placement), reject, request materials."""

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from ruxue.desk.schemas import case_summary
from ruxue.review import service
from ruxue.review.rules import waiting_days
from ruxue.web.auth import CurrentStaff
from ruxue.web.deps import DatabaseDep, NowDep

router = APIRouter(prefix="/api/v1/review", tags=["staff"])


INTERNAL = Field(default="", description="内部意见: seen by staff only, never by the guardian")
MESSAGE = Field(default="", description="告知监护人的说明: shown on the guardian's page")


class Approve(BaseModel):
    school_code: str
    category: str | None = None
    message: str = MESSAGE
    internal_note: str = INTERNAL


class Reject(BaseModel):
    reason: str = Field(description="the reason the guardian is told")
    internal_note: str = INTERNAL


class RequestMaterials(BaseModel):
    materials: list[str]
    message: str = MESSAGE
    internal_note: str = INTERNAL


@router.get("/queue")
async def queue(
    request: Request,
    db: DatabaseDep,
    now: NowDep,
    staff: CurrentStaff,
) -> list[dict[str, object]]:
    async with db.read_session() as session:
        cases = await service.queue(session, staff)
    return [{**case_summary(c), "waiting_days": waiting_days(c.submitted_at, now)} for c in cases]


@router.post("/cases/{case_no}/approve")
async def approve(
    db: DatabaseDep,
    now: NowDep,
    case_no: str,
    body: Approve,
    request: Request,
    staff: CurrentStaff,
) -> dict[str, object]:
    async with db.write_session() as session:
        result = case_summary(
            await service.approve(
                session,
                staff,
                now,
                case_no,
                body.school_code,
                body.category,
                service.Note.of(body.message, body.internal_note),
            )
        )
    return result


@router.post("/cases/{case_no}/reject")
async def reject(
    db: DatabaseDep,
    now: NowDep,
    case_no: str,
    body: Reject,
    request: Request,
    staff: CurrentStaff,
) -> dict[str, object]:
    async with db.write_session() as session:
        note = service.Note.of(body.reason, body.internal_note)
        result = case_summary(await service.reject(session, staff, now, case_no, note))
    return result


@router.post("/cases/{case_no}/request-materials")
async def request_materials(
    db: DatabaseDep,
    now: NowDep,
    case_no: str,
    body: RequestMaterials,
    request: Request,
    staff: CurrentStaff,
) -> dict[str, object]:
    async with db.write_session() as session:
        result = case_summary(
            await service.request_materials(
                session,
                staff,
                now,
                case_no,
                body.materials,
                service.Note.of(body.message, body.internal_note),
            )
        )
    return result
