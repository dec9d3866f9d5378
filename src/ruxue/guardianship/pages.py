"""Guardianship request pages: the applicant's form and list, the reviewers' list."""

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ruxue.guardianship import repository as repo
from ruxue.guardianship import service
from ruxue.guardianship.documents import add_document, documents_of
from ruxue.guardianship.records import lines
from ruxue.guardianship.schemas import request_view, staff_view
from ruxue.identity.service import Guardian
from ruxue.kit.db import Database
from ruxue.kit.errors import RuxueError
from ruxue.materials.rules import UploadLimits
from ruxue.person.rules import IdNumberError
from ruxue.staff.service import audit
from ruxue.web.auth import PageGuardian, PageStaff
from ruxue.web.deps import DatabaseDep, ExchangeDep, SettingsDep
from ruxue.web.render import flash, render

router = APIRouter(include_in_schema=False)
UPLOADED = "guardianship_uploaded"  # the confirmation the list shows once after an upload


async def _mine(db: Database, guardian: Guardian) -> list[object]:
    """The applicant's requests, each with the files they uploaded (name, size, when)."""
    async with db.read_session() as session:
        return [
            {"view": request_view(r), "files": await documents_of(session, r)}
            for r in await repo.mine(session, guardian.id_number)
        ]


@router.get("/guardianship", response_class=HTMLResponse)
async def form(
    request: Request,
    db: DatabaseDep,
    guardian: PageGuardian,
) -> Response:
    mine = await _mine(db, guardian)
    uploaded = request.session.pop(UPLOADED, None)
    return render(request, "guardianship.html", requests=mine, uploaded=uploaded,
                  relationships=service.RELATIONSHIPS)  # fmt: skip


@router.post("/guardianship", response_class=HTMLResponse)
async def file(
    request: Request,
    db: DatabaseDep,
    exchange: ExchangeDep,
    settings: SettingsDep,
    guardian: PageGuardian,
    child_id: str = Form(""),
    relationship: str = Form(""),
    note: str = Form(""),
) -> Response:
    try:
        filing = await service.file_request(
            db,
            exchange,
            guardian,
            child_id=child_id,
            relationship=relationship,
            note=note,
        )
    except (RuxueError, IdNumberError) as exc:
        mine = await _mine(db, guardian)
        return render(
            request,
            "guardianship.html",
            status_code=exc.status_code if isinstance(exc, RuxueError) else 400,
            error=exc.message,
            requests=mine,
            relationships=service.RELATIONSHIPS,
            child_id=child_id,
            note=note,
        )
    await service.tell_parents(db, settings, filing)
    return RedirectResponse(f"/guardianship?filed={filing.request.request_no}", status_code=303)


@router.post("/guardianship/{request_no}/documents", response_class=HTMLResponse)
async def upload(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    request_no: str,
    guardian: PageGuardian,
    file: UploadFile = File(...),
) -> Response:
    data = await file.read(settings.upload_max_bytes + 1)
    try:
        document = await add_document(
            db,
            settings.upload_dir,
            UploadLimits.of(settings),
            guardian,
            request_no,
            file.filename or "",
            data,
        )
    except RuxueError as exc:
        mine = await _mine(db, guardian)
        return render(
            request,
            "guardianship.html",
            status_code=exc.status_code,
            error=exc.message,
            requests=mine,
            relationships=service.RELATIONSHIPS,
        )
    name = document.filename or "证明材料"
    request.session[UPLOADED] = (
        f"已收到您为申请 {request_no} 上传的“{name}”，区教育局审核时会查看。"
    )
    return RedirectResponse("/guardianship", status_code=303)


@router.get("/staff/guardianship", response_class=HTMLResponse)
async def staff_list(
    request: Request,
    db: DatabaseDep,
    staff: PageStaff,
) -> Response:
    if staff is None or staff.role not in ("reviewer", "admin"):
        return RedirectResponse("/staff", status_code=303)
    async with db.write_session() as session:
        pending = await repo.staff_requests(session, staff, "pending")
        views = []
        for r in pending:
            events = await repo.events_of(session, r)
            records = next((e.detail for e in events if e.action == "records"), {})
            views.append(
                {
                    "r": staff_view(r, events, await documents_of(session, r)),
                    "records": lines(records),
                }
            )
        await audit(session, staff, "guardianship_list_view", status="pending", rows=len(views))
    return render(
        request, "staff_guardianship.html", staff=staff, requests=views, bases=service.BASES
    )


@router.post("/staff/guardianship/{request_no}", response_class=HTMLResponse)
async def staff_decide(
    request: Request,
    db: DatabaseDep,
    request_no: str,
    staff: PageStaff,
    action: str = Form(""),
    reason: str = Form(""),
    checked: str = Form(""),
    basis: str = Form(""),
) -> Response:
    """An approval needs the reviewer's word that the records and the documents were compared."""
    if staff is None:
        return RedirectResponse("/staff/login", status_code=303)
    try:
        if action == "approve" and not checked:
            raise RuxueError("核验通过前，请先对照部门信息和申请材料，并勾选“已核对”。")
        async with db.write_session() as session:
            approve = action == "approve"
            await service.decide(
                session, staff, request_no, approve=approve, reason=reason, basis=basis
            )
    except RuxueError as exc:
        flash(request, exc.message)
    return RedirectResponse("/staff/guardianship", status_code=303)
