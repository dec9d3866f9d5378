"""The administrator's 撤销学位告知书 on the staff case page."""

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ruxue.desk.views import staff_case_page
from ruxue.elicence import service
from ruxue.kit.errors import RuxueError
from ruxue.web.auth import PageStaff
from ruxue.web.deps import DatabaseDep, NowDep

router = APIRouter(include_in_schema=False)


@router.post("/staff/cases/{case_no}/revoke-notice", response_class=HTMLResponse)
async def revoke_notice(
    request: Request,
    db: DatabaseDep,
    now: NowDep,
    case_no: str,
    staff: PageStaff,
    reason: str = Form(""),
) -> Response:
    if staff is None:
        return RedirectResponse("/staff/login", status_code=303)
    try:
        async with db.write_session() as session:
            await service.revoke_notice(session, staff, now, case_no, reason)
    except RuxueError as exc:
        return await staff_case_page(
            request, db, staff, case_no, exc.status_code, error=exc.message
        )
    return RedirectResponse(f"/staff/cases/{case_no}", status_code=303)
