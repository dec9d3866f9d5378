"""The terminal agent's API (the local service that drives the printer): its waiting print jobs,
each job's PDF once, and the confirmation. Authenticated per terminal: ``Authorization: Kiosk
CODE:KEY``."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from ruxue.kiosk import service
from ruxue.kiosk.models import Terminal
from ruxue.kit.clock import utcnow
from ruxue.kit.errors import Unauthorized
from ruxue.notice.service import (
    RETRY_AFTER_S,
    decision_document,
    final_document,
    made_document,
    overdue,
)
from ruxue.web.deps import DatabaseDep, SettingsDep

router = APIRouter(prefix="/api/v1/kiosk", tags=["kiosk"])


async def agent(request: Request, db: DatabaseDep) -> Terminal:
    scheme, _, credential = request.headers.get("authorization", "").partition(" ")
    async with db.read_session() as session:
        found = await service.terminal_of(session, credential) if scheme == "Kiosk" else None
    if found is None:
        raise Unauthorized("终端未认证")
    return found


@router.get("/print-jobs")
async def print_jobs(
    request: Request,
    db: DatabaseDep,
    here: Terminal = Depends(agent),
) -> list[dict[str, object]]:
    now = utcnow()
    async with db.read_session() as session:
        jobs = await service.waiting(session, here, now)
    return [{"id": j.id, "url": f"/api/v1/kiosk/print-jobs/{j.id}.pdf"} for j in jobs]


@router.get("/print-jobs/{job_id}.pdf")
async def print_job_pdf(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    job_id: int,
    here: Terminal = Depends(agent),
) -> Response:
    """The document as its job made it (the notice sealed, the rejection kept), given once; the
    job is then 'taken'. Before its job made it: 202 with ``Retry-After``, the print job left
    waiting; once that job is late by ``notice_render_after_s``, made here."""
    now, base = utcnow(), settings.public_url
    async with db.write_session() as session:
        _, case = await service.take(session, here, job_id, now)
        made = await made_document(session, case)
        if made.pdf is None and not overdue(made.since, settings.notice_render_after_s):
            await session.rollback()  # not taken: the agent asks again
            return JSONResponse(
                {"status": "preparing", "message": f"{made.title}正在生成，请稍候"},
                status_code=202,
                headers={"retry-after": str(RETRY_AFTER_S)},
            )
        if made.pdf is None:
            await final_document(session, case, settings.seal_key_file, base)
        _, pdf = await decision_document(session, case, base)
    return Response(pdf, media_type="application/pdf")


@router.post("/print-jobs/{job_id}/printed")
async def printed(
    request: Request,
    db: DatabaseDep,
    job_id: int,
    here: Terminal = Depends(agent),
) -> dict[str, str]:
    async with db.write_session() as session:
        await service.printed(session, here, job_id, utcnow())
    return {"status": "printed"}
