"""The administrator's page of county reporting (``/staff/county``): on the city, cases per district
and stage, the counties gone silent and the back-channel logouts not delivered to them; on a
county, the outbox and its dead letters."""

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ruxue.county import relay, service
from ruxue.county.dead_letters import send_again
from ruxue.county.rules import STAGES
from ruxue.kit.errors import Forbidden
from ruxue.provider import logouts
from ruxue.reference.districts import district_label
from ruxue.web.auth import PageStaff
from ruxue.web.deps import DatabaseDep, SettingsDep
from ruxue.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/staff/county", response_class=HTMLResponse)
async def county_page(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    staff: PageStaff,
) -> Response:
    if staff is None:
        return RedirectResponse("/staff/login", status_code=303)
    if staff.role != "admin":
        raise Forbidden("只有市级管理员可以查看县区数据汇聚。")
    silence = dt.timedelta(minutes=settings.county_silence_minutes)
    async with db.read_session() as session:
        picture = await service.picture(session, silence)
        state = await relay.state(session)
        told = await logouts.state(session)
    shown = settings.upstream_url or state.pending or state.sent or state.dead
    outbox = state if shown else None  # none on the city (or a standalone) that never reported
    return render(
        request,
        "county.html",
        staff=staff,
        STAGES=STAGES,
        picture=picture,
        outbox=outbox,
        upstream=settings.upstream_url,
        logouts=told,
        district=district_label,  # names as the dashboard shows them
    )


@router.post("/staff/county/{kind}/{row_id}/retry")
async def retry_page(
    request: Request,
    db: DatabaseDep,
    kind: str,
    row_id: int,
    staff: PageStaff,
) -> Response:
    """Send a dead letter again: ``kind`` is ``outbox`` or ``logouts`` (``dead_letters.KINDS``)."""
    if staff is None:
        return RedirectResponse("/staff/login", status_code=303)
    async with db.write_session() as session:
        await send_again(session, staff, kind, row_id)
    return RedirectResponse("/staff/county", status_code=303)
