"""Back-office pages: the school desk (offline registration, notice printing) and district review."""

from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ruxue.desk import service
from ruxue.desk.endpoints import scan_upload
from ruxue.desk.service import ORIGINALS
from ruxue.enrollment import repository as repo
from ruxue.enrollment.explain import MATERIALS
from ruxue.enrollment.pages import flash, render
from ruxue.kit.errors import NotFound, RuxueError, Unauthorized
from ruxue.review import service as review
from ruxue.schools.repository import all_schools
from ruxue.staff.auth import Staff, current_staff

router = APIRouter(include_in_schema=False)


async def signed_in_staff(request: Request) -> Staff | None:
    try:
        return await current_staff(request)
    except Unauthorized:
        return None


def _login() -> Response:
    return RedirectResponse("/staff/login", status_code=303)


def _back_to_desk(request: Request, exc: RuxueError) -> Response:
    flash(request, exc.message)
    return RedirectResponse("/staff", status_code=303)


@router.get("/staff", response_class=HTMLResponse)
async def home(
    request: Request, staff: Staff | None = Depends(signed_in_staff), child: str = "",
    segment: str = "primary",
) -> Response:  # fmt: skip
    if staff is None:
        return _login()
    ctx: dict[str, Any] = {
        "staff": staff,
        "originals": ORIGINALS,
        "materials": MATERIALS,
        "now": request.app.state.settings.clock(),
    }
    async with request.app.state.db.read_session() as session:
        if staff.role in ("reviewer", "admin"):
            ctx["queue"] = await review.queue(session, staff)
            ctx["schools"] = [
                s
                for s in await all_schools(session)
                if staff.role == "admin" or s.district_code == staff.district_code
            ]
        if staff.role == "desk" and staff.school_code:
            ctx["applicants"] = await review.school_list(session, staff, staff.school_code)
    if child and staff.role == "desk":
        try:
            year = request.app.state.settings.clock().year
            ctx["found"] = (
                await service.find_child(request.app.state.db, staff, year, segment, child)
                or "none"
            )
        except RuxueError as exc:
            ctx["error"] = exc.message
        ctx["child"] = child
    return render(request, "staff_home.html", **ctx)


@router.post("/staff/desk/register", response_class=HTMLResponse)
async def register(
    request: Request, segment: str = Form("primary"), guardian_id: str = Form(""), child_id: str = Form(""),
    spouse_id: str = Form(""), consent_signed: str = Form(""), phone: str = Form(""),
    staff: Staff | None = Depends(signed_in_staff),
) -> Response:  # fmt: skip
    if staff is None:
        return _login()
    form = await request.form()
    seen = [k for k in ORIGINALS if form.get(f"seen_{k}")]
    keyed = {k: str(form.get(f"no_{k}", "")) for k in ("BIRTH_CERTIFICATE", "MARRIAGE_CERTIFICATE")}
    settings = request.app.state.settings
    try:
        case = await service.register_offline(
            request.app.state.db, request.app.state.exchange, settings.clock(), staff, year=settings.clock().year,
            segment=segment, guardian_id=guardian_id, child_id=child_id, spouse_id=spouse_id or None,
            consent_signed=bool(consent_signed), originals_seen=seen, phone=phone, keyed_in=keyed,
        )  # fmt: skip
    except RuxueError as exc:
        return _back_to_desk(request, exc)
    return RedirectResponse(f"/staff/cases/{case.case_no}", status_code=303)


@router.get("/staff/cases/{case_no}", response_class=HTMLResponse)
async def case_page(
    request: Request, case_no: str, staff: Staff | None = Depends(signed_in_staff)
) -> Response:
    if staff is None:
        return _login()
    async with request.app.state.db.read_session() as session:
        case = await repo.staff_case(session, staff, case_no)
        events = await repo.events_of(session, case) if case else []
    if case is None:
        raise NotFound("办件不存在或不在您的权限范围内。")
    return render(
        request, "staff_case.html", staff=staff, case=case, events=events, originals=ORIGINALS
    )


@router.post("/staff/cases/{case_no}/scan", response_class=HTMLResponse)
async def scan(
    request: Request, case_no: str, kind: str = Form(...), file: UploadFile = File(...),
    staff: Staff | None = Depends(signed_in_staff),
) -> Response:  # fmt: skip
    if staff is None:
        return _login()
    try:
        await scan_upload(case_no, request, kind, file, staff)
    except RuxueError as exc:
        return _back_to_desk(request, exc)
    return RedirectResponse(f"/staff/cases/{case_no}", status_code=303)


@router.post("/staff/review/{case_no}", response_class=HTMLResponse)
async def review_action(
    request: Request, case_no: str, action: str = Form(...), school_code: str = Form(""), category: str = Form(""),
    note: str = Form(""), staff: Staff | None = Depends(signed_in_staff),
) -> Response:  # fmt: skip
    if staff is None:
        return _login()
    now = request.app.state.settings.clock()
    form = await request.form()
    try:
        async with request.app.state.db.write_session() as session:
            if action == "approve":
                await review.approve(
                    session, staff, now, case_no, school_code, category or None, note
                )
            elif action == "reject":
                await review.reject(session, staff, now, case_no, note)
            else:
                wanted = [m for m in MATERIALS if form.get(f"need_{m}")]
                await review.request_materials(session, staff, now, case_no, wanted, note)
    except RuxueError as exc:
        return _back_to_desk(request, exc)
    return RedirectResponse("/staff", status_code=303)
