"""The supervision dashboard page: a frame that ``static/dashboard.js`` fills from the JSON API."""

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ruxue.dashboard import repository as repo
from ruxue.dashboard.rules import district_label
from ruxue.desk.pages import signed_in_staff
from ruxue.enrollment.pages import render
from ruxue.notice.issuers import ISSUERS
from ruxue.staff.auth import Staff

router = APIRouter(include_in_schema=False)


@router.get("/staff/dashboard", response_class=HTMLResponse)
async def dashboard(
    request: Request,
    district: str = "",
    school: str = "",
    staff: Staff | None = Depends(signed_in_staff),
) -> Response:
    if staff is None:
        return RedirectResponse("/staff/login", status_code=303)
    scope = repo.scope_for(staff, district, school)
    params = {k: v for k, v in (("district", district), ("school", school)) if v}
    tables = [("schools", "学校"), ("departments", "部门接口")]
    if scope.level == "city":
        tables.insert(0, ("districts", "各区"))
    districts = [(c, district_label(c)) for c in ISSUERS] if staff.role in repo.CITY_ROLES else []
    return render(
        request,
        "dashboard.html",
        scope=scope,
        scope_label=scope.label(),
        tables=tables,
        districts=districts,
        query="?" + urlencode(params) if params else "",
    )
