"""The supervision dashboard page: a frame that ``static/dashboard.js`` fills from the JSON API, and
the county picture (own + reported cases per district and stage), drawn from the page's table."""

import datetime as dt
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ruxue.county.rules import STAGES
from ruxue.county.service import picture
from ruxue.dashboard import repository as repo
from ruxue.dashboard.rules import CountyRow, county_chart, county_rows
from ruxue.kit.db import Database
from ruxue.reference.districts import ISSUERS, district_label
from ruxue.settings import Settings
from ruxue.web.auth import PageStaff
from ruxue.web.deps import DatabaseDep, SettingsDep
from ruxue.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/staff/dashboard", response_class=HTMLResponse)
async def dashboard(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    staff: PageStaff,
    district: str = "",
    school: str = "",
) -> Response:
    if staff is None:
        return RedirectResponse("/staff/login", status_code=303)
    async with db.read_session() as session:
        scope = await repo.checked_scope(session, staff, district, school)
        schools = await repo.schools_of(session, scope) if scope.school else []
    params = {k: v for k, v in (("district", district), ("school", school)) if v}
    tables = [("schools", "学校"), ("departments", "部门接口")]
    if scope.level == "city":
        tables.insert(0, ("districts", "各区"))
    districts = [(c, district_label(c)) for c in ISSUERS] if staff.role in repo.CITY_ROLES else []
    counties = await _county_rows(db, settings, scope) if scope.level != "school" else None
    return render(
        request,
        "dashboard.html",
        scope=scope,
        scope_label=scope.label(schools[0].name if schools else ""),
        tables=tables,
        districts=districts,
        query="?" + urlencode(params) if params else "",
        counties=counties,
        county_chart=county_chart(counties) if counties is not None else None,
        STAGES=STAGES,
    )


async def _county_rows(db: Database, settings: Settings, scope: repo.Scope) -> list[CountyRow]:
    """The city picture (``county.service.picture``, as ``/api/v1/county/picture``) by district;
    a district's view has its own row only."""
    silence = dt.timedelta(minutes=settings.county_silence_minutes)
    async with db.read_session() as session:
        return county_rows(await picture(session, silence, scope.district))
