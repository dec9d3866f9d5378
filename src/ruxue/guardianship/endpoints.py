"""Guardianship requests over the JSON API: the applicant files and follows; reviewers decide."""

import asyncio
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.guardianship import repository as repo
from ruxue.guardianship import service
from ruxue.guardianship.documents import add_document, documents_of
from ruxue.guardianship.models import GuardianshipRequest
from ruxue.guardianship.schemas import (
    Decide,
    FileRequest,
    RequestView,
    StaffRequestView,
    request_view,
    staff_view,
)
from ruxue.kit.db import Database
from ruxue.kit.errors import NotFound
from ruxue.materials.rules import UploadLimits
from ruxue.materials.service import read_stored
from ruxue.staff.auth import Staff, require
from ruxue.staff.service import audit
from ruxue.web.auth import CurrentGuardian, CurrentStaff, require_role
from ruxue.web.deps import DatabaseDep, ExchangeDep, SessionDep, SettingsDep

router = APIRouter(prefix="/api/v1/guardianship", tags=["guardianship"])
staff_router = APIRouter(prefix="/api/v1/review/guardianship", tags=["staff"])
Reviewer = Annotated[Staff, Depends(require_role("reviewer", "admin"))]


@router.post("", response_model=RequestView, status_code=201)
async def file(
    db: DatabaseDep,
    exchange: ExchangeDep,
    settings: SettingsDep,
    body: FileRequest,
    request: Request,
    guardian: CurrentGuardian,
) -> RequestView:
    filing = await service.file_request(
        db,
        exchange,
        guardian,
        child_id=body.child_id_number,
        relationship=body.relationship,
        note=body.note,
    )
    await service.tell_parents(db, settings, filing)
    return request_view(filing.request)


@router.get("", response_model=list[RequestView])
async def mine(
    request: Request,
    db: DatabaseDep,
    guardian: CurrentGuardian,
) -> list[RequestView]:
    async with db.read_session() as session:
        return [request_view(r) for r in await repo.mine(session, guardian.id_number)]


@staff_router.get("", response_model=list[StaffRequestView])
async def queue(
    staff: Reviewer, session: SessionDep, status: str = "pending"
) -> list[StaffRequestView]:
    found = await repo.staff_requests(session, staff, status)
    await audit(session, staff, "guardianship_list_view", status=status, rows=len(found))
    return [staff_view(r) for r in found]


async def _staff_view(session: AsyncSession, found: GuardianshipRequest) -> StaffRequestView:
    return staff_view(
        found, await repo.events_of(session, found), await documents_of(session, found)
    )


@staff_router.get("/{request_no}", response_model=StaffRequestView)
async def one(request_no: str, staff: Reviewer, session: SessionDep) -> StaffRequestView:
    found = await repo.staff_request(session, staff, request_no)
    if found is None:
        raise NotFound("申请不存在或不在您的辖区")
    await audit(session, staff, "guardianship_view", target=request_no)
    return await _staff_view(session, found)


@staff_router.get("/{request_no}/documents/{document_id}")
async def document(
    request_no: str,
    db: DatabaseDep,
    document_id: int,
    request: Request,
    staff: CurrentStaff,
) -> Response:
    require(staff, "reviewer", "admin")
    async with db.write_session() as session:
        found = await repo.staff_request(session, staff, request_no)
        files = {d.id: d for d in await documents_of(session, found)} if found else {}
        if document_id not in files:
            raise NotFound("材料不存在或不在您的辖区")
        await audit(
            session,
            staff,
            "guardianship_document_view",
            target=request_no,
            filename=files[document_id].filename,
        )
    doc = files[document_id]
    plain = await asyncio.to_thread(read_stored, doc.path, doc.sha256)
    disposition = f"attachment; filename*=UTF-8''{quote(doc.filename or 'document')}"
    return Response(
        plain, media_type=doc.content_type, headers={"content-disposition": disposition}
    )


@router.post("/{request_no}/documents", response_model=RequestView, status_code=201)
async def upload(
    request_no: str,
    db: DatabaseDep,
    settings: SettingsDep,
    request: Request,
    guardian: CurrentGuardian,
    file: UploadFile = File(...),
) -> RequestView:
    data = await file.read(settings.upload_max_bytes + 1)
    await add_document(
        db,
        settings.upload_dir,
        UploadLimits.of(settings),
        guardian,
        request_no,
        file.filename or "",
        data,
    )
    async with db.read_session() as session:
        mine = {r.request_no: r for r in await repo.mine(session, guardian.id_number)}
    return request_view(mine[request_no])


async def _decide(
    db: Database, staff: Staff, request_no: str, approve: bool, body: Decide
) -> StaffRequestView:
    async with db.write_session() as session:
        found = await service.decide(
            session, staff, request_no, approve=approve, reason=body.reason, basis=body.basis
        )
        view = await _staff_view(session, found)
    return view


@staff_router.post("/{request_no}/approve", response_model=StaffRequestView)
async def approve(
    request_no: str,
    body: Decide,
    db: DatabaseDep,
    staff: CurrentStaff,
) -> StaffRequestView:
    return await _decide(db, staff, request_no, True, body)


@staff_router.post("/{request_no}/reject", response_model=StaffRequestView)
async def reject(
    request_no: str,
    body: Decide,
    db: DatabaseDep,
    staff: CurrentStaff,
) -> StaffRequestView:
    return await _decide(db, staff, request_no, False, body)
