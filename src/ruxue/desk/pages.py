"""Back-office pages: the school desk (offline registration, notice printing) and district review."""

import datetime as dt
from typing import Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.models import Case
from ruxue.desk import service
from ruxue.desk.endpoints import scan_upload
from ruxue.desk.service import ORIGINALS, OfflineApplication
from ruxue.desk.views import staff_case_page
from ruxue.kit.clock import utcnow
from ruxue.kit.db import Database
from ruxue.kit.errors import RuxueError
from ruxue.materials.supplement import AlreadyHandled
from ruxue.person.rules import IdNumberError
from ruxue.policy.explain import MATERIALS, STATUSES
from ruxue.reference.districts import district_label
from ruxue.reference.repository import get_school
from ruxue.review import service as review
from ruxue.review.rules import QUEUE_FILTERS, SORTS, QueueRow, arrange, queue_reasons, waiting_days
from ruxue.review.unmask import applicant
from ruxue.staff.auth import Staff
from ruxue.staff.service import audit
from ruxue.web.auth import PageStaff
from ruxue.web.deps import DatabaseDep, ExchangeDep, NowDep, SettingsDep
from ruxue.web.render import render

router = APIRouter(include_in_schema=False)


def _login() -> Response:
    return RedirectResponse("/staff/login", status_code=303)


@router.get("/staff", response_class=HTMLResponse)
async def home(
    request: Request,
    db: DatabaseDep,
    now: NowDep,
    staff: PageStaff,
) -> Response:
    if staff is None:
        return _login()
    return await staff_home(request, db, now, staff)


@router.post("/staff/desk/find", response_class=HTMLResponse)
async def find(
    request: Request,
    db: DatabaseDep,
    now: NowDep,
    staff: PageStaff,
    child: str = Form(""),
    segment: str = Form("primary"),
) -> Response:
    """Whether a child has a case: the ID number travels in the body, never in a URL."""
    if staff is None:
        return _login()
    try:
        await service.throttle_lookup(db, staff, utcnow())
        found = await service.find_child(db, staff, now.year, segment, child)
    except RuxueError as exc:
        page = await staff_home(
            request, db, now, staff, exc.status_code, error=exc.message, child=child
        )
        page.headers.update(exc.headers)
        return page
    return await staff_home(request, db, now, staff, child=child, found=found or "none")


async def staff_home(
    request: Request,
    db: Database,
    now: dt.datetime,
    staff: Staff,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    """The workbench: the desk's forms and list, the reviewer's queue; ``extra`` adds an error,
    the values typed into a form, a search result."""
    ctx: dict[str, Any] = {
        "staff": staff,
        "originals": ORIGINALS,
        "materials": MATERIALS,
        "form": {},
    }
    async with db.write_session() as session:  # the school's list is audited
        ctx["unit"] = await unit_name(session, staff)
        if staff.role in ("reviewer", "admin"):
            cases = await review.queue(session, staff)
            rows = [queue_row(c, now) for c in cases]
            reason, sort = (
                request.query_params.get("reason", ""),
                request.query_params.get("sort", ""),
            )
            ctx["queue"] = arrange(rows, reason, sort if sort in SORTS else "waiting")
            ctx.update(
                queue_all=len(rows), reason=reason, sort=sort, FILTERS=QUEUE_FILTERS, SORTS=SORTS
            )
        if staff.role == "desk" and staff.school_code:
            listed = await review.school_list(session, staff, staff.school_code)
            ctx["applicants"] = [applicant(c) for c in listed]
            await audit(session, staff, "school_list_view", target=staff.school_code)
    ctx.update(extra)
    return render(request, "staff_home.html", status_code=status_code, **ctx)


async def unit_name(session: AsyncSession, staff: Staff) -> str:
    """Where the staff member works, in words: the school's name, or the district's."""
    if staff.school_code:
        school = await get_school(session, staff.school_code)
        return school.name if school else staff.school_code
    return district_label(staff.district_code) if staff.district_code else "全市"


def queue_row(case: Case, now: dt.datetime) -> QueueRow:
    days = waiting_days(case.submitted_at, now)  # on the app's clock, as every list of ours
    reasons = queue_reasons(case.status, list(case.reasons or []))
    status = STATUSES.get(case.status, "办理中")
    return QueueRow(case.case_no, case.child_name_masked, status, reasons, case.submitted_at, days)


@router.get("/staff/desk/consent-form", response_class=HTMLResponse)
async def consent_form(
    request: Request, db: DatabaseDep, now: NowDep, staff: PageStaff
) -> Response:
    """The paper consent to print for the family to sign (its scan is filed with the case)."""
    if staff is None:
        return _login()
    async with db.read_session() as session:
        school = await get_school(session, staff.school_code or "")
    name = school.name if school else ""
    return render(request, "desk_consent_form.html", staff=staff, school_name=name, year=now.year)


@router.post("/staff/desk/register", response_class=HTMLResponse)
async def register(
    request: Request,
    db: DatabaseDep,
    exchange: ExchangeDep,
    settings: SettingsDep,
    now: NowDep,
    staff: PageStaff,
    segment: str = Form("primary"),
    guardian_id: str = Form(""),
    child_id: str = Form(""),
    spouse_id: str = Form(""),
    consent_signed: str = Form(""),
    phone: str = Form(""),
) -> Response:
    if staff is None:
        return _login()
    form = await request.form()
    seen = [k for k in ORIGINALS if form.get(f"seen_{k}")]
    keyed = {k: str(form.get(f"no_{k}", "")) for k in ("BIRTH_CERTIFICATE", "MARRIAGE_CERTIFICATE")}
    application = OfflineApplication(
        segment=segment,
        guardian_id=guardian_id,
        child_id=child_id,
        spouse_id=spouse_id or None,
        consent_signed=bool(consent_signed),
        originals_seen=seen,
        phone=phone,
        keyed_in=keyed,
    )
    try:
        case = await service.register_offline(db, exchange, settings, staff, application)
    except (RuxueError, IdNumberError) as exc:
        typed = {k: str(v) for k, v in form.items() if isinstance(v, str)}
        field = exc.details.get("field", "") if isinstance(exc, RuxueError) else ""
        status = exc.status_code
        return await staff_home(
            request, db, now, staff, status, error=exc.message, field=field, form=typed
        )
    return RedirectResponse(f"/staff/cases/{case.case_no}", status_code=303)


@router.get("/staff/cases/{case_no}", response_class=HTMLResponse)
async def case_page(
    request: Request,
    db: DatabaseDep,
    case_no: str,
    staff: PageStaff,
) -> Response:
    if staff is None:
        return _login()
    return await staff_case_page(request, db, staff, case_no)


@router.post("/staff/cases/{case_no}/unmask", response_class=HTMLResponse)
async def unmask(
    request: Request,
    db: DatabaseDep,
    case_no: str,
    staff: PageStaff,
) -> Response:
    """The records in full, to compare with the originals (a POST: audited, never in a URL)."""
    if staff is None:
        return _login()
    return await staff_case_page(request, db, staff, case_no, unmask=True)


@router.post("/staff/cases/{case_no}/scan", response_class=HTMLResponse)
async def scan(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    case_no: str,
    staff: PageStaff,
    kind: str = Form(...),
    file: UploadFile = File(...),
) -> Response:
    if staff is None:
        return _login()
    try:
        await scan_upload(db, settings, case_no, request, staff, kind, file)
    except RuxueError as exc:
        return await staff_case_page(
            request, db, staff, case_no, 400, error=exc.message, field="scan"
        )
    return RedirectResponse(f"/staff/cases/{case_no}", status_code=303)


@router.post("/staff/cases/{case_no}/originals", response_class=HTMLResponse)
async def originals(
    request: Request,
    db: DatabaseDep,
    now: NowDep,
    case_no: str,
    staff: PageStaff,
) -> Response:
    """The desk ticks the originals of missing materials it has seen."""
    if staff is None:
        return _login()
    form = await request.form()
    kinds = [k for k in MATERIALS if form.get(f"seen_{k}")]
    keyed = {k: str(form.get(f"no_{k}", "")) for k in kinds}
    try:
        async with db.write_session() as session:
            await service.see_originals(session, staff, now, case_no, kinds, keyed)
    except AlreadyHandled as exc:
        return await staff_case_page(request, db, staff, case_no, notice=exc.message)
    except RuxueError as exc:
        return await staff_case_page(
            request, db, staff, case_no, 400, error=exc.message, field="seen"
        )
    return RedirectResponse(f"/staff/cases/{case_no}", status_code=303)
