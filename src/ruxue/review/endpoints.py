"""District review API: the queue, approve (统筹 placement), reject, request materials."""

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from ruxue.desk.endpoints import _summary
from ruxue.review import service
from ruxue.staff.auth import Staff, current_staff

router = APIRouter(prefix="/api/v1/review", tags=["staff"])


class Approve(BaseModel):
    school_code: str
    category: str | None = None
    note: str = ""


class Reject(BaseModel):
    reason: str


class RequestMaterials(BaseModel):
    materials: list[str]
    note: str = ""


@router.get("/queue")
async def queue(request: Request, staff: Staff = Depends(current_staff)) -> list[dict[str, object]]:
    now = request.app.state.settings.clock()
    async with request.app.state.db.read_session() as session:
        cases = await service.queue(session, staff)
    return [
        {**_summary(c), "waiting_days": (now - c.submitted_at).days if c.submitted_at else 0}
        for c in cases
    ]


@router.post("/cases/{case_no}/approve")
async def approve(
    case_no: str, body: Approve, request: Request, staff: Staff = Depends(current_staff)
) -> dict[str, object]:
    now = request.app.state.settings.clock()
    async with request.app.state.db.write_session() as session:
        result = _summary(
            await service.approve(
                session, staff, now, case_no, body.school_code, body.category, body.note
            )
        )
    return result


@router.post("/cases/{case_no}/reject")
async def reject(
    case_no: str, body: Reject, request: Request, staff: Staff = Depends(current_staff)
) -> dict[str, object]:
    now = request.app.state.settings.clock()
    async with request.app.state.db.write_session() as session:
        result = _summary(await service.reject(session, staff, now, case_no, body.reason))
    return result


@router.post("/cases/{case_no}/request-materials")
async def request_materials(
    case_no: str, body: RequestMaterials, request: Request, staff: Staff = Depends(current_staff)
) -> dict[str, object]:
    now = request.app.state.settings.clock()
    async with request.app.state.db.write_session() as session:
        result = _summary(
            await service.request_materials(session, staff, now, case_no, body.materials, body.note)
        )
    return result
